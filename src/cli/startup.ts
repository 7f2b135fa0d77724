import path from 'node:path';
import { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { SQLITE_FILE } from '../db/database.js';

/**
 * A start-up step that failed for a reason the operator can fix: printed as one line
 * (`talki: <message>`), exit code 1, no stack.
 */
export class StartupError extends Error {}

const REASONS: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'not a directory',
  EEXIST: 'exists and is not a directory',
  ENOSPC: 'no space left on device',
  ENOENT: 'no such file or directory',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  SQLITE_CANTOPEN: 'unable to open the database file',
  SQLITE_READONLY: 'the database is read-only',
  SQLITE_NOTADB: 'the file is not a SQLite database',
  SQLITE_CORRUPT: 'the database file is corrupt',
  SQLITE_PERM: 'permission denied',
  SQLITE_FULL: 'the disk is full',
  SQLITE_IOERR: 'disk I/O error',
};

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** SQLite's extended codes (SQLITE_IOERR_WRITE) share their primary code's reason. */
function knownReason(code: string | undefined): string | undefined {
  if (!code) return undefined;
  return REASONS[code.startsWith('SQLITE_') ? code.split('_').slice(0, 2).join('_') : code];
}

/** "address already in use (EADDRINUSE)": the reason in words, then the code to search for. */
export function reasonOf(error: unknown): string {
  const code = codeOf(error);
  const known = knownReason(code);
  const message = error instanceof Error ? error.message.split('\n')[0]!.trim() : String(error);
  if (known) return `${known} (${code})`;
  if (message && code) return `${message} (${code})`;
  return message || code || 'unknown error';
}

// PostgreSQL SQLSTATEs an operator fixes outside Talki: privileges, read-only server, disk, connections.
const PG_ENVIRONMENT = new Set(['42501', '25006', '53100', '53300', '57P03']);

/** A failure of the machine or of the database's setup rather than of Talki's own statements. */
export function isEnvironmentError(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && (PG_ENVIRONMENT.has(code) || knownReason(code) !== undefined);
}

/** A connection URL as it may be printed: without its password. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** Why the database could not be opened or migrated, naming the setting that points at it. */
export function databaseError(config: Pick<Config, 'databaseUrl' | 'dataDir'>, error: unknown): StartupError {
  if (error instanceof StartupError) return error;
  if (config.databaseUrl) {
    return new StartupError(
      `cannot use the PostgreSQL database ${redactUrl(config.databaseUrl)}: ${reasonOf(error)} — check DATABASE_URL`,
    );
  }
  const code = codeOf(error) ?? '';
  const subject = code.startsWith('SQLITE_')
    ? `the SQLite database ${path.join(config.dataDir, SQLITE_FILE)}`
    : `the data directory ${config.dataDir}`;
  return new StartupError(`cannot use ${subject}: ${reasonOf(error)} — check TALKI_DATA_DIR`);
}

/** Rejects after `ms` with ETIMEDOUT, so a host that never answers cannot hang the start. */
export async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' })),
      ms,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const CONNECT_TIMEOUT_MS = 5000;

/**
 * One PING over a connection that never retries: ioredis's clients reconnect forever, so
 * an unreachable Redis would otherwise leave the server half up instead of failing the start.
 */
export async function assertRedisReachable(url: string, timeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let lastError: unknown;
  redis.on('error', (error: unknown) => (lastError = error));
  try {
    await within(
      timeoutMs,
      redis.connect().then(() => redis.ping()),
    );
  } catch (error) {
    throw new StartupError(
      `cannot reach Redis at ${redactUrl(url)}: ${reasonOf(codeOf(error) ? error : (lastError ?? error))} — check REDIS_URL`,
    );
  } finally {
    redis.disconnect();
  }
}

/** Why a listener could not bind, with the setting to change. */
export function listenError(
  what: string,
  host: string,
  port: number,
  error: unknown,
  settings: { port: string; host: string },
): StartupError {
  const code = codeOf(error);
  const setting = code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' ? settings.host : settings.port;
  return new StartupError(`cannot listen${what} on ${host}:${port}: ${reasonOf(error)} — set ${setting}`);
}

/**
 * What a start-up has brought up so far, closed newest first when a later step fails, so a
 * failed start leaves nothing running (no worker picking up jobs behind a dead listener).
 */
export class StartedParts {
  private readonly closers: Array<() => Promise<unknown>> = [];

  add(close: () => Promise<unknown>): void {
    this.closers.push(close);
  }

  async closeAll(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) {
      await close().catch(() => {});
    }
  }
}
