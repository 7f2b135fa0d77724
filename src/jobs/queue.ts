import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { newId } from '../lib/ids.js';
import { emitJobsEnqueued } from './events.js';
import { insertJob } from './jobs.queries.js';

export interface NewJob {
  type: string;
  orgId: string | null;
  payload: Record<string, unknown>;
  /** Not before this instant (epoch ms); default now. */
  runAt?: number;
}

/**
 * Call with the transaction of the change that causes the job (outbox): the job exists exactly
 * when the change commits. Returns the job id.
 */
export async function enqueueJob(db: Kysely<Database>, job: NewJob): Promise<string> {
  const now = Date.now();
  const id = newId('job', now);
  await insertJob(db, {
    id,
    org_id: job.orgId,
    type: job.type,
    payload: JSON.stringify(job.payload),
    status: 'pending',
    // run_at is a BIGINT: a fractional time would be rejected by PostgreSQL.
    run_at: job.runAt === undefined ? now : Math.ceil(job.runAt),
    created_at: now,
    updated_at: now,
  });
  return id;
}

/**
 * Call after the enqueuing transaction committed: wakes this process's workers at once instead
 * of at their next poll. Before the commit they would look and find nothing.
 */
export function notifyJobsEnqueued(): void {
  emitJobsEnqueued();
}
