import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, newOrg, startTestApp, ticketBody, type Client, type TestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';

describe.each(DIALECTS)('Idempotency-Key (%s)', (dialect) => {
  let t: TestApp;
  let api: Client;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    api = client(t.app, (await newOrg(t)).apiKey);
  });
  afterAll(() => t.close());

  const countTickets = async () => (await api.get('/v1/tickets')).json().meta.total as number;

  it('replays the first response for the same request, once executed', async () => {
    const before = await countTickets();
    const headers = { 'idempotency-key': 'create-1' };
    const first = await api.post('/v1/tickets', ticketBody(), headers);
    const second = await api.post('/v1/tickets', ticketBody(), headers);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(second.json()).toEqual(first.json());
    expect(await countTickets()).toBe(before + 1);
  });

  it('answers 409 when the key comes back with a different request', async () => {
    const headers = { 'idempotency-key': 'create-2' };
    expect((await api.post('/v1/tickets', ticketBody(), headers)).statusCode).toBe(201);
    const other = await api.post('/v1/tickets', ticketBody({ subject: 'Something else' }), headers);
    expect(other.statusCode).toBe(409);
    expect(other.json().error.code).toBe('CONFLICT');
  });

  it('never executes two concurrent requests with one key', async () => {
    const before = await countTickets();
    const headers = { 'idempotency-key': 'concurrent-1' };
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => api.post('/v1/tickets', ticketBody(), headers)),
    );
    const created = responses.filter((r) => r.statusCode === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(responses.every((r) => r.statusCode === 201 || r.statusCode === 409)).toBe(true);
    expect(new Set(created.map((r) => r.json().id)).size).toBe(1);
    expect(await countTickets()).toBe(before + 1);
  });

  it('works on PATCH and replays client errors too, but not for other keys', async () => {
    const ticket = (await api.post('/v1/tickets', ticketBody())).json();
    const headers = { 'idempotency-key': 'patch-1' };
    const first = await api.patch(`/v1/tickets/${ticket.id}`, { status: 'pending' }, headers);
    await api.patch(`/v1/tickets/${ticket.id}`, { status: 'open' });
    const replay = await api.patch(`/v1/tickets/${ticket.id}`, { status: 'pending' }, headers);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json().status).toBe('pending');
    expect((await api.get(`/v1/tickets/${ticket.id}`)).json().status).toBe('open');
    expect(first.json()).toEqual(replay.json());

    const missing = await api.patch(
      '/v1/tickets/tkt_missing',
      { status: 'open' },
      { 'idempotency-key': 'patch-404' },
    );
    expect(missing.statusCode).toBe(404);
    const again = await api.patch(
      '/v1/tickets/tkt_missing',
      { status: 'open' },
      { 'idempotency-key': 'patch-404' },
    );
    expect(again.statusCode).toBe(404);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('keeps keys per organization and rejects malformed keys', async () => {
    const other = client(t.app, (await newOrg(t)).apiKey);
    const headers = { 'idempotency-key': 'shared-name' };
    const mine = await api.post('/v1/tickets', ticketBody(), headers);
    const theirs = await other.post('/v1/tickets', ticketBody(), headers);
    expect(theirs.statusCode).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.json().id).not.toBe(mine.json().id);
    const bad = await api.post('/v1/tickets', ticketBody(), { 'idempotency-key': 'x'.repeat(300) });
    expect(bad.statusCode).toBe(400);
  });
});
