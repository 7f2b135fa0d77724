/**
 * Slow and greedy clients over real sockets: a request dribbled a byte at a time is cut off
 * (408, socket closed) while others are served; one address can't hold more than its share of
 * connections; and request logs carry no query values or URL capabilities.
 */
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { MemoryRateLimiter } from '../src/http/rate-limit.memory.js';
import { newOrg, startTestApp, type TestApp } from './support/app.js';
import { createTestDatabase, DIALECTS } from './support/databases.js';

/** A raw socket that collects what the server sends and says when the server closed it. */
function rawClient(port: number, localAddress = '127.0.0.1') {
  const socket: Socket = connect({ port, host: '127.0.0.1', localAddress });
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, connected, closed, received: () => received };
}

/** GET `path` over a fresh connection from `localAddress`, resolving to status and body. */
function get(port: number, path: string, localAddress = '127.0.0.1') {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, localAddress, agent: false, headers: { connection: 'close' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe.each(DIALECTS)('slow clients and connection caps (%s)', (dialect) => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await startTestApp(dialect, {
      env: {
        TALKI_REQUEST_TIMEOUT_MS: '1500',
        TALKI_HEADERS_TIMEOUT_MS: '1000',
        TALKI_MAX_CONNECTIONS_PER_IP: '4',
      },
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as { port: number }).port;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('a login body sent a byte at a time is cut off with 408, and others are served meanwhile', async () => {
    const slow = rawClient(port);
    await slow.connected;
    slow.socket.write(
      'POST /v1/auth/login HTTP/1.1\r\nHost: talki\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{',
    );
    const body = '"email":"a@example.com","password":"x"'.split('');
    const dribble = setInterval(() => {
      if (!slow.socket.destroyed && body.length > 0) slow.socket.write(body.shift()!);
    }, 200);
    try {
      const meanwhile = await get(port, '/healthz');
      expect(meanwhile.status).toBe(200);
      await slow.closed;
    } finally {
      clearInterval(dribble);
    }
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(slow.received().split('\r\n\r\n')[1]!)).toEqual({
      error: { code: 'REQUEST_TIMEOUT', message: 'The request was not received in time', details: null },
    });
    expect(body.length).toBeGreaterThan(0); // closed before the body was ever complete
    expect((await get(port, '/healthz')).status).toBe(200);
  });

  it('headers sent a line at a time are cut off too', async () => {
    const slow = rawClient(port);
    await slow.connected;
    slow.socket.write('GET /healthz HTTP/1.1\r\nHost: talki\r\n');
    let lines = 0;
    const dribble = setInterval(() => {
      if (!slow.socket.destroyed) slow.socket.write(`X-Slow-${++lines}: 1\r\n`);
    }, 200);
    try {
      await slow.closed;
    } finally {
      clearInterval(dribble);
    }
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("headers over Node's size limit get 431 in the standard error shape", async () => {
    const big = rawClient(port);
    await big.connected;
    big.socket.write(`GET /healthz HTTP/1.1\r\nHost: talki\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    await big.closed;
    expect(big.received()).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(big.received().split('\r\n\r\n')[1]!)).toMatchObject({
      error: { code: 'HEADERS_TOO_LARGE', details: null },
    });
  });

  it('a connection that never sends anything is closed', async () => {
    const idle = rawClient(port);
    await idle.connected;
    await idle.closed;
    expect(idle.received()).not.toMatch(/^HTTP\/1\.1 200/);
  });

  it('one address gets at most the cap of open connections; the next is refused with 429, other addresses are served', async () => {
    const held = Array.from({ length: 4 }, () => rawClient(port));
    try {
      await Promise.all(held.map((c) => c.connected));
      // Each held socket has started a request, so the server has surely accepted all four.
      for (const c of held) c.socket.write('GET /healthz HTTP/1.1\r\nHost: talki\r\n');
      await new Promise((resolve) => setImmediate(resolve));

      const refused = rawClient(port);
      await refused.closed;
      expect(refused.received()).toMatch(/^HTTP\/1\.1 429 /);
      expect(JSON.parse(refused.received().split('\r\n\r\n')[1]!)).toMatchObject({
        error: { code: 'TOO_MANY_REQUESTS', details: null },
      });

      // Another client address is unaffected.
      expect((await get(port, '/healthz', '127.0.0.2')).status).toBe(200);

      // Freeing a slot lets this address in again, once the server has seen the socket close.
      held[0]!.socket.destroy();
      await held[0]!.closed;
      await expect.poll(async () => (await get(port, '/healthz')).status).toBe(200);
    } finally {
      for (const c of held) c.socket.destroy();
      await Promise.all(held.map((c) => c.closed));
    }
  });
});

describe.each(DIALECTS)('request logs (%s)', (dialect) => {
  it('carry no query values and no capability from the URL', async () => {
    const database = await createTestDatabase(dialect);
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const config = loadConfig({ ...database.env, LOG_LEVEL: 'info' });
    const limiter = new MemoryRateLimiter();
    const app = await buildApp({ config, db: database.db, limiter, logger: { level: 'info', stream } });
    try {
      await app.ready();
      const org = await newOrg({ app, database, config, limiter, close: async () => undefined });
      const headers = { authorization: `Bearer ${org.apiKey}` };
      await app.inject({ url: '/v1/tickets?search=alice%40secret.example&per_page=5', headers });
      await app.inject({ url: '/v1/tickets?token=talki_sk_leaked123', headers });
      await app.inject({ method: 'POST', url: '/channels/email/inbound/capability-token-xyz' });
      // Misspelled hook URLs reach no route, but carry the token all the same.
      for (const url of [
        '//channels/email/inbound/capability-token-two',
        '/channels/email/Inbound/capability-token-two/',
        '/channels/email/../email/inbound/capability-token-two',
        '/channels/email/inbound%2Fcapability-token-two',
      ]) {
        await app.inject({ method: 'POST', url });
      }
      const log = lines.join('');
      expect(log).toContain('/v1/tickets?search=[REDACTED]&per_page=[REDACTED]');
      expect(log).toContain('/channels/email/inbound/[REDACTED]');
      for (const secret of [
        'alice',
        'secret.example',
        'talki_sk_leaked123',
        'capability-token-xyz',
        'capability-token-two',
      ]) {
        expect(log).not.toContain(secret);
      }
    } finally {
      await app.close();
      await limiter.close();
      await database.drop();
    }
  });
});
