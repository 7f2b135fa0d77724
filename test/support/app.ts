import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { DialectName } from '../../src/db/database.js';
import type { RateLimiter } from '../../src/http/rate-limit.js';
import { MemoryRateLimiter } from '../../src/http/rate-limit.memory.js';
import { createOrg, type CreatedOrg } from '../../src/modules/orgs/orgs.service.js';
import { createTestDatabase, type TestDatabase } from './databases.js';

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  config: Config;
  /** The app's rate limiter, for other listeners of the same server (SMTP) to share. */
  limiter: RateLimiter;
  close(): Promise<void>;
}

/** The real app on a database of its own, with in-memory rate limits unless given a limiter. */
export async function startTestApp(
  dialect: DialectName,
  options: { env?: Record<string, string>; limiter?: RateLimiter } = {},
): Promise<TestApp> {
  const database = await createTestDatabase(dialect);
  const config = loadConfig({ ...database.env, LOG_LEVEL: 'silent', ...options.env });
  const limiter = options.limiter ?? new MemoryRateLimiter();
  const app = await buildApp({ config, db: database.db, limiter, logger: false });
  await app.ready();
  return {
    app,
    database,
    config,
    limiter,
    async close() {
      await app.close();
      await limiter.close();
      await database.drop();
    },
  };
}

let orgCounter = 0;

/** A new org with an admin, a secret key and a widget key. */
export function newOrg(t: TestApp, name = `Org ${++orgCounter}`): Promise<CreatedOrg> {
  return createOrg(t.database.db.kysely, {
    name,
    adminEmail: `admin${++orgCounter}.${Date.now()}@example.com`,
    adminName: 'Ada Admin',
  });
}

/** A client bound to one API key: `api.get('/v1/tickets')`, `api.post(url, body)`. */
export function client(app: FastifyInstance, key: string | undefined) {
  const send = (
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    app.inject({
      method,
      url,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
      ...(body === undefined ? {} : { payload: body as string | object }),
    });
  return {
    get: (url: string, headers?: Record<string, string>) => send('GET', url, undefined, headers),
    post: (url: string, body?: unknown, headers?: Record<string, string>) => send('POST', url, body, headers),
    patch: (url: string, body?: unknown, headers?: Record<string, string>) =>
      send('PATCH', url, body, headers),
    delete: (url: string, headers?: Record<string, string>) => send('DELETE', url, undefined, headers),
  };
}

export type Client = ReturnType<typeof client>;

export function json<T = Record<string, unknown>>(response: LightMyRequestResponse): T {
  return response.json<T>();
}

/** The body the reference documents for POST /v1/tickets, with overrides. */
export function ticketBody(overrides: Record<string, unknown> = {}) {
  return {
    channel: 'api',
    subject: 'Password reset not working',
    customer: { name: 'Bob Smith', email: 'bob@example.com' },
    message: "I clicked 'Forgot Password' but the email never arrived.",
    tags: ['password', 'email-delivery'],
    ...overrides,
  };
}
