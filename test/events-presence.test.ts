/**
 * Presence on /v1/events/socket expires TALKI_PRESENCE_TTL_MS after an agent's last presence
 * frame (set short here), and repeating the frame keeps it alive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { client, newOrg, startTestApp, ticketBody, type TestApp } from './support/app.js';
import { addAgent, session } from './support/agents.js';
import { DIALECTS } from './support/databases.js';
import { SocketClient } from './support/event-stream.js';

const TTL_MS = 400;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('TALKI_PRESENCE_TTL_MS', () => {
  it('defaults to 30 s and refuses nonsense', () => {
    expect(loadConfig({}).presenceTtlMs).toBe(30_000);
    expect(loadConfig({ TALKI_PRESENCE_TTL_MS: '5000' }).presenceTtlMs).toBe(5000);
    for (const bad of ['0', '-1', 'soon', '99999999']) {
      expect(() => loadConfig({ TALKI_PRESENCE_TTL_MS: bad })).toThrow(ConfigError);
    }
  });
});

describe.each(DIALECTS)('presence expiry on the event socket (%s)', (dialect) => {
  let t: TestApp;
  let wsUrl: string;

  beforeAll(async () => {
    t = await startTestApp(dialect, { env: { TALKI_PRESENCE_TTL_MS: String(TTL_MS) } });
    wsUrl = `${(await t.app.listen({ port: 0, host: '127.0.0.1' })).replace('http', 'ws')}/v1/events/socket`;
  });
  afterAll(() => t.close());

  async function agentSocket(admin: ReturnType<typeof client>, name: string) {
    const agent = await addAgent(admin, { name });
    const socket = await SocketClient.open(wsUrl);
    socket.send({ type: 'auth', token: (await session(t.app, agent.email)).accessToken });
    await socket.until((s) => s.frames.some((f) => f.type === 'ready'));
    return { agent, socket };
  }

  it('ends a state that is not repeated, and keeps one that is', async () => {
    const org = await newOrg(t);
    const admin = client(t.app, org.apiKey);
    const ticketId = (await admin.post('/v1/tickets', ticketBody())).json<{ id: string }>().id;
    const alice = await agentSocket(admin, 'Alice');
    const bob = await agentSocket(admin, 'Bob');
    const states = () => bob.socket.frames.filter((f) => f.type === 'presence').map((f) => f.state);

    // Repeated every TTL/4 for 3 TTLs: never expires meanwhile.
    const started = Date.now();
    while (Date.now() - started < 3 * TTL_MS) {
      alice.socket.send({ type: 'presence', ticketId, state: 'viewing' });
      await sleep(TTL_MS / 4);
    }
    expect(states().length).toBeGreaterThan(0);
    expect(states()).not.toContain('idle');

    // Then silence: the others see it end, about one TTL after the last frame.
    const silent = Date.now();
    await bob.socket.until((s) => s.frames.some((f) => f.type === 'presence' && f.state === 'idle'), 5_000);
    const waited = Date.now() - silent;
    expect(waited).toBeGreaterThanOrEqual(TTL_MS / 2);
    expect(bob.socket.frames.filter((f) => f.type === 'presence').at(-1)).toMatchObject({
      ticketId,
      agent: { id: alice.agent.id, name: 'Alice' },
      state: 'idle',
    });
    // The socket itself stays open: only the presence ended.
    expect(alice.socket.closeCode).toBeUndefined();

    // Typing that is not repeated ends the same way.
    const before = states().length;
    alice.socket.send({ type: 'presence', ticketId, state: 'typing' });
    await bob.socket.until((s) => s.frames.filter((f) => f.type === 'presence').length >= before + 2, 5_000);
    expect(states().slice(before)).toEqual(['typing', 'idle']);
    alice.socket.close();
    bob.socket.close();
  });
});
