/**
 * The durable job queue on a real database: outbox enqueue, claim and settle, retries with
 * backoff, the give-up horizon, lease and dead-process recovery, two workers sharing one
 * database, pruning, and the backoff formula's properties.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../src/db/database.js';
import type { JobStatus } from '../src/db/schema.js';
import { retryDelay } from '../src/jobs/backoff.js';
import { PermanentFailure, RetryLater } from '../src/jobs/errors.js';
import { enqueueJob, notifyJobsEnqueued, type NewJob } from '../src/jobs/queue.js';
import {
  startWorker,
  type ClaimedJob,
  type JobHandler,
  type JobWorker,
  type WorkerOptions,
} from '../src/jobs/worker.js';
import { newId } from '../src/lib/ids.js';
import { createOrg } from '../src/modules/orgs/orgs.service.js';
import { DIALECTS, createTestDatabase, type TestDatabase } from './support/databases.js';

const DAY_MS = 24 * 60 * 60_000;

/** Polls until `check` holds, failing after `timeoutMs`. */
async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A logger that keeps what it is told, so tests can look for errors. */
function memoryLog() {
  const entries: { level: string; obj: object; msg?: string | undefined }[] = [];
  const at = (level: string) => (obj: object, msg?: string) => void entries.push({ level, obj, msg });
  return { entries, info: at('info'), warn: at('warn'), error: at('error') };
}

