/**
 * The realtime event stream over real sockets: GET /v1/events/stream (SSE) and the
 * /v1/events/socket WebSocket — replay and resume, live delivery, heartbeats, who may listen,
 * org isolation, nothing missed under concurrent writers, presence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrg, startTestApp, ticketBody, client, type TestApp } from './support/app.js';
import { addAgent, session } from './support/agents.js';
import { DIALECTS } from './support/databases.js';
import { SocketClient, SseClient } from './support/event-stream.js';
import type { CreatedOrg } from '../src/modules/orgs/orgs.service.js';

const auth = (key: string) => ({ authorization: `Bearer ${key}` });

async function allEvents(t: TestApp, key: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await client(t.app, key).get(
      `/v1/events?limit=100${cursor ? `&startingAfter=${cursor}` : ''}`,
    );
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json<{ data: { id: string }[]; meta: { nextCursor: string | null } }>();
    ids.push(...page.data.map((e) => e.id));
    cursor = page.meta.nextCursor;
  } while (cursor);
  return ids;
}

const ticketOf = (event: Record<string, unknown>) => (event.data as { ticket?: { id: string } }).ticket?.id;

async function createTicket(t: TestApp, key: string, subject = 'Streamed'): Promise<string> {
  const res = await client(t.app, key).post('/v1/tickets', ticketBody({ subject }));
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

describe.each(DIALECTS)('event stream on %s', (dialect) => {
  let t: TestApp;
  let base: string;
  let org: CreatedOrg;

  beforeAll(async () => {
    t = await startTestApp(dialect, {
      env: { TALKI_STREAM_HEARTBEAT_MS: '150', TALKI_STREAM_POLL_MS: '50', TALKI_RATE_LIMIT_PER_MIN: '0' },
    });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    org = await newOrg(t);
  });
  afterAll(async () => {
    // fetch's pool keeps finished requests' sockets open; they are the client's, not a stream.
    t.app.server.closeAllConnections();
    await t.close();
  });

  it('replays after Last-Event-ID or ?after=, each event as in GET /v1/events, then goes live', async () => {
    await createTicket(t, org.apiKey, 'one');
    await createTicket(t, org.apiKey, 'two');
    const listed = (await client(t.app, org.apiKey).get('/v1/events?limit=100')).json<{
      data: Array<{ id: string; type: string }>;
    }>().data;
    const first = listed[0]!;

    const byHeader = await SseClient.open(`${base}/v1/events/stream`, {
      ...auth(org.apiKey),
      'last-event-id': first.id,
    });
    expect(byHeader.status).toBe(200);
    await byHeader.until((s) => s.events.length >= listed.length - 1);
    expect(byHeader.events).toEqual(listed.slice(1));
    const message = byHeader.messages.find((m) => m.id === listed[1]!.id)!;
    expect(message.event).toBe(listed[1]!.type);

    // ?after= does the same; the header wins over it (EventSource resends its first URL).
    const byQuery = await SseClient.open(`${base}/v1/events/stream?after=${listed[1]!.id}`, auth(org.apiKey));
    const both = await SseClient.open(`${base}/v1/events/stream?after=${first.id}`, {
      ...auth(org.apiKey),
      'last-event-id': listed.at(-1)!.id,
    });
    await byQuery.until((s) => s.events.length >= listed.length - 2);
    expect(byQuery.events.map((e) => e.id)).toEqual(listed.slice(2).map((e) => e.id));

    // Live: a ticket created over the API reaches every open stream.
    const ticketId = await createTicket(t, org.apiKey, 'live');
    const isLive = (s: SseClient) =>
      s.events.some((e) => e.type === 'ticket.created' && ticketOf(e) === ticketId);
    await byHeader.until(isLive);
    await byQuery.until(isLive);
    await both.until(isLive);
    expect(both.events.every((e) => !listed.some((l) => l.id === e.id))).toBe(true);
    await Promise.all([byHeader.close(), byQuery.close(), both.close()]);
  });

  it('starts live without a resume point, filters by ?types= and sends heartbeats', async () => {
    const sse = await SseClient.open(`${base}/v1/events/stream?types=message.created`, auth(org.apiKey));
    await sse.until((s) => s.messages.filter((m) => m.comment === 'ping').length >= 2);
    expect(sse.events).toEqual([]);
    await createTicket(t, org.apiKey);
    await sse.until((s) => s.events.length > 0);
    expect(new Set(sse.events.map((e) => e.type))).toEqual(new Set(['message.created']));
    await sse.close();
  });

  it('refuses the widget key, missing credentials, unknown types and another org’s event id', async () => {
    const widget = await SseClient.open(`${base}/v1/events/stream`, auth(org.widgetKey));
    expect(widget.status).toBe(403);
    expect(JSON.parse(widget.body)).toMatchObject({ error: { code: 'FORBIDDEN', details: null } });
    const anonymous = await SseClient.open(`${base}/v1/events/stream`, {});
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body)).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    const badType = await SseClient.open(`${base}/v1/events/stream?types=ticket.nope`, auth(org.apiKey));
    expect(badType.status).toBe(400);
    expect(JSON.parse(badType.body).error.details.fields[0].field).toBe('types');

    const other = await newOrg(t);
    const [mine] = await allEvents(t, org.apiKey);
    const foreign = await SseClient.open(`${base}/v1/events/stream`, {
      ...auth(other.apiKey),
      'last-event-id': mine!,
    });
    expect(foreign.status).toBe(400);
    expect(JSON.parse(foreign.body).error.details.fields[0].field).toBe('Last-Event-ID');
  });

  it('never shows an org another org’s events', async () => {
    const other = await newOrg(t);
    const sse = await SseClient.open(`${base}/v1/events/stream`, auth(other.apiKey));
    await createTicket(t, org.apiKey, 'not yours');
    const ownTicket = await createTicket(t, other.apiKey, 'yours');
    await sse.until((s) => s.events.some((e) => ticketOf(e) === ownTicket));
    expect(sse.events.every((e) => e.orgId === other.org.id)).toBe(true);
    await sse.close();
  });

  it('ends the stream once its key is revoked', async () => {
    const created = await client(t.app, org.apiKey).post('/v1/api-keys', {
      name: 'short-lived',
      scope: 'read',
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id, key } = created.json<{ id: string; key: string }>();
    const sse = await SseClient.open(`${base}/v1/events/stream`, auth(key));
    expect(sse.status).toBe(200);
    const revoked = await client(t.app, org.apiKey).post(`/v1/api-keys/${id}/revoke`);
    expect(revoked.statusCode, revoked.body).toBe(200);
    await sse.until((s) => s.ended);
    const closed = sse.messages.find((m) => m.event === 'stream.closed');
    expect(JSON.parse(closed!.data!)).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
  });

  it('misses nothing when a client keeps disconnecting and resuming under concurrent writers', async () => {
    const busy = await newOrg(t);
    const seen = new Set<string>();
    // A starting point: the client has seen everything up to this ticket's events.
    await createTicket(t, busy.apiKey, 'seed');
    let resumeFrom: string | undefined = (await allEvents(t, busy.apiKey)).at(-1);
    const initial = new Set(await allEvents(t, busy.apiKey));
    let writing = true;
    const writers = Array.from({ length: 6 }, async (_, w) => {
      for (let i = 0; i < 12; i++) await createTicket(t, busy.apiKey, `w${w}-${i}`);
    });
    const all = Promise.all(writers).then(() => (writing = false));
    const resume = () =>
      SseClient.open(`${base}/v1/events/stream`, {
        ...auth(busy.apiKey),
        ...(resumeFrom ? { 'last-event-id': resumeFrom } : {}),
      });
    while (writing) {
      const sse = await resume();
      expect(sse.status).toBe(200);
      await sse.until((s) => s.events.length > 0 || !writing, 5000).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 20));
      await sse.close();
      for (const event of sse.events) seen.add(event.id);
      resumeFrom = sse.lastEventId ?? resumeFrom;
    }
    await all;
    const expected = (await allEvents(t, busy.apiKey)).filter((id) => !initial.has(id));
    // One last resume catches up; an event skipped behind the stream's position would never come.
    const last = await resume();
    await last
      .until((s) => expected.every((id) => seen.has(id) || s.events.some((e) => e.id === id)), 10_000)
      .catch(() => {});
    await last.close();
    for (const event of last.events) seen.add(event.id);
    expect(expected.length).toBeGreaterThanOrEqual(6 * 12 * 2);
    expect([...seen].sort()).toEqual(expected.sort());
  });

  it('WebSocket: auth in the first frame, resume after an event, presence between two agents', async () => {
    const wsBase = base.replace('http', 'ws');
    const ticketId = await createTicket(t, org.apiKey, 'presence');
    const events = await allEvents(t, org.apiKey);

    const bad = await SocketClient.open(`${wsBase}/v1/events/socket`);
    bad.send({ type: 'auth', token: 'sk_live_nope' });
    await bad.until((s) => s.closeCode !== undefined);
    expect(bad.closeCode).toBe(4401);
    const widget = await SocketClient.open(`${wsBase}/v1/events/socket`);
    widget.send({ type: 'auth', token: org.widgetKey });
    await widget.until((s) => s.closeCode !== undefined);
    expect(widget.closeCode).toBe(4403);

    const alice = await addAgent(client(t.app, org.apiKey), { name: 'Alice' });
    const bob = await addAgent(client(t.app, org.apiKey), { name: 'Bob' });
    const aliceSession = await session(t.app, alice.email);
    const bobSession = await session(t.app, bob.email);

    const a = await SocketClient.open(`${wsBase}/v1/events/socket`);
    a.send({ type: 'auth', token: aliceSession.accessToken, after: events.at(-3) });
    await a.until((s) => s.events.length >= 2 && s.frames[0]?.type === 'ready');
    expect(a.events.slice(0, 2).map((e) => e.id)).toEqual(events.slice(-2));

    const b = await SocketClient.open(`${wsBase}/v1/events/socket`);
    b.send({ type: 'auth', token: bobSession.accessToken });
    await b.until((s) => s.frames.some((f) => f.type === 'ready'));
    a.send({ type: 'presence', ticketId, state: 'typing' });
    await b.until((s) => s.frames.some((f) => f.type === 'presence' && f.state === 'typing'));
    expect(b.frames.find((f) => f.type === 'presence')).toMatchObject({
      ticketId,
      agent: { id: alice.id, name: 'Alice' },
      state: 'typing',
    });
    // Another org's ticket id is ignored; the live feed reaches both sockets.
    const live = await createTicket(t, org.apiKey, 'socket live');
    const hasLive = (s: SocketClient) => s.events.some((e) => ticketOf(e) === live);
    await a.until(hasLive);
    await b.until(hasLive);
    // A closing socket's presence ends for the others.
    a.close();
    await b.until((s) => s.frames.some((f) => f.type === 'presence' && f.state === 'idle'));
    expect(a.frames.some((f) => f.type === 'presence')).toBe(false);
    b.close();
  });
});
