import { PostgresAdapter, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { Database, JobsTable } from '../db/schema.js';

export type ClaimedRow = Pick<
  Selectable<JobsTable>,
  'id' | 'org_id' | 'type' | 'payload' | 'attempts' | 'created_at'
>;

/** One attempt of one job as a worker holds it: every write about it checks it still does. */
export interface JobLock {
  id: string;
  worker: string;
  attempt: number;
}

export type JobOutcome =
  | { status: 'done' }
  | { status: 'pending'; runAt: number; error: string }
  | { status: 'dead'; error: string };

function isPostgres(db: Kysely<Database>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export function insertJob(db: Kysely<Database>, row: Insertable<JobsTable>) {
  return db.insertInto('jobs').values(row).execute();
}

/**
 * Takes up to `limit` due jobs: pending ones whose time has come and running ones whose lease
 * ran out (their worker died elsewhere). PostgreSQL: SKIP LOCKED lets concurrent claimers pass
 * each other's rows, and the CTE is evaluated once (an IN-subquery with LIMIT may be re-run by
 * some plans). SQLite: one writer at a time makes the statement atomic by itself.
 */
export function claimDueJobs(
  db: Kysely<Database>,
  worker: string,
  now: number,
  leaseUntil: number,
  limit: number,
): Promise<ClaimedRow[]> {
  return db
    .with('due', (qb) => {
      const due = qb
        .selectFrom('jobs')
        .select('id')
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'pending'), eb('run_at', '<=', now)]),
            eb.and([eb('status', '=', 'running'), eb('locked_until', '<', now)]),
          ]),
        )
        .orderBy('run_at')
        .limit(limit);
      return isPostgres(db) ? due.forUpdate().skipLocked() : due;
    })
    .updateTable('jobs')
    .set((eb) => ({
      status: 'running',
      locked_by: worker,
      locked_until: leaseUntil,
      attempts: eb('attempts', '+', 1),
      updated_at: now,
    }))
    .where('id', 'in', (eb) => eb.selectFrom('due').select('due.id'))
    .returning(['id', 'org_id', 'type', 'payload', 'attempts', 'created_at'])
    .execute();
}

/**
 * Opens an attempt row per claimed job. A job on its second attempt or later may have been
 * taken over from a worker that never finished its attempt: that one is closed first, so the
 * history shows why the job ran again.
 */
export async function startAttempts(
  db: Kysely<Database>,
  rows: ClaimedRow[],
  worker: string,
  now: number,
): Promise<void> {
  if (rows.length === 0) return;
  const again = rows.filter((row) => row.attempts > 1).map((row) => row.id);
  if (again.length > 0) {
    await db
      .updateTable('job_attempts')
      .set({ finished_at: now, error: 'abandoned: its worker stopped or lost the lease' })
      .where('job_id', 'in', again)
      .where('finished_at', 'is', null)
      .execute();
  }
  await db
    .insertInto('job_attempts')
    .values(rows.map((row) => ({ job_id: row.id, attempt: row.attempts, worker, started_at: now })))
    .execute();
}

/** Moves the leases of this worker's running jobs forward; returns how many it still holds. */
export async function extendLeases(
  db: Kysely<Database>,
  worker: string,
  ids: string[],
  leaseUntil: number,
  now: number,
): Promise<number> {
  const result = await db
    .updateTable('jobs')
    .set({ locked_until: leaseUntil, updated_at: now })
    .where('id', 'in', ids)
    .where('locked_by', '=', worker)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export function finishAttempt(db: Kysely<Database>, lock: JobLock, error: string | null, now: number) {
  return db
    .updateTable('job_attempts')
    .set({ finished_at: now, error })
    .where('job_id', '=', lock.id)
    .where('attempt', '=', lock.attempt)
    .execute();
}

/** Records the outcome of an attempt; false when another worker has taken the job over since. */
export async function settleJob(
  db: Kysely<Database>,
  lock: JobLock,
  outcome: JobOutcome,
  now: number,
): Promise<boolean> {
  const unlocked = { locked_by: null, locked_until: null, updated_at: now };
  const changes =
    outcome.status === 'done'
      ? { ...unlocked, status: outcome.status, finished_at: now }
      : outcome.status === 'pending'
        ? { ...unlocked, status: outcome.status, run_at: outcome.runAt, last_error: outcome.error }
        : { ...unlocked, status: outcome.status, finished_at: now, last_error: outcome.error };
  const result = await db
    .updateTable('jobs')
    .set(changes)
    .where('id', '=', lock.id)
    .where('locked_by', '=', lock.worker)
    .where('attempts', '=', lock.attempt)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Every worker that holds a running job now. */
export async function runningLockers(db: Kysely<Database>): Promise<string[]> {
  const rows = await db
    .selectFrom('jobs')
    .select('locked_by')
    .distinct()
    .where('status', '=', 'running')
    .where('locked_by', 'is not', null)
    .execute();
  return rows.flatMap((row) => (row.locked_by === null ? [] : [row.locked_by]));
}

/** Puts the running jobs of workers known to be dead back in line, due at once. */
export async function releaseJobsOf(db: Kysely<Database>, workers: string[], now: number): Promise<number> {
  const result = await db
    .updateTable('jobs')
    .set({ status: 'pending', run_at: now, locked_by: null, locked_until: null, updated_at: now })
    .where('status', '=', 'running')
    .where('locked_by', 'in', workers)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

const PRUNE_BATCH = 500;

/** Deletes done jobs finished before `before` (their attempts cascade), in batches that keep each write short. */
export async function pruneDoneJobs(db: Kysely<Database>, before: number): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db
      .deleteFrom('jobs')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('jobs')
          .select('id')
          .where('status', '=', 'done')
          .where('finished_at', '<', before)
          .limit(PRUNE_BATCH),
      )
      .executeTakeFirst();
    const deleted = Number(result.numDeletedRows);
    total += deleted;
    if (deleted < PRUNE_BATCH) return total;
  }
}
