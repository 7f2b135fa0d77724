/**
 * GET/PATCH /v1/org: the settings shape, validation of each setting, admin-only changes, the
 * org.updated event, and the org's default rate limit applied to keys and agents.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, newOrg, startTestApp, type Client, type TestApp } from './support/app.js';
import { addAgent, agentClient, expectError, expectFieldError, session } from './support/agents.js';
import { DIALECTS } from './support/databases.js';

describe.each(DIALECTS)('organization settings (%s)', (dialect) => {
  let t: TestApp;
  let admin: Client;
  let orgId: string;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    const org = await newOrg(t, 'Acme Support');
    orgId = org.org.id;
    admin = client(t.app, org.apiKey);
  });
  afterAll(() => t.close());

  it('GET /v1/org shows the settings to admins; read keys and plain agents get 403', async () => {
    const res = await admin.get('/v1/org');
    expect(res.statusCode, res.body).toBe(200);
    const org = res.json();
    expect(Object.keys(org).sort()).toEqual(
      [
        'codePrefix',
        'createdAt',
        'defaultRateLimit',
        'id',
        'name',
        'supportName',
        'timeZone',
        'updatedAt',
      ].sort(),
    );
    expect(org).toMatchObject({ id: orgId, name: 'Acme Support', defaultRateLimit: null, timeZone: 'UTC' });
    expect(org.codePrefix).toMatch(/^[A-Z0-9]{2,10}$/);

    const reader = (await admin.post('/v1/api-keys', { name: 'r', scope: 'read' })).json().key as string;
    expect((await client(t.app, reader).get('/v1/org')).statusCode).toBe(403);
    const plain = await addAgent(admin);
    const agentApi = agentClient(t.app, (await session(t.app, plain.email)).accessToken);
    expect((await agentApi.get('/v1/org')).statusCode).toBe(403);
    const other = await newOrg(t, 'Other Co');
    expect((await client(t.app, other.apiKey).get('/v1/org')).json().id).toBe(other.org.id);
  });

  it('PATCH changes only what is sent, canonicalises the time zone, and records org.updated', async () => {
    const before = (await admin.get('/v1/org')).json();
    const res = await admin.patch('/v1/org', { codePrefix: 'HELP', timeZone: 'europe/paris' });
    expect(res.statusCode, res.body).toBe(200);
    const after = res.json();
    expect(after).toMatchObject({ name: before.name, codePrefix: 'HELP', timeZone: 'Europe/Paris' });
    expect(after.updatedAt > before.updatedAt).toBe(true);
    expect((await admin.get('/v1/org')).json()).toEqual(after);

    const events = (await admin.get('/v1/events?types=org.updated')).json().data;
    const last = events.at(-1);
    expect(last.data.org).toEqual(after);
    expect(last.data.changes).toEqual({
      codePrefix: { from: before.codePrefix, to: 'HELP' },
      timeZone: { from: 'UTC', to: 'Europe/Paris' },
    });

    const same = await admin.patch('/v1/org', { codePrefix: 'HELP' });
    expect(same.json()).toEqual(after);
    expect((await admin.get('/v1/events?types=org.updated')).json().data).toHaveLength(events.length);

    const renamed = await admin.patch('/v1/org', { name: '  Acme Help Desk  ' });
    expect(renamed.json().name).toBe('Acme Help Desk');
  });

  it('rejects invalid settings with a 400 naming the field, changing nothing', async () => {
    const before = (await admin.get('/v1/org')).json();
    for (const prefix of ['help', 'A', 'ABCDEFGHIJK', 'AC-ME', 'ÄBC', '']) {
      expectFieldError(await admin.patch('/v1/org', { codePrefix: prefix }), 'codePrefix');
    }
    for (const zone of ['Mars/Olympus_Mons', 'UTC+25', 'Not a zone', '']) {
      expectFieldError(await admin.patch('/v1/org', { timeZone: zone }), 'timeZone');
    }
    for (const limit of [-1, 1.5, '100', 2_000_000]) {
      expectFieldError(await admin.patch('/v1/org', { defaultRateLimit: limit }), 'defaultRateLimit');
    }
    expectFieldError(await admin.patch('/v1/org', { name: '   ' }), 'name');
    expectFieldError(await admin.patch('/v1/org', { id: 'org_other' }), 'id');
    expectFieldError(await admin.patch('/v1/org', {}), '(root)');
    expectFieldError(
      await admin.patch('/v1/org', { timeZone: 'Asia/Tokyo', codePrefix: 'bad' }),
      'codePrefix',
    );
    expect((await admin.get('/v1/org')).json()).toEqual(before);
  });

  it('only admins change settings: plain agents and read keys → 403', async () => {
    const plain = await addAgent(admin);
    const agentApi = agentClient(t.app, (await session(t.app, plain.email)).accessToken);
    expectError(await agentApi.patch('/v1/org', { name: 'Taken over' }), 403, 'FORBIDDEN');
    const reader = (await admin.post('/v1/api-keys', { name: 'r', scope: 'read' })).json().key as string;
    expectError(await client(t.app, reader).patch('/v1/org', { name: 'Taken over' }), 403, 'FORBIDDEN');
    const boss = await addAgent(admin, { role: 'admin' });
    const bossApi = agentClient(t.app, (await session(t.app, boss.email)).accessToken);
    const res = await bossApi.patch('/v1/org', { timeZone: 'America/New_York' });
    expect(res.statusCode, res.body).toBe(200);
    const event = (await admin.get('/v1/events?types=org.updated')).json().data.at(-1);
    expect(event.actor).toEqual({ type: 'agent', id: boss.id });
  });

  it("the default rate limit applies to keys without their own and to agents; a key's own limit wins", async () => {
    const org = await newOrg(t);
    const defaultKey = client(t.app, org.apiKey);
    expect((await defaultKey.get('/v1/tickets')).headers['x-ratelimit-limit']).toBe('300');
    // Set up with a key of its own unlimited budget, so the checks below count only their own requests.
    const unlimitedKey = (
      await defaultKey.post('/v1/api-keys', { name: 'Ops', scope: 'write', rateLimit: 0 })
    ).json();
    const api = client(t.app, unlimitedKey.key as string);
    expect((await api.patch('/v1/org', { defaultRateLimit: 3 })).json().defaultRateLimit).toBe(3);
    expect((await defaultKey.get('/v1/tickets')).headers['x-ratelimit-limit']).toBe('3');

    const fresh = (await api.post('/v1/api-keys', { name: 'Default limit', scope: 'read' })).json()
      .key as string;
    const limited = client(t.app, fresh);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await limited.get('/v1/tickets')).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);

    const own = (await api.post('/v1/api-keys', { name: 'Own', scope: 'read', rateLimit: 10 })).json()
      .key as string;
    expect((await client(t.app, own).get('/v1/tickets')).headers['x-ratelimit-limit']).toBe('10');

    const agent = await addAgent(api);
    const agentApi = agentClient(t.app, (await session(t.app, agent.email)).accessToken);
    const first = await agentApi.get('/v1/tickets');
    expect(first.headers['x-ratelimit-limit']).toBe('3');
    await agentApi.get('/v1/tickets');
    await agentApi.get('/v1/tickets');
    const blocked = await agentApi.get('/v1/tickets');
    expectError(blocked, 429, 'TOO_MANY_REQUESTS');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);

    // Back to the server default (null), and 0 = unlimited.
    expect((await api.patch('/v1/org', { defaultRateLimit: null })).json().defaultRateLimit).toBeNull();
    const another = (await api.post('/v1/api-keys', { name: 'Server default', scope: 'read' })).json().key;
    expect((await client(t.app, another as string).get('/v1/tickets')).headers['x-ratelimit-limit']).toBe(
      '300',
    );
    expect((await api.patch('/v1/org', { defaultRateLimit: 0 })).statusCode).toBe(200);
    const noLimit = await client(t.app, another as string).get('/v1/tickets');
    expect(noLimit.statusCode).toBe(200);
    expect(noLimit.headers['x-ratelimit-limit']).toBeUndefined();
  });
});
