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

export function saveResponse(
  db: Kysely<Database>,
  orgId: string,
  key: string,
  statusCode: number,
  body: string,
) {
  return db
    .updateTable('idempotency_keys')
    .set({ status_code: statusCode, response_body: body })
    .where('org_id', '=', orgId)
    .where('key', '=', key)
    .execute();
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

export function deleteExpired(db: Kysely<Database>, before: number) {
  return db.deleteFrom('idempotency_keys').where('created_at', '<', before).execute();
}