describe.each(DIALECTS)('job queue (%s)', (dialect) => {
  let t: TestDatabase;
  let db: Db;
  const workers: JobWorker[] = [];
  const extraDbs: Db[] = [];

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    db = t.db;
  });
  afterAll(() => t.drop());
  beforeEach(async () => {
    await db.kysely.deleteFrom('jobs').execute();
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop(2_000)));
    await Promise.all(extraDbs.splice(0).map((other) => other.close()));
  });

  function start(handlers: Record<string, JobHandler>, options: Partial<WorkerOptions> = {}): JobWorker {
    const worker = startWorker({
      db: db.kysely,
      handlers,
      concurrency: 4,
      pollMs: 20,
      retryBaseMs: 5,
      retryMaxMs: 40,
      giveUpAfterMs: 60_000,
      leaseMs: 30_000,
      log: memoryLog(),
      ...options,
    });
    workers.push(worker);
    return worker;
  }

  /** A second connection (pool) to the same database, as another process would have. */
  function connectAgain(): Db {
    const other = openDatabase({
      dataDir: t.env.TALKI_DATA_DIR,
      databaseUrl: t.env.DATABASE_URL,
      pgPoolSize: 5,
    });
    extraDbs.push(other);
    return other;
  }

  async function enqueue(job: Partial<NewJob> & { type: string }): Promise<string> {
    const id = await enqueueJob(db.kysely, { orgId: null, payload: {}, ...job });
    notifyJobsEnqueued();
    return id;
  }

  const job = (id: string) =>
    db.kysely.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const attempts = (id: string) =>
    db.kysely.selectFrom('job_attempts').selectAll().where('job_id', '=', id).orderBy('attempt').execute();
  const statusIs = (id: string, status: JobStatus) => async () => (await job(id)).status === status;

  async function insertRunning(lockedBy: string, lockedUntil: number): Promise<string> {
    const now = Date.now();
    const id = newId('job', now);
    await db.kysely
      .insertInto('jobs')
      .values({
        id,
        org_id: null,
        type: 'orphan',
        payload: '{}',
        status: 'running',
        attempts: 1,
        run_at: now - 1_000,
        locked_by: lockedBy,
        locked_until: lockedUntil,
        created_at: now - 1_000,
        updated_at: now - 1_000,
      })
      .execute();
    await db.kysely
      .insertInto('job_attempts')
      .values({ job_id: id, attempt: 1, worker: lockedBy, started_at: now - 1_000 })
      .execute();
    return id;
  }

  it('never runs a job enqueued in a transaction that rolled back', async () => {
    const ran: string[] = [];
    start({ note: { run: async (j) => void ran.push(j.payload.which as string) } });
    let rolledBack = '';
    await expect(
      db.kysely.transaction().execute(async (trx) => {
        rolledBack = await enqueueJob(trx, { type: 'note', orgId: null, payload: { which: 'rolled back' } });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    notifyJobsEnqueued();
    const committed = await db.kysely
      .transaction()
      .execute((trx) => enqueueJob(trx, { type: 'note', orgId: null, payload: { which: 'committed' } }));
    notifyJobsEnqueued();
    await waitFor(statusIs(committed, 'done'));
    expect(ran).toEqual(['committed']);
    expect(await db.kysely.selectFrom('jobs').select('id').where('id', '=', rolledBack).execute()).toEqual(
      [],
    );
  });

  it('runs a job once with its payload and org, then marks it done with one attempt', async () => {
    const org = await createOrg(db.kysely, { name: 'Acme', adminEmail: 'a@acme.test', adminName: 'A' });
    const seen: ClaimedJob[] = [];
    start({ greet: { run: async (j) => void seen.push(j) } });
    const id = await enqueue({ type: 'greet', orgId: org.org.id, payload: { to: 'world', n: 2 } });
    await waitFor(statusIs(id, 'done'));
    expect(seen).toEqual([
      {
        id,
        type: 'greet',
        orgId: org.org.id,
        payload: { to: 'world', n: 2 },
        attempt: 1,
        createdAt: expect.any(Number),
      },
    ]);
    const row = await job(id);
    expect(row).toMatchObject({ attempts: 1, locked_by: null, locked_until: null, last_error: null });
    expect(row.finished_at).toBeGreaterThanOrEqual(row.created_at);
    const history = await attempts(id);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ attempt: 1, error: null, worker: workers[0]!.id });
    expect(history[0]!.finished_at).toBeGreaterThanOrEqual(history[0]!.started_at);
  });

  it('retries transient failures with backoff until one succeeds, recording every error', async () => {
    const retries: [number, string][] = [];
    start({
      flaky: {
        run: async (j) => {
          if (j.attempt < 3) throw new Error(`boom ${j.attempt}`);
        },
        onRetry: async (j, error) => void retries.push([j.attempt, error]),
      },
    });
    const id = await enqueue({ type: 'flaky' });
    await waitFor(statusIs(id, 'done'));
    const history = await attempts(id);
    expect(history.map((a) => a.error)).toEqual(['boom 1', 'boom 2', null]);
    for (let i = 1; i < history.length; i++) {
      expect(history[i]!.started_at).toBeGreaterThanOrEqual(history[i - 1]!.finished_at!);
    }
    expect(retries).toEqual([
      [1, 'boom 1'],
      [2, 'boom 2'],
    ]);
    expect(await job(id)).toMatchObject({ attempts: 3, last_error: 'boom 2', status: 'done' });
  });

  it('gives up past the horizon: dead, onGiveUp called exactly once', async () => {
    const gaveUp: [string, string][] = [];
    let retries = 0;
    start(
      {
        doomed: {
          run: async (j) => {
            throw new Error(`still failing (${j.attempt})`);
          },
          onRetry: async () => void retries++,
          onGiveUp: async (j, error) => void gaveUp.push([j.id, error]),
        },
      },
      { retryBaseMs: 20, retryMaxMs: 40, giveUpAfterMs: 200 },
    );
    const id = await enqueue({ type: 'doomed' });
    await waitFor(statusIs(id, 'dead'));
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    const row = await job(id);
    expect(gaveUp).toEqual([[id, `still failing (${row.attempts})`]]);
    expect(row.attempts).toBeGreaterThan(1);
    expect(retries).toBe(row.attempts - 1);
    expect(row.last_error).toBe(`still failing (${row.attempts})`);
    expect(row.finished_at).not.toBeNull();
    const history = await attempts(id);
    expect(history).toHaveLength(row.attempts);
    expect(history.every((a) => a.error !== null && a.finished_at !== null)).toBe(true);
  });

  it('gives up at once on PermanentFailure, without retrying', async () => {
    const calls: string[] = [];
    start({
      blocked: {
        run: async () => {
          calls.push('run');
          throw new PermanentFailure('bot was blocked by the user');
        },
        onRetry: async () => void calls.push('retry'),
        onGiveUp: async (_j, error) => void calls.push(`give up: ${error}`),
      },
    });
    const id = await enqueue({ type: 'blocked' });
    await waitFor(statusIs(id, 'dead'));
    await waitFor(() => calls.length === 2);
    expect(calls).toEqual(['run', 'give up: bot was blocked by the user']);
    expect(await job(id)).toMatchObject({ attempts: 1, last_error: 'bot was blocked by the user' });
  });

  it('waits at least the RetryLater delay, and tells onRetry the error and the time', async () => {
    const starts: number[] = [];
    let failedAt = 0;
    const retried: { attempt: number; error: string; retryAt: number }[] = [];
    start({
      limited: {
        run: async (j) => {
          starts.push(Date.now());
          if (j.attempt === 1) {
            failedAt = Date.now();
            throw new RetryLater('429 Too Many Requests', 300);
          }
        },
        onRetry: async (j, error, retryAt) => void retried.push({ attempt: j.attempt, error, retryAt }),
      },
    });
    const id = await enqueue({ type: 'limited' });
    await waitFor(statusIs(id, 'done'));
    expect(starts).toHaveLength(2);
    expect(starts[1]! - failedAt).toBeGreaterThanOrEqual(300);
    expect(retried).toHaveLength(1);
    expect(retried[0]).toMatchObject({ attempt: 1, error: '429 Too Many Requests' });
    expect(retried[0]!.retryAt).toBeGreaterThanOrEqual(failedAt + 300);
    expect(starts[1]!).toBeGreaterThanOrEqual(retried[0]!.retryAt);
  });

  it('marks a job of an unknown type dead with a clear error', async () => {
    start({});
    const id = await enqueue({ type: 'no.such.type' });
    await waitFor(statusIs(id, 'dead'));
    expect(await job(id)).toMatchObject({
      attempts: 1,
      last_error: 'no handler for job type "no.such.type"',
    });
    expect((await attempts(id))[0]!.error).toBe('no handler for job type "no.such.type"');
  });

  it('keeps the job state when a hook throws', async () => {
    const log = memoryLog();
    start(
      {
        hooked: {
          run: async (j) => {
            if (j.attempt === 1) throw new Error('first try fails');
          },
          onRetry: async () => {
            throw new Error('hook exploded');
          },
        },
      },
      { log },
    );
    const id = await enqueue({ type: 'hooked' });
    await waitFor(statusIs(id, 'done'));
    expect(await job(id)).toMatchObject({ attempts: 2 });
    expect(log.entries.some((e) => e.level === 'error' && e.msg === 'job onRetry hook failed')).toBe(true);
  });

  it('runs each of 200 jobs exactly once with two workers on two connections', async () => {
    const runs: string[] = [];
    const handlers = {
      count: {
        run: async (j: ClaimedJob) => {
          runs.push(j.id);
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
        },
      },
    };
    const ids = await db.kysely
      .transaction()
      .execute(async (trx) =>
        Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            enqueueJob(trx, { type: 'count', orgId: null, payload: { i } }),
          ),
        ),
      );
    // Started after the enqueue: on SQLite, a transaction open on one connection would make the
    // others of this (synchronous) process wait on its lock instead of letting it finish.
    start(handlers, { db: connectAgain().kysely });
    start(handlers, { db: connectAgain().kysely });
    const done = async () =>
      Number(
        (
          await db.kysely
            .selectFrom('jobs')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('status', '=', 'done')
            .executeTakeFirstOrThrow()
        ).n,
      ) === 200;
    await waitFor(done, 30_000);
    expect(runs).toHaveLength(200);
    expect(new Set(runs)).toEqual(new Set(ids));
    const attemptRows = await db.kysely.selectFrom('job_attempts').select(['job_id', 'attempt']).execute();
    expect(attemptRows).toHaveLength(200);
    expect(attemptRows.every((a) => a.attempt === 1)).toBe(true);
  });

  it('reclaims a running job whose lease ran out, but not one whose lease holds', async () => {
    const ran: string[] = [];
    const expired = await insertRunning('elsewhere.example:4242:aaaa', Date.now() - 1_000);
    const held = await insertRunning('elsewhere.example:4243:bbbb', Date.now() + 10 * 60_000);
    start({ orphan: { run: async (j) => void ran.push(j.id) } });
    await waitFor(statusIs(expired, 'done'));
    expect(ran).toEqual([expired]);
    expect(await job(expired)).toMatchObject({ attempts: 2 });
    const history = await attempts(expired);
    expect(history.map((a) => a.attempt)).toEqual([1, 2]);
    expect(history[0]!.error).toMatch(/abandoned/);
    expect(history[0]!.finished_at).not.toBeNull();
    expect(history[1]!.error).toBeNull();
    expect(await job(held)).toMatchObject({ status: 'running', locked_by: 'elsewhere.example:4243:bbbb' });
  });

  it('reclaims at once a job locked by a dead process on this host, long before its lease', async () => {
    const child = spawn(process.execPath, ['-e', '']);
    await once(child, 'exit');
    const id = await insertRunning(`${os.hostname()}:${child.pid}:dead`, Date.now() + 10 * 60_000);
    const ran: string[] = [];
    start({ orphan: { run: async (j) => void ran.push(j.id) } });
    await waitFor(statusIs(id, 'done'), 5_000);
    expect(ran).toEqual([id]);
    expect(await job(id)).toMatchObject({ attempts: 2 });
  });

  it('wakes an idle worker on notifyJobsEnqueued() and wake(), not at its next poll', async () => {
    const ran: string[] = [];
    const worker = start({ quick: { run: async (j) => void ran.push(j.id) } }, { pollMs: 60_000 });
    // Let the worker find nothing and settle into its (one-minute) poll sleep.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const first = await enqueue({ type: 'quick' });
    await waitFor(statusIs(first, 'done'), 5_000);
    const second = await enqueueJob(db.kysely, { type: 'quick', orgId: null, payload: {} });
    worker.wake();
    await waitFor(statusIs(second, 'done'), 5_000);
    expect(ran).toEqual([first, second]);
  });

  it('prunes done jobs older than 7 days and keeps the rest', async () => {
    const now = Date.now();
    const insert = (status: JobStatus, finishedAt: number) => {
      const id = newId('job', finishedAt);
      return db.kysely
        .insertInto('jobs')
        .values({
          id,
          org_id: null,
          type: 'old',
          payload: '{}',
          status,
          run_at: finishedAt,
          created_at: finishedAt,
          updated_at: finishedAt,
          finished_at: finishedAt,
        })
        .execute()
        .then(() => id);
    };
    const oldDone = await insert('done', now - 8 * DAY_MS);
    await db.kysely
      .insertInto('job_attempts')
      .values({
        job_id: oldDone,
        attempt: 1,
        worker: 'w',
        started_at: now - 8 * DAY_MS,
        finished_at: now - 8 * DAY_MS,
      })
      .execute();
    const recentDone = await insert('done', now - DAY_MS);
    const oldDead = await insert('dead', now - 8 * DAY_MS);
    start({});
    const remaining = async () =>
      (await db.kysely.selectFrom('jobs').select('id').execute()).map((r) => r.id).sort();
    await waitFor(async () => (await remaining()).length === 2);
    expect(await remaining()).toEqual([recentDone, oldDead].sort());
    expect(await attempts(oldDone)).toEqual([]);
  });

  it('stop() waits for a running job, and returns at its timeout without throwing', async () => {
    let release = () => {};
    const blocked = new Promise<void>((resolve) => (release = resolve));
    let started = false;
    const worker = start({
      slow: {
        run: async () => {
          started = true;
          await blocked;
        },
      },
    });
    const id = await enqueue({ type: 'slow' });
    await waitFor(() => started);
    await expect(worker.stop(100)).resolves.toBeUndefined();
    expect((await job(id)).status).toBe('running');
    release();
    await waitFor(statusIs(id, 'done'));
    // A stopped worker claims nothing more.
    const later = await enqueue({ type: 'slow' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await job(later)).status).toBe('pending');
  });

  it('logs database errors and carries on instead of crashing', async () => {
    const log = memoryLog();
    const broken = connectAgain();
    const worker = start({}, { db: broken.kysely, log });
    await broken.close();
    await waitFor(() => log.entries.some((e) => e.level === 'error'));
    await expect(worker.stop(1_000)).resolves.toBeUndefined();
  });
});

describe('retryDelay', () => {
  it('doubles from the base, up to the cap, within ±50% jitter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, baseMs, maxMs, r) => {
          const nominal = Math.min(baseMs * 2 ** (attempt - 1), maxMs);
          const delay = retryDelay(attempt, baseMs, maxMs, () => r);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(nominal * 0.5));
          expect(delay).toBeLessThanOrEqual(Math.ceil(nominal * 1.5));
          expect(delay).toBeLessThanOrEqual(Math.ceil(maxMs * 1.5));
        },
      ),
    );
  });

  it('grows with the attempt for the same jitter until it reaches the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, baseMs, maxMs, r) => {
          const now = retryDelay(attempt, baseMs, maxMs, () => r);
          const next = retryDelay(attempt + 1, baseMs, maxMs, () => r);
          expect(next).toBeGreaterThanOrEqual(now);
        },
      ),
    );
  });

  it('is exactly the nominal delay without jitter (random() = 0.5)', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelay(attempt, 1000, 5000, () => 0.5))).toEqual([
      1000, 2000, 4000, 5000, 5000,
    ]);
  });
});
