import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { withTransactionParticipants } from './transaction-participants.js';

export type DialectName = 'sqlite' | 'postgres';

export interface DatabaseOptions {
  /** postgres://… selects PostgreSQL; otherwise SQLite in `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  pgPoolSize?: number;
}

/** The database behind one Kysely instance, plus what differs per dialect. */
export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: DialectName;
  /** Resolves when the database answers a trivial query (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const SQLITE_FILE = 'talki.db';

export function openDatabase(options: DatabaseOptions): Db {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.pgPoolSize ?? 10)
    : openSqlite(options.dataDir);
}

function openSqlite(dataDir: string): Db {
  fs.mkdirSync(dataDir, { recursive: true });
  const connection = new SQLite(path.join(dataDir, SQLITE_FILE));
  connection.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before the API answers 201 (durability over a little speed).
  connection.pragma('synchronous = FULL');
  connection.pragma('foreign_keys = ON');
  // The CLI may write while a server runs: wait for the lock instead of failing at once.
  connection.pragma('busy_timeout = 5000');
  assertWritable(connection);
  dropStat4Samples(connection);
  const kysely = withTransactionParticipants(
    new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(connection) }) }),
  );
  return {
    kysely,
    dialect: 'sqlite',
    async ping() {
      await sql`select 1`.execute(kysely);
    },
    async close() {
      await kysely.destroy();
    },
  };
}

/**
 * SQLite silently opens a file it may read but not write read-only; rewriting the header's
 * user_version fails there with SQLITE_READONLY, so start-up says so instead of the first write.
 */
function assertWritable(connection: SQLite.Database): void {
  const version = Number(connection.pragma('user_version', { simple: true }));
  connection.pragma(`user_version = ${version}`);
}

/**
 * better-sqlite3's SQLite is built with STAT4. Once `sqlite_stat4` holds samples (a manual
 * ANALYZE leaves them), every statement whose plan could depend on a bound value is re-planned
 * on every run — a primary-key lookup goes from ~5 µs to ~40 µs and a three-way join to ~1 ms.
 * Talki's indexes are chosen well from sqlite_stat1 alone, so the samples are dropped.
 */
function dropStat4Samples(connection: SQLite.Database): void {
  const hasStat4 = connection
    .prepare("select 1 from sqlite_master where type = 'table' and name = 'sqlite_stat4'")
    .get();
  if (hasStat4) connection.exec('delete from sqlite_stat4');
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query anew; better-sqlite3 statements are reusable, and Talki issues
 * the same few hundred SQL texts over and over, so keep the prepared ones.
 */
function withStatementCache(connection: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => connection.close(),
    prepare(text: string) {
      let statement = statements.get(text);
      if (!statement) {
        // Texts vary with IN-list lengths; a full reset now and then keeps the cache bounded.
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
        statement = connection.prepare(text);
        statements.set(text, statement);
      }
      return statement;
    },
  };
}

// BIGINT (epoch ms, counts) as JS numbers: every value Talki stores is far below 2^53.
const INT8_OID = 20;
const parseInt8 = (value: string): number => Number(value);
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    return oid === INT8_OID ? parseInt8 : (pg.types.getTypeParser(oid, format) as (value: string) => unknown);
  },
};

function openPostgres(connectionString: string, max: number): Db {
  const pool = new pg.Pool({ connectionString, max, types: pgTypes });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const kysely = withTransactionParticipants(
    new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
  );
  return {
    kysely,
    dialect: 'postgres',
    async ping() {
      await sql`select 1`.execute(kysely);
    },
    async close() {
      await kysely.destroy();
    },
  };
}

/** A unique or primary-key violation, recognised by the driver's error code, never its message. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
