import { loadConfig, type Config } from '../config.js';
import { openDatabase, type Db } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { CONNECT_TIMEOUT_MS, databaseError, isEnvironmentError, within } from './startup.js';

export interface CliContext {
  config: Config;
  db: Db;
}

/**
 * The database open, answering and migrated; any failure is one StartupError naming the
 * setting to check (TALKI_DATA_DIR or DATABASE_URL) and leaves nothing open.
 */
export async function openReadyDatabase(config: Config): Promise<Db> {
  let db: Db | undefined;
  try {
    db = openDatabase(config);
    // PostgreSQL connects lazily, and to a host that drops packets it would wait forever.
    await within(CONNECT_TIMEOUT_MS, db.ping());
  } catch (error) {
    await db?.close().catch(() => {});
    throw databaseError(config, error);
  }
  try {
    await migrateToLatest(db);
    return db;
  } catch (error) {
    await db.close().catch(() => {});
    // A read-only file or a missing grant shows up only on the first write; a bug in a migration stays a bug.
    throw isEnvironmentError(error) ? databaseError(config, error) : error;
  }
}

/** Config, an open database and an up-to-date schema: what every command starts from. */
export async function openContext(): Promise<CliContext> {
  const config = loadConfig();
  return { config, db: await openReadyDatabase(config) };
}

/** Runs `fn` with a context and always closes the database afterwards. */
export async function withContext<T>(fn: (ctx: CliContext) => Promise<T>): Promise<T> {
  const ctx = await openContext();
  try {
    return await fn(ctx);
  } finally {
    await ctx.db.close();
  }
}
