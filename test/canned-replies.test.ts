import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, newOrg, startTestApp, type Client, type TestApp } from './support/app.js';
import { addAgent, agentClient, expectError, session } from './support/agents.js';
import { DIALECTS } from './support/databases.js';

interface CannedJson {
  id: string;
  shortcut: string;
  title: string;
  body: string;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

describe.each(DIALECTS)('canned replies (%s)', (dialect) => {
  let t: TestApp;
  let api: Client;
  let readOnly: Client;
  let agent: Client;
  let agentId: string;
  let other: Client;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    const org = await newOrg(t);
    api = client(t.app, org.apiKey);
    const key = await api.post('/v1/api-keys', { name: 'reader', scope: 'read' });
    expect(key.statusCode, key.body).toBe(201);
    readOnly = client(t.app, key.json<{ key: string }>().key);
    const plain = await addAgent(api, { role: 'agent' });
    agentId = plain.id;
    agent = agentClient(t.app, (await session(t.app, plain.email)).accessToken);
    other = client(t.app, (await newOrg(t)).apiKey);
  });
  afterAll(() => t.close());

  const body = {
    shortcut: 'refund-policy',
    title: 'Refund policy',
    body: 'Hi {{customer.name}}, refunds take 5–7 days. Ticket {{ticket.code}}. — {{agent.name}}',
  };

  it('creates, reads, updates and deletes, keeping placeholders as written', async () => {
    const created = await agent.post('/v1/canned-replies', body);
    expect(created.statusCode, created.body).toBe(201);
    const reply = created.json<CannedJson>();
    expect(reply).toEqual({
      id: expect.stringMatching(/^canned_[0-9a-z]+$/),
      ...body,
      createdBy: agentId,
      createdAt: expect.any(String),
      updatedAt: reply.createdAt,
    });
    expect((await readOnly.get(`/v1/canned-replies/${reply.id}`)).json()).toEqual(reply);

    const patched = await api.patch(`/v1/canned-replies/${reply.id}`, { title: '  Refunds  ' });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ shortcut: 'refund-policy', title: 'Refunds', body: body.body });

    const byKey = (await api.post('/v1/canned-replies', { ...body, shortcut: 'by-key' })).json<CannedJson>();
    expect(byKey.createdBy).toBeNull();

    expect((await agent.delete(`/v1/canned-replies/${reply.id}`)).statusCode).toBe(204);
    expectError(await api.get(`/v1/canned-replies/${reply.id}`), 404, 'NOT_FOUND');
    expectError(await api.delete(`/v1/canned-replies/${reply.id}`), 404, 'NOT_FOUND');

