import { STATUS_CODES } from 'node:http';
import type { Server, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Config } from '../config.js';
import type { ErrorCode } from './errors.js';

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

/** A whole HTTP response in the standard error shape, for code that writes to a raw socket. */
function rawErrorResponse(status: number, code: ErrorCode, message: string, extraHeaders: string[] = []) {
  const body = JSON.stringify({ error: { code, message, details: null } });
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...extraHeaders,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

const REFUSAL = rawErrorResponse(
  429,
  'TOO_MANY_REQUESTS',
  'Too many open connections from your address; close some and retry',
  ['Retry-After: 1'],
);

const CLIENT_ERRORS: Record<string, [number, ErrorCode, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'REQUEST_TIMEOUT', 'The request was not received in time'],
  HPE_HEADER_OVERFLOW: [431, 'HEADERS_TOO_LARGE', 'Request headers are too large'],
};

/**
 * Answers what Node rejects before any route runs (a request too slow to arrive, headers too
 * large, broken HTTP) in the standard error shape, instead of Fastify's own `{error, statusCode}`.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A reset socket is gone: there is nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] = CLIENT_ERRORS[error.code ?? ''] ?? [
    400,
    'BAD_REQUEST',
    'Malformed HTTP request',
  ];
  if (socket.writable) socket.write(rawErrorResponse(status, code, message));
  socket.destroy(error);
}

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
