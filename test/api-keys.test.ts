/**
 * /v1/api-keys: create (secret shown once, scopes, rate limit, expiry), list (no secrets, both
 * paging modes), get, revoke, expiry at authentication, who may manage keys, and events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, newOrg, startTestApp, ticketBody, type Client, type TestApp } from './support/app.js';
import { addAgent, agentClient, expectError, expectFieldError, session } from './support/agents.js';
import { DIALECTS } from './support/databases.js';

interface KeyJson {
  id: string;
  orgId: string;
  kind: string;
  name: string;
  prefix: string;
  scope: string;
  rateLimit: number | null;
  publicKey: string | null;
  status: string;
  expiresAt: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  key?: string;
}

const SHOWN_FIELDS = [
  'createdAt',
  'expiresAt',
  'id',
  'kind',
  'lastUsedAt',
  'name',
  'orgId',
  'prefix',
  'publicKey',
  'rateLimit',
  'revokedAt',
  'scope',
  'status',
];

describe.each(DIALECTS)('API keys over HTTP (%s)', (dialect) => {
  let t: TestApp;
  let admin: Client;
  let orgId: string;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    const org = await newOrg(t);
    orgId = org.org.id;
    admin = client(t.app, org.apiKey);
  });
  afterAll(() => t.close());

  it('create → 201 with the key shown once; the key works; the list never shows it again', async () => {
    const res = await admin.post('/v1/api-keys', { name: 'Zapier', scope: 'write', rateLimit: 7 });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json<KeyJson>();
    expect(Object.keys(created).sort()).toEqual([...SHOWN_FIELDS, 'key'].sort());
    expect(created).toMatchObject({
      orgId,
      kind: 'secret',
      name: 'Zapier',
      scope: 'write',
      rateLimit: 7,
      status: 'active',
      publicKey: null,
      expiresAt: null,
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(created.key).toMatch(/^talki_sk_/);
    expect(created.key!.startsWith(created.prefix)).toBe(true);

    const used = await client(t.app, created.key).get('/v1/tickets');
    expect(used.statusCode).toBe(200);
    expect(used.headers['x-ratelimit-limit']).toBe('7');

    const list = await admin.get('/v1/api-keys?per_page=100');
    expect(list.statusCode, list.body).toBe(200);
    expect(list.body).not.toContain(created.key);
    const listed = list.json<{ data: KeyJson[] }>().data.find((k) => k.id === created.id)!;
    expect(Object.keys(listed).sort()).toEqual(SHOWN_FIELDS);
    expect(listed.lastUsedAt).not.toBeNull();
    const single = await admin.get(`/v1/api-keys/${created.id}`);
    expect(single.statusCode).toBe(200);
    expect(single.body).not.toContain(created.key);

    const events = (await admin.get('/v1/events?types=api_key.created')).json();
    const event = events.data.find((e: { subjectId?: string; data: KeyJson }) => e.data.id === created.id);
    expect(event.data.name).toBe('Zapier');
    expect(JSON.stringify(events)).not.toContain(created.key);
  });

  it('a read key can GET but not write', async () => {
    const reader = (await admin.post('/v1/api-keys', { name: 'Reports', scope: 'read' })).json<KeyJson>();
    const api = client(t.app, reader.key);
    expect((await api.get('/v1/tickets')).statusCode).toBe(200);
    expectError(await api.post('/v1/tickets', ticketBody()), 403, 'FORBIDDEN');
    expectError(await api.get('/v1/api-keys'), 403, 'FORBIDDEN');
  });

  it('lists the org’s keys newest first in both paging modes, widget key included with its public key', async () => {
    const org = await newOrg(t);
    const api = client(t.app, org.apiKey);
    const made: string[] = [];
    for (const name of ['one', 'two', 'three']) {
      made.push((await api.post('/v1/api-keys', { name, scope: 'read' })).json<KeyJson>().id);
    }
    const page = (await api.get('/v1/api-keys?per_page=2')).json();
    expect(page.meta).toEqual({ total: 5, page: 1, perPage: 2 });
    expect(page.data.map((k: KeyJson) => k.id)).toEqual([made[2], made[1]]);
    const widget = (await api.get('/v1/api-keys?page=3&per_page=2')).json().data;
    expect(widget.map((k: KeyJson) => k.kind).sort()).toEqual(['secret']);

    const seen: KeyJson[] = [];
    let cursor: string | null = null;
    do {
      const body: { data: KeyJson[]; meta: { nextCursor: string | null } } = (
        await api.get(`/v1/api-keys?limit=2${cursor ? `&startingAfter=${cursor}` : ''}`)
      ).json();
      seen.push(...body.data);
      cursor = body.meta.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(seen.every((k) => k.orgId === org.org.id)).toBe(true);
    const widgetKey = seen.find((k) => k.kind === 'widget')!;
    expect(widgetKey.publicKey).toBe(org.widgetKey);
    expect(seen.filter((k) => k.kind === 'secret').every((k) => k.publicKey === null)).toBe(true);
    expect(JSON.stringify(seen)).not.toContain(org.apiKey);
  });

  it('revoke → 200 with revokedAt; the key gets 401 at once; revoking again → 409', async () => {
    const key = (await admin.post('/v1/api-keys', { name: 'Temp', scope: 'write' })).json<KeyJson>();
    const api = client(t.app, key.key);
    expect((await api.get('/v1/tickets')).statusCode).toBe(200);
    const res = await admin.post(`/v1/api-keys/${key.id}/revoke`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: key.id, status: 'revoked', revokedAt: expect.any(String) });
    expectError(await api.get('/v1/tickets'), 401, 'UNAUTHORIZED');
    expectError(await admin.post(`/v1/api-keys/${key.id}/revoke`), 409, 'CONFLICT');
    const events = (await admin.get('/v1/events?types=api_key.revoked')).json();
    expect(events.data.some((e: { data: KeyJson }) => e.data.id === key.id)).toBe(true);
  });

  it("another org's key or an unknown id → 404, and nothing is revoked", async () => {
    const other = await newOrg(t);
    const theirs = (
      await client(t.app, other.apiKey).post('/v1/api-keys', { name: 'Theirs', scope: 'write' })
    ).json<KeyJson>();
    expectError(await admin.post(`/v1/api-keys/${theirs.id}/revoke`), 404, 'NOT_FOUND');
    expectError(await admin.get(`/v1/api-keys/${theirs.id}`), 404, 'NOT_FOUND');
    expectError(await admin.post('/v1/api-keys/key_unknown/revoke'), 404, 'NOT_FOUND');
    expectError(await admin.get('/v1/api-keys/no%20such'), 404, 'NOT_FOUND');
    expect((await client(t.app, theirs.key).get('/v1/tickets')).statusCode).toBe(200);
  });

  it('expiry: a future expiresAt is kept; once past, the key gets 401 saying it expired, and lists as expired', async () => {
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const res = await admin.post('/v1/api-keys', { name: 'Short-lived', scope: 'write', expiresAt });
    expect(res.statusCode, res.body).toBe(201);
    const key = res.json<KeyJson>();
    expect(key.expiresAt).toBe(expiresAt);
    expect((await client(t.app, key.key).get('/v1/tickets')).statusCode).toBe(200);

    // Time passes: the expiry moves into the past.
    await t.database.db.kysely
      .updateTable('api_keys')
      .set({ expires_at: Date.now() - 1000 })
      .where('id', '=', key.id)
      .execute();
    const after = await client(t.app, key.key).get('/v1/tickets');
    expect(expectError(after, 401, 'UNAUTHORIZED').message).toMatch(/expired/);
    expect((await admin.get(`/v1/api-keys/${key.id}`)).json().status).toBe('expired');
  });

  it('rejects bad input with a 400 naming the field', async () => {
    const past = new Date(Date.now() - 60_000).toISOString();
    expectFieldError(
      await admin.post('/v1/api-keys', { name: 'x', scope: 'write', expiresAt: past }),
      'expiresAt',
    );
    expectFieldError(
      await admin.post('/v1/api-keys', { name: 'x', scope: 'write', expiresAt: 'tomorrow' }),
      'expiresAt',
    );
    expectFieldError(await admin.post('/v1/api-keys', { name: 'x', scope: 'admin' }), 'scope');
    expectFieldError(await admin.post('/v1/api-keys', { name: '  ', scope: 'read' }), 'name');
    expectFieldError(await admin.post('/v1/api-keys', { scope: 'read' }), 'name');
    expectFieldError(
      await admin.post('/v1/api-keys', { name: 'x', scope: 'read', rateLimit: -1 }),
      'rateLimit',
    );
    expectFieldError(
      await admin.post('/v1/api-keys', { name: 'x', scope: 'read', rateLimit: 2.5 }),
      'rateLimit',
    );
    expectFieldError(await admin.post('/v1/api-keys', { name: 'x', scope: 'read', kind: 'widget' }), 'kind');
    expectFieldError(await admin.get('/v1/api-keys?per_page=0'), 'per_page');
  });

  it('plain agents → 403 on every key route; admin agents manage keys', async () => {
    const plain = await addAgent(admin, { role: 'agent' });
    const api = agentClient(t.app, (await session(t.app, plain.email)).accessToken);
    const someKey = (await admin.post('/v1/api-keys', { name: 'Target', scope: 'read' })).json<KeyJson>();
    expectError(await api.get('/v1/api-keys'), 403, 'FORBIDDEN');
    expectError(await api.get(`/v1/api-keys/${someKey.id}`), 403, 'FORBIDDEN');
    expectError(await api.post('/v1/api-keys', { name: 'Mine', scope: 'write' }), 403, 'FORBIDDEN');
    expectError(await api.post(`/v1/api-keys/${someKey.id}/revoke`), 403, 'FORBIDDEN');
    expect((await client(t.app, someKey.key).get('/v1/tickets')).statusCode).toBe(200);

    const boss = await addAgent(admin, { role: 'admin' });
    const bossApi = agentClient(t.app, (await session(t.app, boss.email)).accessToken);
    const made = await bossApi.post('/v1/api-keys', { name: 'By an admin', scope: 'read' });
    expect(made.statusCode, made.body).toBe(201);
    const events = (await admin.get('/v1/events?types=api_key.created')).json();
    const event = events.data.find((e: { data: KeyJson }) => e.data.id === made.json().id);
    expect(event.actor).toEqual({ type: 'agent', id: boss.id });
  });
});