    const types = (
      await api.get(
        '/v1/events?types=canned_reply.created,canned_reply.updated,canned_reply.deleted&limit=100',
      )
    )
      .json<{ data: Array<{ type: string; data: { cannedReply: { id: string } } }> }>()
      .data.filter((e) => e.data.cannedReply.id === reply.id)
      .map((e) => e.type);
    expect(types).toEqual(['canned_reply.created', 'canned_reply.updated', 'canned_reply.deleted']);
  });

  it('refuses a taken shortcut with 409, on create and on rename', async () => {
    const a = (await api.post('/v1/canned-replies', { ...body, shortcut: 'dup-a' })).json<CannedJson>();
    await api.post('/v1/canned-replies', { ...body, shortcut: 'dup-b' });
    const again = expectError(
      await api.post('/v1/canned-replies', { ...body, shortcut: 'dup-b' }),
      409,
      'CONFLICT',
    );
    expect(again.details).toEqual({ fields: [{ field: 'shortcut', message: 'is taken' }] });
    expectError(await api.patch(`/v1/canned-replies/${a.id}`, { shortcut: 'dup-b' }), 409, 'CONFLICT');
    // Another org may use the same shortcut.
    expect((await other.post('/v1/canned-replies', { ...body, shortcut: 'dup-b' })).statusCode).toBe(201);
  });

  it('validates every field with a 400', async () => {
    for (const bad of [
      { ...body, shortcut: 'Upper' },
      { ...body, shortcut: 'with space' },
      { ...body, shortcut: '' },
      { ...body, shortcut: 'x'.repeat(33) },
      { ...body, title: '' },
      { ...body, title: '   ' },
      { ...body, title: 'x'.repeat(121) },
      { ...body, body: '' },
      { ...body, body: 'x'.repeat(10_001) },
      { ...body, extra: true },
      { shortcut: 'only' },
    ]) {
      expectError(await api.post('/v1/canned-replies', bad), 400, 'BAD_REQUEST');
    }
    const ok = (await api.post('/v1/canned-replies', { ...body, shortcut: 'valid_1-x' })).json<CannedJson>();
    expect(ok.shortcut).toBe('valid_1-x');
    expectError(await api.patch(`/v1/canned-replies/${ok.id}`, {}), 400, 'BAD_REQUEST');
    expectError(await api.get('/v1/canned-replies?startingAfter=tag_01abc'), 400, 'BAD_REQUEST');
    expectError(await api.get('/v1/canned-replies?nope=1'), 400, 'BAD_REQUEST');
  });

  it('lets read keys read only, and hides other orgs’ replies', async () => {
    expectError(await readOnly.post('/v1/canned-replies', { ...body, shortcut: 'ro' }), 403, 'FORBIDDEN');
    const mine = (await api.post('/v1/canned-replies', { ...body, shortcut: 'private' })).json<CannedJson>();
    expectError(await readOnly.patch(`/v1/canned-replies/${mine.id}`, { title: 'x' }), 403, 'FORBIDDEN');
    expectError(await readOnly.delete(`/v1/canned-replies/${mine.id}`), 403, 'FORBIDDEN');
    expectError(await other.get(`/v1/canned-replies/${mine.id}`), 404, 'NOT_FOUND');
    expectError(await other.patch(`/v1/canned-replies/${mine.id}`, { title: 'x' }), 404, 'NOT_FOUND');
    expectError(await other.delete(`/v1/canned-replies/${mine.id}`), 404, 'NOT_FOUND');
    const list = (await other.get('/v1/canned-replies?per_page=100')).json<{ data: CannedJson[] }>();
    expect(list.data.map((r) => r.id)).not.toContain(mine.id);
    expectError(await client(t.app, undefined).get('/v1/canned-replies'), 401, 'UNAUTHORIZED');
  });

  it('lists by shortcut in both paging styles, filtered by q over shortcut and title', async () => {
    const fresh = client(t.app, (await newOrg(t)).apiKey);
    for (const [shortcut, title] of [
      ['greet-c', 'Hello there'],
      ['greet-a', 'Welcome'],
      ['bye', 'Greetings and goodbye'],
      ['greet-b', 'Hi'],
      ['other', '100% off_sale'],
    ]) {
      expect((await fresh.post('/v1/canned-replies', { shortcut, title, body: 'text' })).statusCode).toBe(
        201,
      );
    }
    const names = (res: { json(): { data: CannedJson[] } }) => res.json().data.map((r) => r.shortcut);
    expect(names(await fresh.get('/v1/canned-replies'))).toEqual([
      'bye',
      'greet-a',
      'greet-b',
      'greet-c',
      'other',
    ]);
    const greet = await fresh.get('/v1/canned-replies?q=GREET&per_page=2&page=2');
    expect(names(greet)).toEqual(['greet-b', 'greet-c']);
    expect(greet.json().meta).toEqual({ total: 4, page: 2, perPage: 2 });
    // % and _ are literal, not wildcards.
    expect(names(await fresh.get('/v1/canned-replies?q=0%25%20off_'))).toEqual(['other']);
    expect(names(await fresh.get('/v1/canned-replies?q=_'))).toEqual(['other']);

    const first = (await fresh.get('/v1/canned-replies?q=greet&limit=3')).json<{
      data: CannedJson[];
      meta: { nextCursor: string };
    }>();
    expect(first.data.map((r) => r.shortcut)).toEqual(['bye', 'greet-a', 'greet-b']);
    const second = (
      await fresh.get(`/v1/canned-replies?q=greet&limit=3&startingAfter=${first.meta.nextCursor}`)
    ).json();
    expect(second.data.map((r: CannedJson) => r.shortcut)).toEqual(['greet-c']);
    expect(second.meta).toEqual({ limit: 3, nextCursor: null });
    expectError(await fresh.get('/v1/canned-replies?limit=2&page=1'), 400, 'BAD_REQUEST');
    // Another org's reply is no position in this list.
    const foreign = (
      await other.post('/v1/canned-replies', { ...body, shortcut: 'foreign' })
    ).json<CannedJson>();
    expectError(
      await fresh.get(`/v1/canned-replies?limit=2&startingAfter=${foreign.id}`),
      400,
      'BAD_REQUEST',
    );
  });
});
