import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELIVER_MESSAGE } from '../src/channels/delivery-queue.js';
import { enqueueJob } from '../src/jobs/queue.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './support/databases.js';
import { runCli } from './support/processes.js';

/** A port something else is listening on, for as long as the test holds it. */
async function takenPort(): Promise<{ port: number; release(): Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, release: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A port nothing listens on (taken and given back at once). */
async function closedPort(): Promise<number> {
  const taken = await takenPort();
  await taken.release();
  return taken.port;
}

describe.each(DIALECTS)('a start-up that fails on %s', (dialect) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(() => database.drop());

  /** A delivery due now: a worker that starts would claim it at once. */
  async function queuedDelivery(): Promise<string> {
    return enqueueJob(database.db.kysely, {
      type: DELIVER_MESSAGE,
      orgId: null,
      payload: { messageId: 'msg_startup_check' },
    });
  }

  async function untouched(jobId: string) {
    const job = await database.db.kysely
      .selectFrom('jobs')
      .select(['status', 'attempts', 'locked_by'])
      .where('id', '=', jobId)
      .executeTakeFirstOrThrow();
    expect(job).toEqual({ status: 'pending', attempts: 0, locked_by: null });
  }

  it('exits 1 with one line when the HTTP port is taken, before any job is worked', async () => {
    const jobId = await queuedDelivery();
    const taken = await takenPort();
    try {
      const result = await runCli(['serve'], {
        ...database.env,
        HOST: '127.0.0.1',
        PORT: String(taken.port),
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `talki: cannot listen on 127.0.0.1:${taken.port}: address already in use (EADDRINUSE) — set PORT\n`,
      );
      await untouched(jobId);
    } finally {
      await taken.release();
    }
  });

  it('exits 1 with one line when the SMTP port is taken, before any job is worked', async () => {
    const jobId = await queuedDelivery();
    const taken = await takenPort();
    try {
      const result = await runCli(['serve'], {
        ...database.env,
        HOST: '127.0.0.1',
        PORT: '0',
        TALKI_SMTP_PORT: String(taken.port),
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `talki: cannot listen for SMTP on 127.0.0.1:${taken.port}: address already in use (EADDRINUSE) — set TALKI_SMTP_PORT\n`,
      );
      // LOG_LEVEL=warn: the failed listen is not logged a second time as a connection error.
      expect(result.stdout).toBe('');
      await untouched(jobId);
    } finally {
      await taken.release();
    }
  });

  it('serve and worker exit 1 with one line when Redis is unreachable', async () => {
    const jobId = await queuedDelivery();
    const port = await closedPort();
    for (const command of ['serve', 'worker']) {
      const result = await runCli([command], {
        ...database.env,
        HOST: '127.0.0.1',
        PORT: '0',
        REDIS_URL: `redis://127.0.0.1:${port}`,
      });
      expect({ command, code: result.code }).toEqual({ command, code: 1 });
      expect(result.stderr).toBe(
        `talki: cannot reach Redis at redis://127.0.0.1:${port}: connection refused (ECONNREFUSED) — check REDIS_URL\n`,
      );
    }
    await untouched(jobId);
  });
});

const MAIN = path.resolve(import.meta.dirname, '../dist/main.js');

/**
 * The CLI as a user without privileges over `dir`: root ignores file modes, so as root it
 * runs as nobody (setpriv, util-linux); otherwise as the current user.
 */
async function runUnprivileged(args: string[], env: Record<string, string>) {
  const command = [process.execPath, MAIN, ...args];
  const [file, ...rest] =
    process.getuid?.() === 0
      ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...command]
      : command;
  const child = spawn(file!, rest, {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stderr };
}

describe('a database that cannot be used', () => {
  it('names the path and TALKI_DATA_DIR when the data directory is not writable', async () => {
    const database = await createTestDatabase('sqlite');
    try {
      const root = database.env.TALKI_DATA_DIR;
      const locked = path.join(root, 'locked');
      fs.mkdirSync(locked);
      fs.chmodSync(root, 0o755);
      fs.chmodSync(locked, 0o555);
      const inside = await runUnprivileged(['migrate'], { TALKI_DATA_DIR: locked });
      expect(inside.code).toBe(1);
      expect(inside.stderr).toBe(
        `talki: cannot use the SQLite database ${path.join(locked, 'talki.db')}: unable to open the database file (SQLITE_CANTOPEN) — check TALKI_DATA_DIR\n`,
      );
      const below = path.join(locked, 'data');
      const made = await runUnprivileged(['serve'], { TALKI_DATA_DIR: below, PORT: '0' });
      expect(made.code).toBe(1);
      expect(made.stderr).toBe(
        `talki: cannot use the data directory ${below}: permission denied (EACCES) — check TALKI_DATA_DIR\n`,
      );
    } finally {
      await database.drop();
    }
  });

  it('names the path and TALKI_DATA_DIR when the database file is read-only', async () => {
    const database = await createTestDatabase('sqlite');
    try {
      const dir = path.join(database.env.TALKI_DATA_DIR, 'read-only');
      expect((await runCli(['migrate'], { TALKI_DATA_DIR: dir })).code).toBe(0);
      fs.chmodSync(database.env.TALKI_DATA_DIR, 0o755);
      fs.chmodSync(dir, 0o777);
      fs.chmodSync(path.join(dir, 'talki.db'), 0o444);
      // SQLite opens such a file read-only without a word: up to date, every write would fail.
      for (const args of [['migrate'], ['serve'], ['org', 'create', '--name', 'Acme']]) {
        const result = await runUnprivileged(args, { TALKI_DATA_DIR: dir, PORT: '0' });
        expect(result.code, args.join(' ')).toBe(1);
        expect(result.stderr).toBe(
          `talki: cannot use the SQLite database ${path.join(dir, 'talki.db')}: the database is read-only (SQLITE_READONLY) — check TALKI_DATA_DIR\n`,
        );
      }
    } finally {
      await database.drop();
    }
  });

  it('names the data directory and TALKI_DATA_DIR when it is not a directory', async () => {
    const database = await createTestDatabase('sqlite');
    try {
      const file = path.join(database.env.TALKI_DATA_DIR, 'not-a-dir');
      fs.writeFileSync(file, 'x');
      for (const args of [['serve'], ['migrate'], ['org', 'create', '--name', 'X']]) {
        const result = await runCli(args, { TALKI_DATA_DIR: file, PORT: '0' });
        expect({ args, code: result.code }).toEqual({ args, code: 1 });
        expect(result.stderr).toBe(
          `talki: cannot use the data directory ${file}: exists and is not a directory (EEXIST) — check TALKI_DATA_DIR\n`,
        );
      }
    } finally {
      await database.drop();
    }
  });

  it('names the database file when it is not a SQLite database', async () => {
    const database = await createTestDatabase('sqlite');
    try {
      const dir = path.join(database.env.TALKI_DATA_DIR, 'broken');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'talki.db'), 'this is not a database, just some text '.repeat(50));
      const result = await runCli(['serve'], { TALKI_DATA_DIR: dir, PORT: '0' });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `talki: cannot use the SQLite database ${path.join(dir, 'talki.db')}: the file is not a SQLite database (SQLITE_NOTADB) — check TALKI_DATA_DIR\n`,
      );
    } finally {
      await database.drop();
    }
  });

  it('names DATABASE_URL, without its password, when PostgreSQL is unreachable', async () => {
    const port = await closedPort();
    const result = await runCli(['serve'], {
      DATABASE_URL: `postgres://talki:s3cret@127.0.0.1:${port}/talki`,
      PORT: '0',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `talki: cannot use the PostgreSQL database postgres://talki:***@127.0.0.1:${port}/talki: connection refused (ECONNREFUSED) — check DATABASE_URL\n`,
    );
  });

  it.each(DIALECTS.filter((d) => d === 'postgres'))(
    'names DATABASE_URL when the database does not exist (%s)',
    async () => {
      const url = new URL(process.env.DATABASE_URL!);
      url.pathname = '/talki_no_such_database';
      const result = await runCli(['migrate'], { DATABASE_URL: url.toString() });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^talki: cannot use the PostgreSQL database postgres:\/\/.*\/talki_no_such_database: database "talki_no_such_database" does not exist \(3D000\) — check DATABASE_URL\n$/,
      );
    },
  );
});
