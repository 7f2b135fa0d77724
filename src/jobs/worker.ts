import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { retryDelay } from './backoff.js';
import { PermanentFailure, RetryLater } from './errors.js';
import { onJobsEnqueued, wakeableSleep } from './events.js';
import * as q from './jobs.queries.js';

export interface ClaimedJob {
  id: string;
  type: string;
  orgId: string | null;
  payload: Record<string, unknown>;
  /** 1-based: this attempt. */
  attempt: number;
  createdAt: number;
}

export interface JobHandler {
  run(job: ClaimedJob): Promise<void>;
  /** After a failed attempt that will be retried (retryAt) — e.g. to show the error on a message. */
  onRetry?(job: ClaimedJob, error: string, retryAt: number): Promise<void>;
  /** Once, when the job is given up (dead): permanent failure, past its horizon, or no handler. */
  onGiveUp?(job: ClaimedJob, error: string): Promise<void>;
}

export interface WorkerLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface WorkerOptions {
  db: Kysely<Database>;
  handlers: Record<string, JobHandler>;
  concurrency: number;
  pollMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  giveUpAfterMs: number;
  leaseMs: number;
  /** A pino logger fits. */
  log: WorkerLog;
}

export interface JobWorker {
  readonly id: string;
  wake(): void;
  /** Stops claiming, then waits up to timeoutMs (default 10 s) for running jobs; never throws for one still running. */
  stop(timeoutMs?: number): Promise<void>;
}

const RELEASE_EVERY_MS = 5_000;
const PRUNE_EVERY_MS = 60 * 60_000;
const KEEP_DONE_MS = 7 * 24 * 60 * 60_000;
const ERROR_PAUSE_MS = 1_000;
const SETTLE_TRIES = 3;
const MAX_ERROR_CHARS = 2_000;
const STOP_TIMEOUT_MS = 10_000;

// Workers of this process: a lock naming this host and pid but none of them was left by an
// earlier process that had the same pid (pid 1 in a restarted container).
const workersOfThisProcess = new Set<string>();

