/**
 * The realtime stream across processes: two `talki serve` processes on one database and Redis.
 * A ticket written through server A reaches an SSE client on server B, and presence sent on
 * A's socket reaches an agent's socket on B.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, uniqueEmail } from './support/agents.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './support/databases.js';
import { SocketClient, SseClient } from './support/event-stream.js';
import { runCli, startServer, type ServerProcess } from './support/processes.js';

describe.each(DIALECTS)('the event stream across two server processes and Redis (%s)', (dialect) => {
  let database: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  let orgId: string;
  let key: string;
  const agents = [
    { name: 'Alice', email: uniqueEmail('alice') },
    { name: 'Bob', email: uniqueEmail('bob') },
  ];

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const env = { ...database.env, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' };
    const created = await runCli(['org', 'create', '--name', 'Streams', '--json'], env);
    const org = JSON.parse(created.stdout) as { org: { id: string }; apiKey: string };
    orgId = org.org.id;
    key = org.apiKey;
    for (const agent of agents) {
      const made = await runCli(
        [
          'agent',
          'create',
          '--org',
          orgId,
          '--email',
          agent.email,
          '--name',
          agent.name,
          '--password',
          PASSWORD,
        ],
        env,
      );
      expect(made.code, made.stderr).toBe(0);
    }
    [a, b] = await Promise.all([startServer(env), startServer(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database.drop();
  });

  async function accessToken(server: ServerProcess, email: string): Promise<string> {
    const res = await fetch(`${server.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { accessToken: string }).accessToken;
  }

  async function createTicket(server: ServerProcess, subject: string): Promise<string> {
    const res = await fetch(`${server.url}/v1/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        subject,
        customer: { email: uniqueEmail('customer'), name: 'Cy' },
        message: 'Hello',
      }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  }

  const ticketOf = (event: Record<string, unknown>) =>
    (event.data as { ticket?: { id?: string } } | undefined)?.ticket?.id;

  it('delivers a ticket written through server A to an SSE client on server B, live and on resume', async () => {
    const sse = await SseClient.open(`${b.url}/v1/events/stream`, { authorization: `Bearer ${key}` });
    expect(sse.status).toBe(200);
    try {
      const first = await createTicket(a, 'written on A');
      await sse.until((s) => s.events.some((e) => e.type === 'ticket.created' && ticketOf(e) === first));
    } finally {
      await sse.close();
    }
    const resumeFrom = sse.lastEventId!;
    const second = await createTicket(a, 'written on A while B’s client was away');
    const resumed = await SseClient.open(`${b.url}/v1/events/stream`, {
      authorization: `Bearer ${key}`,
      'last-event-id': resumeFrom,
    });
    try {
      await resumed.until((s) => s.events.some((e) => e.type === 'ticket.created' && ticketOf(e) === second));
      expect(resumed.events.map((e) => e.id)).not.toContain(resumeFrom);
    } finally {
      await resumed.close();
    }
  });

  it('carries presence from a socket on server A to an agent’s socket on server B', async () => {
    const ticketId = await createTicket(a, 'presence across processes');
    const [aliceToken, bobToken] = await Promise.all([
      accessToken(a, agents[0]!.email),
      accessToken(b, agents[1]!.email),
    ]);
    const alice = await SocketClient.open(`${a.url.replace('http', 'ws')}/v1/events/socket`);
    const bob = await SocketClient.open(`${b.url.replace('http', 'ws')}/v1/events/socket`);
    try {
      alice.send({ type: 'auth', token: aliceToken });
      bob.send({ type: 'auth', token: bobToken });
      await alice.until((s) => s.frames.some((f) => f.type === 'ready'));
      await bob.until((s) => s.frames.some((f) => f.type === 'ready'));
      alice.send({ type: 'presence', ticketId, state: 'typing' });
      await bob.until((s) => s.frames.some((f) => f.type === 'presence' && f.state === 'typing'));
      expect(bob.frames.find((f) => f.type === 'presence' && f.state === 'typing')).toMatchObject({
        ticketId,
        agent: { name: 'Alice' },
      });
    } finally {
      alice.close();
      bob.close();
    }
  });
});
