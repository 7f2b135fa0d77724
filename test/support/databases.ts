import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type DialectName, type Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';

/**
 * The dialects this run covers: SQLite, or PostgreSQL when DATABASE_URL is set (CI runs the
 * suite once each way).
 */
export const DIALECTS: DialectName[] = process.env.DATABASE_URL ? ['postgres'] : ['sqlite'];

export interface TestDatabase {
  db: Db;
  /** What a child process needs to reach the same database. */
  env: { TALKI_DATA_DIR: string; DATABASE_URL?: string };
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A new, migrated, empty database of its own: a temp dir for SQLite, a fresh database on PostgreSQL. */
export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'talki-test-'));
  if (dialect === 'sqlite') {
    const db = openDatabase({ dataDir });
    await migrateToLatest(db);
    return {
      db,
      env: { TALKI_DATA_DIR: dataDir },
      async drop() {
        await db.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error('DATABASE_URL is needed for PostgreSQL tests');
  const name = `talki_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const db = openDatabase({ dataDir, databaseUrl: url, pgPoolSize: 5 });
  await migrateToLatest(db);
  return {
    db,
    env: { TALKI_DATA_DIR: dataDir, DATABASE_URL: url },
    async drop() {
      await db.close();
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
