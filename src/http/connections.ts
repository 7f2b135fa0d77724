import type { Server, Socket } from 'node:net';
import type { Config } from '../config.js';

type Limits = Pick<Config, 'requestTimeoutMs' | 'headersTimeoutMs' | 'maxConnectionsPerIp'>;

/**
 * Fastify/Node server options that bound how long a client may take to send a request. Node
 * checks open requests against these timeouts every `connectionsCheckingInterval`, so that
 * interval follows the shortest timeout instead of Node's fixed 30 s.
 */
export function timeoutOptions(limits: Limits) {
  const checkEveryMs = Math.min(30_000, Math.max(50, Math.floor(limits.headersTimeoutMs / 4)));
  return {
    requestTimeout: limits.requestTimeoutMs,
    http: {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      connectionsCheckingInterval: checkEveryMs,
    },
  };
}

const REFUSAL_BODY = JSON.stringify({
  error: {
    code: 'TOO_MANY_REQUESTS',
    message: 'Too many open connections from your address; close some and retry',
    details: null,
  },
});
const REFUSAL = [
  'HTTP/1.1 429 Too Many Requests',
  'Content-Type: application/json; charset=utf-8',
  `Content-Length: ${Buffer.byteLength(REFUSAL_BODY)}`,
  'Retry-After: 1',
  'Connection: close',
  '',
  REFUSAL_BODY,
].join('\r\n');

/**
 * Caps the connections one peer address holds open at once, so one client's idle or slow
 * sockets can't use up the process's file descriptors: the next one is answered 429 and closed.
 */
export function capConnectionsPerIp(server: Server, max: number): void {
  if (max <= 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = open.get(address) ?? 0;
    if (count >= max) {
      socket.end(REFUSAL);
      // A client that never reads must not keep even the refused socket.
      socket.setTimeout(1000, () => socket.destroy());
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
