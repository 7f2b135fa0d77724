import { loadConfig, type Config } from '../config.js';
import { openDatabase, type Db } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';

export interface CliContext {
  config: Config;
  db: Db;
}

/** Config, an open database and an up-to-date schema: what every command starts from. */
export async function openContext(): Promise<CliContext> {
  const config = loadConfig();
  const db = openDatabase(config);
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return { config, db };
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
