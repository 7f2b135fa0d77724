import type { Insertable, Kysely } from 'kysely';
import type { Database, IdempotencyKeysTable } from '../../db/schema.js';

/** Claims the key; true when this request is the one to execute. */
export async function claimKey(
  db: Kysely<Database>,
  row: Insertable<IdempotencyKeysTable>,
): Promise<boolean> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}

export function findKey(db: Kysely<Database>, orgId: string, key: string) {
  return db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('key', '=', key)
    .executeTakeFirst();
}

/**
 * Records the response, only while the claim is still this request's (claimed at `createdAt`):
 * inside the transaction of the write it guards, and again once sent. False when a retry has
 * taken the claim over.
 */
export async function recordOutcome(
  trx: Kysely<Database>,
  claim: { orgId: string; key: string; createdAt: number },
  statusCode: number,
  body: string,
): Promise<boolean> {
  const result = await trx
    .updateTable('idempotency_keys')
    .set({ status_code: statusCode, response_body: body })
    .where('org_id', '=', claim.orgId)
    .where('key', '=', claim.key)
    .where('created_at', '=', claim.createdAt)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Deletes one record, only if it is still the one we looked at (created at `createdAt`). */
export function releaseKey(db: Kysely<Database>, orgId: string, key: string, createdAt: number) {
  return db
    .deleteFrom('idempotency_keys')
    .where('org_id', '=', orgId)
    .where('key', '=', key)
    .where('created_at', '=', createdAt)
    .execute();
}

/**
 * Deletes a claim that has no outcome, only if it is still the one we looked at. An outcome is
 * committed with the write it guards, so a claim without one guarded nothing that committed; on
 * PostgreSQL the delete waits for a transaction recording one and then leaves the row alone.
 */
export function releaseUnanswered(db: Kysely<Database>, orgId: string, key: string, createdAt: number) {
  return db
    .deleteFrom('idempotency_keys')
    .where('org_id', '=', orgId)
    .where('key', '=', key)
    .where('created_at', '=', createdAt)
    .where('status_code', 'is', null)
    .execute();
}

export function deleteExpired(db: Kysely<Database>, before: number) {
  return db.deleteFrom('idempotency_keys').where('created_at', '<', before).execute();
}
