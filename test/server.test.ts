import net from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from './support/databases.js';
import { runCli, startServer, type ServerProcess } from './support/processes.js';

describe.each(DIALECTS)('talki serve on %s', (dialect) => {
  let database: TestDatabase;
  let server: ServerProcess;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    server = await startServer({ ...database.env, LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    await server.stop();
    await database.drop();
  });

  it('answers health and readiness probes', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const response = await fetch(server.url + path);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok' });
    }
  });

  it('serves a key created by the CLI while it runs, and echoes X-Request-Id', async () => {
    const created = await runCli(['org', 'create', '--name', 'Live', '--json'], database.env);
    expect(created.code).toBe(0);
    const { apiKey } = JSON.parse(created.stdout) as { apiKey: string };
    const response = await fetch(`${server.url}/v1/tickets`, {
      headers: { authorization: `Bearer ${apiKey}`, 'x-request-id': 'trace-123' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('trace-123');
    const generated = await fetch(`${server.url}/healthz`);
    expect(generated.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('logs JSON lines with the request id', async () => {
    await fetch(`${server.url}/v1/tickets`, { headers: { 'x-request-id': 'log-check-1' } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const entries = server
      .output()
      .trim()
      .split('\n')
      .filter((line) => !line.startsWith('talki: '))
      .map((line) => JSON.parse(line) as { reqId?: string; res?: { statusCode: number } });
    const completed = entries.find((e) => e.reqId === 'log-check-1' && e.res);
    expect(completed?.res?.statusCode).toBe(401);
  });
});

describe.each(DIALECTS)('graceful shutdown on %s', (dialect) => {
  it('on SIGTERM finishes the request in flight, then exits 0', async () => {
    const database = await createTestDatabase(dialect);
    try {
      const created = await runCli(['org', 'create', '--name', 'Shutdown', '--json'], database.env);
      const { apiKey } = JSON.parse(created.stdout) as { apiKey: string };
      const server = await startServer(database.env);
      const { port } = new URL(server.url);

      // A request whose body is still arriving when the signal comes.
      const body = JSON.stringify({
        subject: 'In flight',
        customer: { email: 'late@example.com' },
        message: 'Still sending',
      });
      const socket = net.connect(Number(port), '127.0.0.1');
      await once(socket, 'connect');
      let response = '';
      socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
      socket.write(
        `POST /v1/tickets HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${apiKey}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      const exited = server.stop();
      await new Promise((resolve) => setTimeout(resolve, 200));
      // write, not end: a half-closed client socket is closed by Node before the reply is written.
      socket.write(body.slice(10));
      await once(socket, 'close');

      expect(response).toMatch(/^HTTP\/1.1 201 /);
      expect(await exited).toBe(0);
      // New connections are refused once it has stopped.
      await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    } finally {
      await database.drop();
    }
  });
});
