/**
 * Cross-org enrolment (issue 15 item 2): an org's admin adding an email that already has a login
 * only invites that person. The answer leaks nothing (same as for a new email), the person's
 * tokens, login and default org are untouched until they accept; they list, accept, decline and
 * leave; admins remove members (never the last admin) and withdraw invitations.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg } from '../src/modules/orgs/orgs.service.js';
import { client, newOrg, startTestApp, type TestApp } from './support/app.js';
import {
  addAgent,
  agentClient,
  expectError,
  joinByInvitation,
  login,
  PASSWORD,
  session,
  uniqueEmail,
  type AgentJson,
} from './support/agents.js';
import { DIALECTS } from './support/databases.js';

interface InvitationJson {
  id: string;
  org: { id: string; name: string };
  role: string;
  createdAt: string;
}

describe.each(DIALECTS)('invitations (%s)', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(dialect);
  });
  afterAll(() => t.close());

  /** An org whose admin can log in (the support factory's admin has no password). */
  async function orgWithAdmin(name = 'Org A') {
    const email = uniqueEmail('admin');
    const created = await createOrg(t.database.db.kysely, {
      name,
      adminEmail: email,
      adminName: 'Alice Real',
      adminPassword: PASSWORD,
    });
    return { ...created, email, api: client(t.app, created.apiKey) };
  }

  function asPerson(accessToken: string) {
    return client(t.app, accessToken);
  }

  async function invitationsOf(accessToken: string): Promise<InvitationJson[]> {
    const res = await asPerson(accessToken).get('/v1/auth/invitations');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ data: InvitationJson[]; meta: { total: number } }>();
    expect(body.meta.total).toBe(body.data.length);
    return body.data;
  }

  /** The parts of a create answer that don't differ by nature (fresh id, clock, the email typed). */
  function comparable(res: LightMyRequestResponse) {
    const body = res.json<AgentJson>();
    return {
      status: res.statusCode,
      contentType: res.headers['content-type'],
      keys: Object.keys(body),
      idShape: body.id.replace(/[0-9a-z]{26}$/, '<ulid>'),
      rest: { ...body, id: undefined, createdAt: undefined, email: body.email.split('@')[1] },
    };
  }

  it("the attack: org B's key adding A's admin leaks nothing and changes nothing for A's admin", async () => {
    const a = await orgWithAdmin('Org A');
    const b = await newOrg(t, 'Org B');
    const bApi = client(t.app, b.apiKey);
    const before = await session(t.app, a.email);

    const res = await bApi.post('/v1/agents', {
      email: a.email,
      name: 'Chosen By B',
      role: 'admin',
      password: 'attacker chosen password',
    });
    expect(res.statusCode, res.body).toBe(201);
    const record = res.json<AgentJson>();
    expect(record).toMatchObject({ email: a.email, name: 'Chosen By B', role: 'admin', active: true });
    expect(record.id).not.toBe(a.admin.id);
    expect(res.body).not.toContain(a.admin.id);
    expect(res.body).not.toContain('Alice Real');
    // B's reads show only what B typed, too.
    const listed = (await bApi.get('/v1/agents?per_page=100')).json<{ data: AgentJson[] }>().data;
    expect(listed.find((x) => x.id === record.id)).toEqual(record);
    expect(JSON.stringify(listed)).not.toContain(a.admin.id);
    expect((await bApi.get(`/v1/agents/${record.id}`)).json()).toEqual(record);
    expectError(await bApi.get(`/v1/agents/${a.admin.id}`), 404, 'NOT_FOUND');
    // B's admin can't reach the account through the record either.
    expect((await bApi.patch(`/v1/agents/${record.id}`, { password: 'another takeover' })).statusCode).toBe(
      200,
    );
    expect((await bApi.patch(`/v1/agents/${record.id}`, { name: 'Renamed By B' })).statusCode).toBe(200);
    const events = (await bApi.get('/v1/events?types=agent.created,agent.updated')).body;
    expect(events).not.toContain(a.admin.id);
    expect(events).not.toContain('Alice Real');

    // A's admin: same password, same name, one org, the old token works without X-Organization-Id.
    expectError(await login(t.app, a.email, 'attacker chosen password'), 401, 'UNAUTHORIZED');
    expectError(await login(t.app, a.email, 'another takeover'), 401, 'UNAUTHORIZED');
    const after = await session(t.app, a.email);
    expect(after.orgs.map((o) => o.id)).toEqual([a.org.id]);
    expect(after.agent.name).toBe('Alice Real');
    const old = agentClient(t.app, before.accessToken);
    expect((await old.get('/v1/tickets')).statusCode).toBe(200);
    const self = await old.patch(`/v1/agents/${a.admin.id}`, { name: 'Alice Still' });
    expect(self.statusCode, self.body).toBe(200);
    const colleague = await addAgent(old);
    expect((await old.patch(`/v1/agents/${colleague.id}`, { password: 'set by A admin' })).statusCode).toBe(
      200,
    );
    // The pending invitation is theirs to answer.
    const pending = await invitationsOf(before.accessToken);
    expect(pending).toEqual([
      { id: record.id, org: { id: b.org.id, name: 'Org B' }, role: 'admin', createdAt: record.createdAt },
    ]);
  });

  it('the answer for an email with a login is the same as for a new one, and so is a repeat (409)', async () => {
    const a = await orgWithAdmin();
    const b = client(t.app, (await newOrg(t)).apiKey);
    const fresh = uniqueEmail('nobody');
    const fields = { name: 'Same Name', role: 'agent', password: 'the same password' };
    const known = await b.post('/v1/agents', { email: a.email, ...fields });
    const unknown = await b.post('/v1/agents', { email: fresh, ...fields });
    expect(comparable(known)).toEqual(comparable(unknown));
    expect(comparable(known).rest).toEqual({
      name: 'Same Name',
      role: 'agent',
      active: true,
      email: 'agents.test',
    });

    const again = [
      await b.post('/v1/agents', { email: a.email, ...fields }),
      await b.post('/v1/agents', { email: fresh, ...fields }),
    ].map((r) => {
      const error = expectError(r, 409, 'CONFLICT');
      return error.message.replace(/\S+@\S+/, '<email>').replace(/agent_\w+/, '<id>');
    });
    expect(again[0]).toBe(again[1]);

    // Without a password, too.
    const bare = [
      await b.post('/v1/agents', { email: (await orgWithAdmin()).email }),
      await b.post('/v1/agents', { email: uniqueEmail('nobody') }),
    ];
    expect(comparable(bare[0]!).keys).toEqual(comparable(bare[1]!).keys);
    expect(bare.map((r) => r.statusCode)).toEqual([201, 201]);
  });

  it('accept: the person joins with the role B chose; B then sees them; two orgs need the header', async () => {
    const a = await orgWithAdmin();
    const b = await newOrg(t, 'Org Accept');
    const bApi = client(t.app, b.apiKey);
    const record = (
      await bApi.post('/v1/agents', { email: a.email, name: 'Typed', role: 'admin' })
    ).json<AgentJson>();
    const s = await session(t.app, a.email);

    const res = await asPerson(s.accessToken).post(`/v1/auth/invitations/${record.id}/accept`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ id: b.org.id, name: 'Org Accept', role: 'admin', active: true });
    expect(await invitationsOf(s.accessToken)).toEqual([]);
    expectError(
      await asPerson(s.accessToken).post(`/v1/auth/invitations/${record.id}/accept`),
      404,
      'NOT_FOUND',
    );

    expectError(await bApi.get(`/v1/agents/${record.id}`), 404, 'NOT_FOUND');
    const member = (await bApi.get(`/v1/agents/${a.admin.id}`)).json<AgentJson>();
    expect(member).toMatchObject({ id: a.admin.id, name: 'Alice Real', role: 'admin', active: true });
    const joined = (await bApi.get('/v1/events?types=agent.joined')).json<{
      data: Array<{ data: { agent: AgentJson } }>;
    }>();
    expect(joined.data.map((e) => e.data.agent.id)).toContain(a.admin.id);

    expect((await session(t.app, a.email)).orgs.map((o) => o.id).sort()).toEqual([a.org.id, b.org.id].sort());
    expectError(await agentClient(t.app, s.accessToken).get('/v1/tickets'), 400, 'BAD_REQUEST');
    expect((await agentClient(t.app, s.accessToken, b.org.id).get('/v1/api-keys')).statusCode).toBe(200);
    // B's admin manages only the org's part of a person who is also in A.
    expectError(await bApi.patch(`/v1/agents/${a.admin.id}`, { name: 'Nope' }), 403, 'FORBIDDEN');
    expect((await bApi.patch(`/v1/agents/${a.admin.id}`, { role: 'agent' })).statusCode).toBe(200);
  });

  it("decline: the invitation and B's record are gone; B may invite again", async () => {
    const a = await orgWithAdmin();
    const b = client(t.app, (await newOrg(t)).apiKey);
    const record = (await b.post('/v1/agents', { email: a.email })).json<AgentJson>();
    const s = await session(t.app, a.email);
    const res = await asPerson(s.accessToken).post(`/v1/auth/invitations/${record.id}/decline`);
    expect(res.statusCode, res.body).toBe(204);
    expect(await invitationsOf(s.accessToken)).toEqual([]);
    expectError(await b.get(`/v1/agents/${record.id}`), 404, 'NOT_FOUND');
    expectError(
      await asPerson(s.accessToken).post(`/v1/auth/invitations/${record.id}/accept`),
      404,
      'NOT_FOUND',
    );
    expect((await session(t.app, a.email)).orgs).toHaveLength(1);
    expect((await b.post('/v1/agents', { email: a.email })).statusCode).toBe(201);
  });

  it('a person can answer only their own invitations; these routes take an access token', async () => {
    const a = await orgWithAdmin();
    const c = await orgWithAdmin();
    const b = client(t.app, (await newOrg(t)).apiKey);
    const forA = (await b.post('/v1/agents', { email: a.email })).json<AgentJson>();
    const cToken = (await session(t.app, c.email)).accessToken;
    expectError(await asPerson(cToken).post(`/v1/auth/invitations/${forA.id}/accept`), 404, 'NOT_FOUND');
    expectError(await asPerson(cToken).post(`/v1/auth/invitations/${forA.id}/decline`), 404, 'NOT_FOUND');
    expectError(await asPerson(cToken).post('/v1/auth/invitations/bad%20id/accept'), 404, 'NOT_FOUND');
    expectError(await client(t.app, undefined).get('/v1/auth/invitations'), 401, 'UNAUTHORIZED');
    expectError(await client(t.app, a.apiKey).get('/v1/auth/invitations'), 401, 'UNAUTHORIZED');
    expectError(await client(t.app, 'a.b.c').get('/v1/auth/invitations'), 401, 'UNAUTHORIZED');
    expect(await invitationsOf((await session(t.app, a.email)).accessToken)).toHaveLength(1);
  });

  it('a pending invitation B deactivated gives an inactive membership on accept', async () => {
    const a = await orgWithAdmin();
    const b = await newOrg(t);
    const bApi = client(t.app, b.apiKey);
    const record = (await bApi.post('/v1/agents', { email: a.email })).json<AgentJson>();
    const off = await bApi.post(`/v1/agents/${record.id}/deactivate`);
    expect(off.json()).toEqual({ ...record, active: false });
    const s = await session(t.app, a.email);
    const res = await asPerson(s.accessToken).post(`/v1/auth/invitations/${record.id}/accept`);
    expect(res.json()).toMatchObject({ id: b.org.id, active: false });
    // Still one active org: no header needed.
    expect((await agentClient(t.app, s.accessToken).get('/v1/tickets')).statusCode).toBe(200);
  });

  it('at the same moment: two invitations of one person → one 201 and one 409; accept and decline → one wins', async () => {
    const a = await orgWithAdmin();
    const b = client(t.app, (await newOrg(t)).apiKey);
    const both = await Promise.all([
      b.post('/v1/agents', { email: a.email, name: 'One' }),
      b.post('/v1/agents', { email: a.email.toUpperCase(), name: 'Two' }),
    ]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const record = both.find((r) => r.statusCode === 201)!.json<AgentJson>();
    const token = (await session(t.app, a.email)).accessToken;
    const answers = await Promise.all([
      asPerson(token).post(`/v1/auth/invitations/${record.id}/accept`),
      asPerson(token).post(`/v1/auth/invitations/${record.id}/decline`),
    ]);
    const statuses = answers.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 404)).toHaveLength(1);
    const joined = statuses[0] === 200;
    expect((await session(t.app, a.email)).orgs).toHaveLength(joined ? 2 : 1);
    const listed = (await b.get('/v1/agents?per_page=100')).json<{ data: AgentJson[] }>().data;
    expect(listed.filter((x) => x.email.toLowerCase() === a.email.toLowerCase())).toHaveLength(
      joined ? 1 : 0,
    );
  });

  describe('removal', () => {
    it('DELETE /v1/agents/:id takes the person out of B only; A and the account stay', async () => {
      const a = await orgWithAdmin();
      const b = client(t.app, (await newOrg(t)).apiKey);
      const member = await joinByInvitation(t.app, b, a.email);
      const s = await session(t.app, a.email);
      expect(s.orgs).toHaveLength(2);

      const res = await b.delete(`/v1/agents/${member.id}`);
      expect(res.statusCode, res.body).toBe(204);
      expectError(await b.get(`/v1/agents/${member.id}`), 404, 'NOT_FOUND');
      expectError(await b.delete(`/v1/agents/${member.id}`), 404, 'NOT_FOUND');
      const removed = (await b.get('/v1/events?types=agent.removed')).json<{
        data: Array<{ data: { agent: AgentJson } }>;
      }>();
      expect(removed.data.map((e) => e.data.agent.id)).toContain(member.id);
      expect((await session(t.app, a.email)).orgs.map((o) => o.id)).toEqual([a.org.id]);
      // The same token needs no header again.
      expect((await agentClient(t.app, s.accessToken).get('/v1/tickets')).statusCode).toBe(200);
    });

    it('withdraws a pending invitation', async () => {
      const a = await orgWithAdmin();
      const b = client(t.app, (await newOrg(t)).apiKey);
      const record = (await b.post('/v1/agents', { email: a.email })).json<AgentJson>();
      expect((await b.delete(`/v1/agents/${record.id}`)).statusCode).toBe(204);
      expect(await invitationsOf((await session(t.app, a.email)).accessToken)).toEqual([]);
    });

    it('the last active admin → 409; a plain agent → 403; unknown → 404', async () => {
      const a = await orgWithAdmin();
      expectError(await a.api.delete(`/v1/agents/${a.admin.id}`), 409, 'CONFLICT');
      const plain = await addAgent(a.api);
      const plainApi = agentClient(t.app, (await session(t.app, plain.email)).accessToken);
      expectError(await plainApi.delete(`/v1/agents/${a.admin.id}`), 403, 'FORBIDDEN');
      expectError(await a.api.delete('/v1/agents/agent_00000000000000000000000000'), 404, 'NOT_FOUND');
      const other = await newOrg(t);
      expectError(await a.api.delete(`/v1/agents/${other.admin.id}`), 404, 'NOT_FOUND');
      // With a second admin the first may go; with no org (nor invitation) left, their login fails.
      await addAgent(a.api, { role: 'admin' });
      expect((await a.api.delete(`/v1/agents/${a.admin.id}`)).statusCode).toBe(204);
      expectError(await login(t.app, a.email, PASSWORD), 401, 'UNAUTHORIZED');
    });

    it('a person leaves an org themselves; the last admin cannot (409)', async () => {
      const a = await orgWithAdmin();
      const b = await newOrg(t);
      await joinByInvitation(t.app, client(t.app, b.apiKey), a.email);
      const token = (await session(t.app, a.email)).accessToken;
      expectError(await asPerson(token).post(`/v1/auth/orgs/${a.org.id}/leave`), 409, 'CONFLICT');
      const left = await asPerson(token).post(`/v1/auth/orgs/${b.org.id}/leave`);
      expect(left.statusCode, left.body).toBe(204);
      expectError(await asPerson(token).post(`/v1/auth/orgs/${b.org.id}/leave`), 404, 'NOT_FOUND');
      expectError(await asPerson(token).post('/v1/auth/orgs/org_nope/leave'), 404, 'NOT_FOUND');
      expect((await session(t.app, a.email)).orgs.map((o) => o.id)).toEqual([a.org.id]);
    });

    it('a person with no org left but an invitation may log in to accept it', async () => {
      const a = await orgWithAdmin();
      await addAgent(a.api, { role: 'admin' });
      expect((await a.api.delete(`/v1/agents/${a.admin.id}`)).statusCode).toBe(204);
      const b = client(t.app, (await newOrg(t)).apiKey);
      const record = (await b.post('/v1/agents', { email: a.email })).json<AgentJson>();
      const s = await session(t.app, a.email);
      expect(s.orgs).toEqual([]);
      expectError(await agentClient(t.app, s.accessToken).get('/v1/tickets'), 401, 'UNAUTHORIZED');
      expect(
        (await asPerson(s.accessToken).post(`/v1/auth/invitations/${record.id}/accept`)).statusCode,
      ).toBe(200);
      expect((await agentClient(t.app, s.accessToken).get('/v1/tickets')).statusCode).toBe(200);
    });
  });

  it('the new routes are in the OpenAPI document with a schema for every response', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>();
    for (const [path, method] of [
      ['/v1/auth/invitations', 'get'],
      ['/v1/auth/invitations/{id}/accept', 'post'],
      ['/v1/auth/invitations/{id}/decline', 'post'],
      ['/v1/auth/orgs/{orgId}/leave', 'post'],
      ['/v1/agents/{id}', 'delete'],
    ] as const) {
      const responses = doc.paths[path]?.[method]?.responses;
      expect(responses, `${method} ${path}`).toBeDefined();
      expect(Object.keys(responses!)).toContain('401');
    }
  });
});