export function startWorker(options: WorkerOptions): JobWorker {
  const { db, log } = options;
  const id = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  workersOfThisProcess.add(id);
  const running = new Map<string, Promise<void>>();
  const idle = wakeableSleep();
  let stopping = false;
  let nextReleaseAt = 0;
  let nextPruneAt = 0;

  async function loop(): Promise<void> {
    while (!stopping) {
      let pause = options.pollMs;
      try {
        await housekeeping(Date.now());
        const free = options.concurrency - running.size;
        if (free > 0 && !stopping) for (const row of await claim(free)) track(row);
      } catch (error) {
        log.error({ err: error, worker: id }, 'job worker: database error; carrying on after a pause');
        pause = Math.max(options.pollMs, ERROR_PAUSE_MS);
      }
      // Woken early by an enqueue, wake(), or a finished job freeing a slot.
      await idle.sleep(pause);
    }
  }

  async function housekeeping(now: number): Promise<void> {
    if (now >= nextReleaseAt) {
      nextReleaseAt = now + RELEASE_EVERY_MS;
      const dead = (await q.runningLockers(db)).filter(diedOnThisHost);
      if (dead.length > 0) {
        const released = await q.releaseJobsOf(db, dead, now);
        log.warn(
          { worker: id, deadWorkers: dead, released },
          'released the jobs of dead workers on this host',
        );
      }
    }
    if (now >= nextPruneAt) {
      nextPruneAt = now + PRUNE_EVERY_MS;
      const pruned = await q.pruneDoneJobs(db, now - KEEP_DONE_MS);
      if (pruned > 0) log.info({ worker: id, pruned }, 'pruned done jobs older than 7 days');
    }
  }

  // No transaction around a claim or a settle: each statement is safe alone and they are
  // ordered so that a crash between two loses history, never a job. (A transaction would also
  // hold SQLite's write lock across awaits, and a second connection in this process would then
  // block the thread waiting for it: better-sqlite3 is synchronous.)
  async function claim(limit: number): Promise<q.ClaimedRow[]> {
    const now = Date.now();
    const rows = await q.claimDueJobs(db, id, now, now + options.leaseMs, limit);
    try {
      await q.startAttempts(db, rows, id, now);
    } catch (error) {
      log.error({ err: error, worker: id }, 'could not record the start of job attempts');
    }
    return rows;
  }

  function track(row: q.ClaimedRow): void {
    const done = attempt(row)
      .catch((error: unknown) =>
        log.error({ err: error, worker: id, job: row.id }, 'job attempt failed to run'),
      )
      .finally(() => {
        running.delete(row.id);
        idle.wake();
      });
    running.set(row.id, done);
  }

  async function attempt(row: q.ClaimedRow): Promise<void> {
    const lock: q.JobLock = { id: row.id, worker: id, attempt: row.attempts };
    const payload = parsePayload(row.payload);
    const job: ClaimedJob = {
      id: row.id,
      type: row.type,
      orgId: row.org_id,
      payload: payload ?? {},
      attempt: row.attempts,
      createdAt: row.created_at,
    };
    const handler = Object.hasOwn(options.handlers, row.type) ? options.handlers[row.type] : undefined;
    let outcome: q.JobOutcome = { status: 'done' };
    try {
      if (!handler) throw new PermanentFailure(`no handler for job type "${row.type}"`);
      if (!payload) throw new PermanentFailure('the job payload is not a JSON object');
      await handler.run(job);
    } catch (error) {
      outcome = failed(error, job);
    }
    const error = outcome.status === 'done' ? null : outcome.error;
    if (!(await settle(lock, outcome, error))) return;
    const context = { worker: id, job: job.id, type: job.type, attempt: job.attempt, error };
    if (outcome.status === 'pending') {
      log.warn({ ...context, retryAt: outcome.runAt }, 'job attempt failed; will retry');
      await hook(job, 'onRetry', () => handler?.onRetry?.(job, outcome.error, outcome.runAt));
    } else if (outcome.status === 'dead') {
      log.error(context, 'job given up');
      await hook(job, 'onGiveUp', () => handler?.onGiveUp?.(job, outcome.error));
    }
  }

  /** Retry at the named time, or with backoff; dead when retrying cannot help or is past the horizon. */
  function failed(error: unknown, job: ClaimedJob): q.JobOutcome {
    const message = errorText(error);
    if (error instanceof PermanentFailure) return { status: 'dead', error: message };
    const named = error instanceof RetryLater && Number.isFinite(error.delayMs);
    const delay = named
      ? Math.max(0, Math.ceil(error.delayMs))
      : retryDelay(job.attempt, options.retryBaseMs, options.retryMaxMs);
    const runAt = Date.now() + delay;
    if (runAt > job.createdAt + options.giveUpAfterMs) return { status: 'dead', error: message };
    return { status: 'pending', runAt, error: message };
  }

  /** The job stays in `running` (and its lease extended) until this returns. */
  async function settle(lock: q.JobLock, outcome: q.JobOutcome, error: string | null): Promise<boolean> {
    for (let tries = 1; ; tries++) {
      try {
        const now = Date.now();
        await q.finishAttempt(db, lock, error, now);
        const settled = await q.settleJob(db, lock, outcome, now);
        if (!settled)
          log.warn({ worker: id, job: lock.id }, 'job was taken over before it finished; outcome dropped');
        return settled;
      } catch (dbError) {
        if (tries >= SETTLE_TRIES) {
          log.error(
            { err: dbError, worker: id, job: lock.id },
            'could not record a job outcome; it runs again after its lease',
          );
          return false;
        }
        await sleep(ERROR_PAUSE_MS * tries);
      }
    }
  }

  // Hooks run after the outcome is saved: one that throws is logged and changes nothing.
  async function hook(job: ClaimedJob, name: string, call: () => Promise<void> | undefined): Promise<void> {
    try {
      await call();
    } catch (error) {
      log.error({ err: error, worker: id, job: job.id, type: job.type }, `job ${name} hook failed`);
    }
  }

  let extending = false;
  const heartbeat = setInterval(() => {
    if (running.size === 0 || extending) return;
    extending = true;
    const now = Date.now();
    q.extendLeases(db, id, [...running.keys()], now + options.leaseMs, now)
      .catch((error: unknown) => log.error({ err: error, worker: id }, 'could not extend job leases'))
      .finally(() => (extending = false));
  }, options.leaseMs / 3);

  const unsubscribe = onJobsEnqueued(() => idle.wake());
  const looping = loop().catch((error: unknown) =>
    log.error({ err: error, worker: id }, 'job worker loop ended'),
  );
  log.info({ worker: id, concurrency: options.concurrency }, 'job worker started');

  let stopped: Promise<void> | undefined;
  async function stop(timeoutMs: number): Promise<void> {
    stopping = true;
    unsubscribe();
    idle.wake();
    const deadline = Date.now() + timeoutMs;
    await within(looping, timeoutMs);
    await within(Promise.allSettled(running.values()), deadline - Date.now());
    clearInterval(heartbeat);
    if (running.size > 0) {
      log.warn(
        { worker: id, jobs: [...running.keys()] },
        'stopped with jobs still running; they run again after their lease',
      );
    }
  }

  return {
    id,
    wake: () => idle.wake(),
    stop(timeoutMs = STOP_TIMEOUT_MS) {
      stopped ??= stop(timeoutMs);
      return stopped;
    },
  };
}

/** A lock held by a worker on this host whose process is gone (kill -9, a crash). */
function diedOnThisHost(worker: string): boolean {
  const parts = worker.split(':');
  if (parts.length < 3) return false;
  const pid = Number(parts[parts.length - 2]);
  if (parts.slice(0, -2).join(':') !== os.hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return !workersOfThisProcess.has(worker);
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: alive, only owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function parsePayload(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS - 1)}…` : text;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise,
    new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms)))),
  ]);
  clearTimeout(timer);
}
