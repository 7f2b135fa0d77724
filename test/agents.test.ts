/**
 * /v1/agents: list (both paging modes, filters), get, create (new person, existing person from
 * another org, duplicates), PATCH (roles, own name and password, the last admin), deactivate and
 * reactivate, who may do what, and the events each change records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, newOrg, startTestApp, type Client, type TestApp } from './support/app.js';
import {
  addAgent,
  agentClient,
  expectError,
  expectFieldError,
  joinByInvitation,
  login,
  PASSWORD,
  postAuth,
  session,
  uniqueEmail,
  type AgentJson,
} from './support/agents.js';
import { DIALECTS } from './support/databases.js';

describe.each(DIALECTS)('agents (%s)', (dialect) => {
  let t: TestApp;
  let admin: Client;
  let founderId: string;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    const org = await newOrg(t);
    founderId = org.admin.id;
    admin = client(t.app, org.apiKey);
  });
  afterAll(() => t.close());

  async function eventsOf(type: string) {
    const res = await admin.get(`/v1/events?types=${type}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ data: Array<{ type: string; data: Record<string, unknown>; actor: unknown }> }>().data;
  }

  describe('create', () => {
    it('adds a person: 201 with the agent shape, and an agent.created event', async () => {
      const email = uniqueEmail('Carla');
      const res = await admin.post('/v1/agents', {
        email,
        name: '  Carla  ',
        role: 'agent',
        password: PASSWORD,
      });
      expect(res.statusCode, res.body).toBe(201);
      const agent = res.json<AgentJson>();
      expect(Object.keys(agent).sort()).toEqual(['active', 'createdAt', 'email', 'id', 'name', 'role']);
      expect(agent).toMatchObject({ email, name: 'Carla', role: 'agent', active: true });
      expect(agent.id).toMatch(/^agent_/);
      expect(new Date(agent.createdAt).toISOString()).toBe(agent.createdAt);
      expect(res.body).not.toMatch(/password|scrypt/i);
      const event = (await eventsOf('agent.created')).find(
        (e) => (e.data.agent as AgentJson).id === agent.id,
      );
      expect(event?.data.agent).toEqual(agent);
      expect(JSON.stringify(event)).not.toMatch(/scrypt|correct horse/);
    });

    it('an existing member (any case of the email) → 409', async () => {
      const agent = await addAgent(admin);
      const again = await admin.post('/v1/agents', {
        email: agent.email.toUpperCase(),
        name: 'Again',
        role: 'admin',
      });
      expect(expectError(again, 409, 'CONFLICT').message).toContain(agent.id);
      expect((await admin.get(`/v1/agents/${agent.id}`)).json().role).toBe('agent');
    });

    it('a person from another org is only invited: nothing of theirs changes or shows until they accept', async () => {
      const email = uniqueEmail('shared');
      const other = await newOrg(t);
      const original = await addAgent(client(t.app, other.apiKey), {
        email,
        name: 'Original Name',
        password: PASSWORD,
      });
      const res = await admin.post('/v1/agents', {
        email,
        name: 'Renamed By Another Org',
        role: 'admin',
        password: 'attacker chosen password',
      });
      expect(res.statusCode, res.body).toBe(201);
      const invited = res.json<AgentJson>();
      expect(invited).toMatchObject({ email, name: 'Renamed By Another Org', role: 'admin', active: true });
      expect(invited.id).not.toBe(original.id);
      expect(res.body).not.toContain('Original Name');
      expectError(await login(t.app, email, 'attacker chosen password'), 401, 'UNAUTHORIZED');
      expect((await session(t.app, email)).orgs).toHaveLength(1);
    });

    it('rejects bad input with a 400 naming the field', async () => {
      const base = { email: uniqueEmail(), name: 'X', role: 'agent' };
      expectFieldError(await admin.post('/v1/agents', { ...base, email: 'not-an-email' }), 'email');
      expectFieldError(await admin.post('/v1/agents', { ...base, name: '   ' }), 'name');
      expectFieldError(await admin.post('/v1/agents', { ...base, role: 'owner' }), 'role');
      expectFieldError(await admin.post('/v1/agents', { ...base, password: 'short' }), 'password');
      expectFieldError(await admin.post('/v1/agents', { ...base, nickname: 'x' }), 'nickname');
      // name and role may be left out: name defaults to the email's local part, role to agent.
      const minimal = await admin.post('/v1/agents', { email: `Defaults.${base.email}` });
      expect(minimal.statusCode, minimal.body).toBe(201);
      expect(minimal.json()).toMatchObject({ name: `Defaults.${base.email}`.split('@')[0], role: 'agent' });
    });

    it('a read-only key → 403, though it may list the team', async () => {
      const key = await admin.post('/v1/api-keys', { name: 'Reader', scope: 'read' });
      const reader = client(t.app, key.json().key);
      expectError(
        await reader.post('/v1/agents', { email: uniqueEmail(), name: 'X', role: 'agent' }),
        403,
        'FORBIDDEN',
      );
      const listed = await reader.get('/v1/agents');
      expect(listed.statusCode, listed.body).toBe(200);
      expect(listed.json().data.map((a: AgentJson) => a.id)).toContain(founderId);
      expect((await reader.get(`/v1/agents/${founderId}`)).statusCode).toBe(200);
    });
  });

  describe('who may read the team', () => {
    it('a plain agent lists and reads every agent, as an admin does, and changes none of them', async () => {
      const org = await newOrg(t);
      const orgAdmin = client(t.app, org.apiKey);
      const plain = await addAgent(orgAdmin, { name: 'Plain Pat' });
      const colleague = await addAgent(orgAdmin, { name: 'Colleague Cy' });
      const gone = await addAgent(orgAdmin, { name: 'Gone Gil' });
      await orgAdmin.post(`/v1/agents/${gone.id}/deactivate`);
      // Someone with a login elsewhere gets a pending invitation: shown as the admin typed it.
      const elsewhere = await addAgent(admin);
      const invitee = await addAgent(orgAdmin, {
        email: elsewhere.email,
        name: 'Invited Ivy',
        password: null,
      });
      const api = agentClient(t.app, (await session(t.app, plain.email)).accessToken);

      const asAdmin = (await orgAdmin.get('/v1/agents?per_page=100')).json();
      const asAgent = await api.get('/v1/agents?per_page=100');
      expect(asAgent.statusCode, asAgent.body).toBe(200);
      expect(asAgent.json()).toEqual(asAdmin);
      expect(asAgent.json().data.map((a: AgentJson) => a.id)).toEqual([
        invitee.id,
        gone.id,
        colleague.id,
        plain.id,
        org.admin.id,
      ]);
      for (const agent of asAgent.json().data as AgentJson[])
        expect(Object.keys(agent).sort()).toEqual(['active', 'createdAt', 'email', 'id', 'name', 'role']);
      const active = (await api.get('/v1/agents?active=true&role=agent')).json();
      expect(active.data.map((a: AgentJson) => a.id)).toEqual([invitee.id, colleague.id, plain.id]);

      const read = await api.get(`/v1/agents/${colleague.id}`);
      expect(read.statusCode, read.body).toBe(200);
      expect(read.json()).toEqual(colleague);
      expect((await api.get(`/v1/agents/${gone.id}`)).json()).toEqual({ ...gone, active: false });
      expect((await api.get(`/v1/agents/${invitee.id}`)).json()).toEqual(invitee);
      expectError(await api.get(`/v1/agents/${founderId}`), 404, 'NOT_FOUND');

      expectError(
        await api.post('/v1/agents', { email: uniqueEmail(), name: 'X', role: 'agent' }),
        403,
        'FORBIDDEN',
      );
      expectError(await api.patch(`/v1/agents/${colleague.id}`, { role: 'admin' }), 403, 'FORBIDDEN');
      expectError(await api.patch(`/v1/agents/${colleague.id}`, { name: 'Renamed' }), 403, 'FORBIDDEN');
      expectError(await api.post(`/v1/agents/${colleague.id}/deactivate`), 403, 'FORBIDDEN');
      expectError(await api.post(`/v1/agents/${gone.id}/reactivate`), 403, 'FORBIDDEN');
      expectError(await api.delete(`/v1/agents/${colleague.id}`), 403, 'FORBIDDEN');
      expectError(await api.delete(`/v1/agents/${invitee.id}`), 403, 'FORBIDDEN');
      expect((await orgAdmin.get('/v1/agents?per_page=100')).json()).toEqual(asAdmin);
    });
  });

  describe('list and get', () => {
    let team: AgentJson[];
    let listOrg: Client;

    beforeAll(async () => {
      const org = await newOrg(t);
      listOrg = client(t.app, org.apiKey);
      team = [];
      for (const role of ['agent', 'admin', 'agent', 'agent'] as const)
        team.push(await addAgent(listOrg, { role }));
      await listOrg.post(`/v1/agents/${team[3]!.id}/deactivate`);
    });

    it('page mode: newest first with {total, page, perPage}; only this org', async () => {
      const res = await listOrg.get('/v1/agents?per_page=2&page=1');
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body.meta).toEqual({ total: 5, page: 1, perPage: 2 });
      expect(body.data.map((a: AgentJson) => a.id)).toEqual([team[3]!.id, team[2]!.id]);
      const all = (await listOrg.get('/v1/agents?per_page=100')).json();
      expect(all.data).toHaveLength(5);
      expect(all.data.every((a: AgentJson) => a.id !== founderId)).toBe(true);
    });

    it('cursor mode: limit + startingAfter walk every agent once, newest first', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/v1/agents?limit=2${cursor ? `&startingAfter=${cursor}` : ''}`;
        const res = await listOrg.get(url);
        expect(res.statusCode, res.body).toBe(200);
        const body = res.json();
        expect(body.meta.limit).toBe(2);
        seen.push(...body.data.map((a: AgentJson) => a.id));
        cursor = body.meta.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(5);
      expect([...seen].sort().reverse()).toEqual(seen);
      expect(seen.slice(0, 4)).toEqual([...team].reverse().map((a) => a.id));
    });

    it('filters by role and active', async () => {
      const admins = (await listOrg.get('/v1/agents?role=admin')).json();
      expect(admins.meta.total).toBe(2);
      expect(admins.data.every((a: AgentJson) => a.role === 'admin')).toBe(true);
      const inactive = (await listOrg.get('/v1/agents?active=false')).json();
      expect(inactive.data.map((a: AgentJson) => a.id)).toEqual([team[3]!.id]);
      const activeAgents = (await listOrg.get('/v1/agents?active=true&role=agent&limit=10')).json();
      expect(activeAgents.data.map((a: AgentJson) => a.id)).toEqual([team[2]!.id, team[0]!.id]);
    });

    it('bad list parameters → 400 naming them', async () => {
      expectFieldError(await listOrg.get('/v1/agents?role=owner'), 'role');
      expectFieldError(await listOrg.get('/v1/agents?active=maybe'), 'active');
      expectFieldError(await listOrg.get('/v1/agents?limit=2&page=1'), 'limit');
      expectFieldError(await listOrg.get('/v1/agents?sort=name'), 'sort');
    });

    it("get: 200 for a member, 404 for another org's agent or a nonsense id", async () => {
      const res = await listOrg.get(`/v1/agents/${team[1]!.id}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(team[1]);
      expectError(await admin.get(`/v1/agents/${team[1]!.id}`), 404, 'NOT_FOUND');
      expectError(await listOrg.get('/v1/agents/agent_00000000000000000000000000'), 404, 'NOT_FOUND');
      expectError(await listOrg.get(`/v1/agents/${'x'.repeat(101)}`), 404, 'NOT_FOUND');
      expectError(await listOrg.get('/v1/agents/bad%20id'), 404, 'NOT_FOUND');
    });
  });

  describe('update', () => {
    it('an admin changes roles; agent.updated records the change', async () => {
      const agent = await addAgent(admin);
      const res = await admin.patch(`/v1/agents/${agent.id}`, { role: 'admin' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ ...agent, role: 'admin' });
      const event = (await eventsOf('agent.updated')).find(
        (e) => (e.data.agent as AgentJson).id === agent.id,
      );
      expect(event?.data.changes).toEqual({ role: { from: 'agent', to: 'admin' } });
      expect(event?.data.passwordChanged).toBe(false);
    });

    it('an agent changes their own name but not their role nor anyone else', async () => {
      const me = await addAgent(admin, { name: 'Old Me' });
      const colleague = await addAgent(admin);
      const api = agentClient(t.app, (await session(t.app, me.email)).accessToken);
      const res = await api.patch(`/v1/agents/${me.id}`, { name: 'New Me' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().name).toBe('New Me');
      expectError(await api.patch(`/v1/agents/${me.id}`, { role: 'admin' }), 403, 'FORBIDDEN');
      expectError(await api.patch(`/v1/agents/${colleague.id}`, { name: 'Hacked' }), 403, 'FORBIDDEN');
      expectError(
        await api.patch(`/v1/agents/${colleague.id}`, { password: 'another password' }),
        403,
        'FORBIDDEN',
      );
      expect((await admin.get(`/v1/agents/${colleague.id}`)).json().name).toBe(colleague.name);
    });

    it('an agent changes their own password with currentPassword; their other sessions end', async () => {
      const me = await addAgent(admin);
      const current = await session(t.app, me.email);
      const elsewhere = await session(t.app, me.email);
      const api = agentClient(t.app, current.accessToken);
      const newPassword = 'a brand new passphrase';

      expectFieldError(await api.patch(`/v1/agents/${me.id}`, { password: newPassword }), 'currentPassword');
      expectFieldError(
        await api.patch(`/v1/agents/${me.id}`, { password: newPassword, currentPassword: 'wrong one' }),
        'currentPassword',
      );
      expectFieldError(
        await api.patch(`/v1/agents/${me.id}`, { password: 'short', currentPassword: PASSWORD }),
        'password',
      );
      const res = await api.patch(`/v1/agents/${me.id}`, {
        password: newPassword,
        currentPassword: PASSWORD,
      });
      expect(res.statusCode, res.body).toBe(200);

      expectError(await login(t.app, me.email, PASSWORD), 401, 'UNAUTHORIZED');
      expect((await login(t.app, me.email, newPassword)).statusCode).toBe(200);
      expect((await api.get('/v1/tickets')).statusCode).toBe(200);
      expectError(await agentClient(t.app, elsewhere.accessToken).get('/v1/tickets'), 401, 'UNAUTHORIZED');
      expectError(await postAuth(t.app, 'refresh', elsewhere.refreshToken), 401, 'UNAUTHORIZED');
      const event = (await eventsOf('agent.updated')).find((e) => (e.data.agent as AgentJson).id === me.id);
      expect(event?.data.passwordChanged).toBe(true);
      expect(JSON.stringify(event)).not.toContain(newPassword);
    });

    it('an admin sets the password of an agent of this org only, not of someone in other orgs too', async () => {
      const local = await addAgent(admin, { password: null });
      const res = await admin.patch(`/v1/agents/${local.id}`, { password: 'set by the admin' });
      expect(res.statusCode, res.body).toBe(200);
      expect((await login(t.app, local.email, 'set by the admin')).statusCode).toBe(200);

      const email = uniqueEmail('both');
      await addAgent(client(t.app, (await newOrg(t)).apiKey), { email });
      const shared = await joinByInvitation(t.app, admin, email);
      expectError(
        await admin.patch(`/v1/agents/${shared.id}`, { password: 'takeover attempt' }),
        403,
        'FORBIDDEN',
      );
      expectError(await admin.patch(`/v1/agents/${shared.id}`, { name: 'Renamed' }), 403, 'FORBIDDEN');
      expect((await admin.patch(`/v1/agents/${shared.id}`, { role: 'admin' })).statusCode).toBe(200);
      expect((await login(t.app, email, PASSWORD)).statusCode).toBe(200);
    });

    it('never demotes or deactivates the last active admin (409)', async () => {
      const org = await newOrg(t);
      const api = client(t.app, org.apiKey);
      const founder = org.admin.id;
      expectError(await api.patch(`/v1/agents/${founder}`, { role: 'agent' }), 409, 'CONFLICT');
      expectError(await api.post(`/v1/agents/${founder}/deactivate`), 409, 'CONFLICT');

      const second = await addAgent(api, { role: 'admin' });
      expect((await api.patch(`/v1/agents/${founder}`, { role: 'agent' })).statusCode).toBe(200);
      expectError(await api.post(`/v1/agents/${second.id}/deactivate`), 409, 'CONFLICT');
      // An admin agent can't demote themselves either when they are the last one.
      const boss = agentClient(t.app, (await session(t.app, second.email)).accessToken);
      expectError(await boss.patch(`/v1/agents/${second.id}`, { role: 'agent' }), 409, 'CONFLICT');
      const admins = (await api.get('/v1/agents?role=admin&active=true')).json();
      expect(admins.data.map((a: AgentJson) => a.id)).toEqual([second.id]);
    });

    it('bad input → 400; unknown or foreign agent → 404', async () => {
      const agent = await addAgent(admin);
      expectFieldError(await admin.patch(`/v1/agents/${agent.id}`, {}), '(root)');
      expectFieldError(await admin.patch(`/v1/agents/${agent.id}`, { email: 'x@y.test' }), 'email');
      expectFieldError(await admin.patch(`/v1/agents/${agent.id}`, { role: 'root' }), 'role');
      expectFieldError(await admin.patch(`/v1/agents/${agent.id}`, { name: '' }), 'name');
      const other = client(t.app, (await newOrg(t)).apiKey);
      expectError(await other.patch(`/v1/agents/${agent.id}`, { role: 'admin' }), 404, 'NOT_FOUND');
      expectError(await admin.patch('/v1/agents/agent_nope', { role: 'admin' }), 404, 'NOT_FOUND');
    });
  });

  describe('deactivate and reactivate', () => {
    it('deactivate → inactive (agent.deactivated); twice → 409; reactivate → active; twice → 409', async () => {
      const agent = await addAgent(admin);
      const res = await admin.post(`/v1/agents/${agent.id}/deactivate`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ ...agent, active: false });
      expectError(await admin.post(`/v1/agents/${agent.id}/deactivate`), 409, 'CONFLICT');
      const event = (await eventsOf('agent.deactivated')).find(
        (e) => (e.data.agent as AgentJson).id === agent.id,
      );
      expect(event?.data.agent).toEqual({ ...agent, active: false });
      expectError(await login(t.app, agent.email, PASSWORD), 401, 'UNAUTHORIZED');

      const back = await admin.post(`/v1/agents/${agent.id}/reactivate`);
      expect(back.statusCode, back.body).toBe(200);
      expect(back.json().active).toBe(true);
      expectError(await admin.post(`/v1/agents/${agent.id}/reactivate`), 409, 'CONFLICT');
      expect(
        (await eventsOf('agent.reactivated')).some((e) => (e.data.agent as AgentJson).id === agent.id),
      ).toBe(true);
    });

    it('a deactivated agent stays readable but cannot be assigned', async () => {
      const agent = await addAgent(admin);
      await admin.post(`/v1/agents/${agent.id}/deactivate`);
      expect((await admin.get(`/v1/agents/${agent.id}`)).json().active).toBe(false);
      const ticket = await admin.post('/v1/tickets', {
        subject: 'Assign me',
        customer: { email: 'c@example.com' },
        message: 'hi',
        assignedTo: agent.id,
      });
      expectFieldError(ticket, 'assignedTo');
    });

    it("another org's agent or an unknown id → 404", async () => {
      const other = await newOrg(t);
      expectError(await admin.post(`/v1/agents/${other.admin.id}/deactivate`), 404, 'NOT_FOUND');
      expectError(await admin.post('/v1/agents/agent_unknown/reactivate'), 404, 'NOT_FOUND');
      expect((await client(t.app, other.apiKey).get(`/v1/agents/${other.admin.id}`)).json().active).toBe(
        true,
      );
    });
  });
});
