import path from 'node:path';

/**
 * The one place environment variables are read. Every setting is documented here and in the
 * README's configuration table; the result is validated once and frozen.
 */
export interface Config {
  /** HTTP port for `talki serve`. Env `PORT`, default 3000. */
  readonly port: number;
  /** Interface to bind. Env `HOST`, default 0.0.0.0. */
  readonly host: string;
  /** Where the embedded SQLite database and uploaded files (`uploads/`) live. Env `TALKI_DATA_DIR`, default ./data. */
  readonly dataDir: string;
  /** PostgreSQL connection string; when set, PostgreSQL replaces SQLite. Env `DATABASE_URL`. */
  readonly databaseUrl: string | undefined;
  /** Redis connection string; when set, rate-limit budgets and realtime events are shared through Redis. Env `REDIS_URL`. */
  readonly redisUrl: string | undefined;
  /** Requests per rolling minute for API keys without their own limit; 0 = unlimited. Env `TALKI_RATE_LIMIT_PER_MIN`, default 300. */
  readonly rateLimitPerMinute: number;
  /** Largest accepted request body in bytes. Env `TALKI_BODY_LIMIT_BYTES`, default 1 MiB. */
  readonly bodyLimitBytes: number;
  /** pino level: fatal, error, warn, info, debug, trace, silent. Env `LOG_LEVEL`, default info. */
  readonly logLevel: string;
  /** PostgreSQL pool size per process. Env `TALKI_PG_POOL_SIZE`, default 10. */
  readonly pgPoolSize: number;
  /**
   * HS256 key for agents' access tokens (at least 32 characters). Env `TALKI_JWT_SECRET`; unset:
   * a random key generated once and kept in the database, shared by every server process.
   */
  readonly jwtSecret: string | undefined;
  /** Lifetime of an agent access token in seconds. Env `TALKI_ACCESS_TOKEN_TTL_SEC`, default 900 (15 min). */
  readonly accessTokenTtlSeconds: number;
  /** Lifetime of a refresh token in days (each refresh issues a new one). Env `TALKI_REFRESH_TOKEN_TTL_DAYS`, default 30. */
  readonly refreshTokenTtlDays: number;
  /** Login attempts per email per 15 minutes; 0 = unlimited. Env `TALKI_LOGIN_MAX_PER_EMAIL`, default 10. */
  readonly loginMaxPerEmail: number;
  /** Login attempts per client IP per 15 minutes; 0 = unlimited. Env `TALKI_LOGIN_MAX_PER_IP`, default 50. */
  readonly loginMaxPerIp: number;
  /** Largest file accepted by POST /v1/uploads, in bytes. Env `TALKI_UPLOAD_MAX_BYTES`, default 25 MiB. */
  readonly uploadMaxBytes: number;
  /** Most files one POST /v1/uploads may carry. Env `TALKI_UPLOAD_MAX_FILES`, default 10. */
  readonly uploadMaxFiles: number;
  /**
   * How many proxies in front of Talki to trust for X-Forwarded-For (client IPs drive the
   * per-IP login and widget limits). Env `TALKI_TRUST_PROXY_HOPS`, default 0 (trust none).
   */
  readonly trustProxyHops: number;
  /** Whether `talki serve` also runs the job worker (and Telegram long polling). Env `TALKI_WORKER` (on|off), default on. */
  readonly runWorker: boolean;
  /** Jobs one worker process runs at once. Env `TALKI_JOB_CONCURRENCY`, default 4. */
  readonly jobConcurrency: number;
  /** How often an idle worker looks for due jobs, in ms (enqueues in the same process wake it at once). Env `TALKI_JOB_POLL_MS`, default 500. */
  readonly jobPollMs: number;
  /** First retry delay in ms; each later one doubles, with ±50% jitter. Env `TALKI_JOB_RETRY_BASE_MS`, default 1000. */
  readonly jobRetryBaseMs: number;
  /** Longest delay between two attempts, in ms. Env `TALKI_JOB_RETRY_MAX_MS`, default 300000 (5 min). */
  readonly jobRetryMaxMs: number;
  /** A job still failing this long after it was enqueued is given up (`dead`). Env `TALKI_JOB_GIVE_UP_AFTER_SEC`, default 86400 (24 h). */
  readonly jobGiveUpAfterSeconds: number;
  /** How long a claimed job is held before another worker may take it over (a crashed worker's jobs). Env `TALKI_JOB_LEASE_SEC`, default 60. */
  readonly jobLeaseSeconds: number;
  /**
   * How long an `Idempotency-Key` claimed by a request that has committed nothing is held before
   * a retry may run it again (its request died). Env `TALKI_IDEMPOTENCY_CLAIM_MS`, default 60000.
   */
  readonly idempotencyClaimTimeoutMs: number;
  /** Outbound SMTP server for email replies, e.g. smtp://user:pass@host:587 (a channel may set its own). Env `SMTP_URL`. */
  readonly smtpUrl: string | undefined;
  /** Port of the inbound SMTP listener; unset = no listener. Env `TALKI_SMTP_PORT`. */
  readonly smtpPort: number | undefined;
  /** Interface of the inbound SMTP listener. Env `TALKI_SMTP_HOST`, default the value of HOST. */
  readonly smtpHost: string;
  /** Largest inbound email accepted, in bytes (SMTP and the HTTP inbound hook). Env `TALKI_EMAIL_MAX_BYTES`, default 25 MiB. */
  readonly emailMaxBytes: number;
  /** Inbound mails a minute from one sender address (SMTP and the HTTP hook); 0 = unlimited. Env `TALKI_MAIL_PER_MIN`, default 20. */
  readonly inboundMailPerMinute: number;
  /** Inbound mails a minute from one client IP (the sending MTA, or the hook's caller); 0 = unlimited. Env `TALKI_MAIL_PER_IP_PER_MIN`, default 300. */
  readonly inboundMailPerIpPerMinute: number;
  /** Telegram Bot API base URL. Env `TELEGRAM_API_URL`, default https://api.telegram.org. */
  readonly telegramApiUrl: string;
  /**
   * The address the world reaches this server at (https://help.example.com), used to register
   * Telegram webhooks. Env `TALKI_PUBLIC_URL`; unset: the address the admin's request came in on.
   */
  readonly publicUrl: string | undefined;
  /**
   * Key that encrypts channel secrets (bot tokens, SMTP passwords) at rest; at least 32
   * characters. Env `TALKI_ENCRYPTION_KEY`; unset: a random key generated once and kept in the
   * database (set it in production, so a copy of the database alone does not reveal the secrets).
   */
  readonly encryptionKey: string | undefined;
  /**
   * Longest time a client may take to send one whole request, headers and body; slower ones get
   * 408 and are disconnected (a body dribbled a byte at a time must not hold a socket forever).
   * Env `TALKI_REQUEST_TIMEOUT_MS`, default 120000 (2 min: a 25 MiB upload at ~2 Mbit/s).
   */
  readonly requestTimeoutMs: number;
  /** Longest time a client may take to send a request's headers. Env `TALKI_HEADERS_TIMEOUT_MS`, default 15000. */
  readonly headersTimeoutMs: number;
  /**
   * Open connections one client address may hold at once; further ones get 429 and are closed;
   * 0 = unlimited. Env `TALKI_MAX_CONNECTIONS_PER_IP`, default 256, or 0 when
   * TALKI_TRUST_PROXY_HOPS is set (every connection then comes from the proxy, which should cap them).
   */
  readonly maxConnectionsPerIp: number;
  /**
   * How often an event stream (SSE and WebSocket) sends a heartbeat and re-checks the caller's
   * credentials, in ms. Env `TALKI_STREAM_HEARTBEAT_MS`, default 15000.
   */
  readonly streamHeartbeatMs: number;
  /** How often each server process looks for new events to wake its streams, in ms. Env `TALKI_STREAM_POLL_MS`, default 250. */
  readonly streamPollMs: number;
  /**
   * How long an agent's viewing/typing presence on the event socket lasts after their last
   * presence frame (the client re-sends it while it holds), in ms. Env `TALKI_PRESENCE_TTL_MS`,
   * default 30000.
   */
  readonly presenceTtlMs: number;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function optionalUrl(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
}

function optionalSecret(env: Env, name: string, minLength: number): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (raw.length < minLength) throw new ConfigError(`${name} must be at least ${minLength} characters`);
  return raw;
}

function onOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (['on', 'true', '1', 'yes'].includes(raw)) return true;
  if (['off', 'false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} must be on or off, got "${env[name]}"`);
}

function optionalPort(env: Env, name: string): number | undefined {
  const raw = env[name]?.trim();
  return raw ? integer(env, name, 0, 0, 65535) : undefined;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Env = process.env): Config {
  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return Object.freeze({
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST?.trim() || '0.0.0.0',
    dataDir: path.resolve(env.TALKI_DATA_DIR?.trim() || './data'),
    databaseUrl: optionalUrl(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: optionalUrl(env, 'REDIS_URL', ['redis:', 'rediss:']),
    rateLimitPerMinute: integer(env, 'TALKI_RATE_LIMIT_PER_MIN', 300, 0, 1_000_000),
    bodyLimitBytes: integer(env, 'TALKI_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 100 * 1024 * 1024),
    logLevel,
    pgPoolSize: integer(env, 'TALKI_PG_POOL_SIZE', 10, 1, 500),
    jwtSecret: optionalSecret(env, 'TALKI_JWT_SECRET', 32),
    accessTokenTtlSeconds: integer(env, 'TALKI_ACCESS_TOKEN_TTL_SEC', 900, 30, 86_400),
    refreshTokenTtlDays: integer(env, 'TALKI_REFRESH_TOKEN_TTL_DAYS', 30, 1, 365),
    loginMaxPerEmail: integer(env, 'TALKI_LOGIN_MAX_PER_EMAIL', 10, 0, 1_000_000),
    loginMaxPerIp: integer(env, 'TALKI_LOGIN_MAX_PER_IP', 50, 0, 1_000_000),
    uploadMaxBytes: integer(env, 'TALKI_UPLOAD_MAX_BYTES', 25 * 1024 * 1024, 1, 1024 * 1024 * 1024),
    uploadMaxFiles: integer(env, 'TALKI_UPLOAD_MAX_FILES', 10, 1, 100),
    trustProxyHops: integer(env, 'TALKI_TRUST_PROXY_HOPS', 0, 0, 10),
    runWorker: onOff(env, 'TALKI_WORKER', true),
    jobConcurrency: integer(env, 'TALKI_JOB_CONCURRENCY', 4, 1, 100),
    jobPollMs: integer(env, 'TALKI_JOB_POLL_MS', 500, 10, 60_000),
    jobRetryBaseMs: integer(env, 'TALKI_JOB_RETRY_BASE_MS', 1000, 1, 3_600_000),
    jobRetryMaxMs: integer(env, 'TALKI_JOB_RETRY_MAX_MS', 300_000, 1, 86_400_000),
    jobGiveUpAfterSeconds: integer(env, 'TALKI_JOB_GIVE_UP_AFTER_SEC', 86_400, 1, 30 * 86_400),
    jobLeaseSeconds: integer(env, 'TALKI_JOB_LEASE_SEC', 60, 1, 3600),
    idempotencyClaimTimeoutMs: integer(env, 'TALKI_IDEMPOTENCY_CLAIM_MS', 60_000, 100, 86_400_000),
    smtpUrl: optionalUrl(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    smtpPort: optionalPort(env, 'TALKI_SMTP_PORT'),
    smtpHost: env.TALKI_SMTP_HOST?.trim() || env.HOST?.trim() || '0.0.0.0',
    emailMaxBytes: integer(env, 'TALKI_EMAIL_MAX_BYTES', 25 * 1024 * 1024, 1024, 200 * 1024 * 1024),
    inboundMailPerMinute: integer(env, 'TALKI_MAIL_PER_MIN', 20, 0, 1_000_000),
    inboundMailPerIpPerMinute: integer(env, 'TALKI_MAIL_PER_IP_PER_MIN', 300, 0, 1_000_000),
    telegramApiUrl: (
      optionalUrl(env, 'TELEGRAM_API_URL', ['http:', 'https:']) ?? 'https://api.telegram.org'
    ).replace(/\/+$/, ''),
    publicUrl: optionalUrl(env, 'TALKI_PUBLIC_URL', ['http:', 'https:'])?.replace(/\/+$/, ''),
    encryptionKey: optionalSecret(env, 'TALKI_ENCRYPTION_KEY', 32),
    streamHeartbeatMs: integer(env, 'TALKI_STREAM_HEARTBEAT_MS', 15_000, 50, 3_600_000),
    streamPollMs: integer(env, 'TALKI_STREAM_POLL_MS', 250, 10, 60_000),
    presenceTtlMs: integer(env, 'TALKI_PRESENCE_TTL_MS', 30_000, 100, 3_600_000),
    ...requestLimits(env),
  });
}

function requestLimits(env: Env) {
  const requestTimeoutMs = integer(env, 'TALKI_REQUEST_TIMEOUT_MS', 120_000, 100, 3_600_000);
  const headersTimeoutMs = integer(env, 'TALKI_HEADERS_TIMEOUT_MS', 15_000, 100, 3_600_000);
  // Node refuses a headers timeout longer than the whole request's.
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError('TALKI_HEADERS_TIMEOUT_MS must not exceed TALKI_REQUEST_TIMEOUT_MS');
  }
  const behindProxy = integer(env, 'TALKI_TRUST_PROXY_HOPS', 0, 0, 10) > 0;
  const maxConnectionsPerIp = integer(
    env,
    'TALKI_MAX_CONNECTIONS_PER_IP',
    behindProxy ? 0 : 256,
    0,
    1_000_000,
  );
  return { requestTimeoutMs, headersTimeoutMs, maxConnectionsPerIp };
}
