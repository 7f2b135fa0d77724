import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { SecretBox } from '../channels/secret-box.js';
import type { Database } from '../db/schema.js';
import type { RealtimeBus } from '../realtime/bus.js';
import type { BlobStorage } from '../storage/storage.js';
import type { RateLimiter } from './rate-limit.js';

/** What a feature module's routes may use. Services get `db` (or a transaction) as their first argument. */
export interface ModuleDeps {
  db: Kysely<Database>;
  config: Config;
  limiter: RateLimiter;
  /** Uploaded and received files. */
  storage: BlobStorage;
  /** Live events to open widgets (in-process, or Redis when REDIS_URL is set). */
  bus: RealtimeBus;
  /** Encrypts and decrypts channel secrets. */
  box: SecretBox;
}

/** A feature's routes: registered under /v1 behind authentication, or at the root when public. */
export type RoutesPlugin = (app: FastifyInstance) => Promise<void>;
export type ModuleRoutes = (deps: ModuleDeps) => RoutesPlugin;
