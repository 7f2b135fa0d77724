import type { Insertable, Kysely, Selectable } from 'kysely';
import type { ApiKeysTable, Database } from '../../db/schema.js';

export type ApiKeyRow = Selectable<ApiKeysTable>;

export function insertApiKey(db: Kysely<Database>, row: Insertable<ApiKeysTable>) {
  return db.insertInto('api_keys').values(row).execute();
}

/** The key behind a hash with its org's default rate limit: authentication is this one query. */
export function findApiKeyByHash(db: Kysely<Database>, keyHash: string) {
  return db
    .selectFrom('api_keys')
    .innerJoin('orgs', 'orgs.id', 'api_keys.org_id')
    .selectAll('api_keys')
    .select('orgs.default_rate_limit as org_rate_limit')
    .where('api_keys.key_hash', '=', keyHash)
    .executeTakeFirst();
}

export function listApiKeys(db: Kysely<Database>, orgId: string) {
  return db.selectFrom('api_keys').selectAll().where('org_id', '=', orgId).orderBy('id').execute();
}

export function pageApiKeys(db: Kysely<Database>, orgId: string, limit: number, offset: number) {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
}

/** Keyset page, newest first: `limit` rows created before `before` (or the newest). */
export function apiKeysBefore(
  db: Kysely<Database>,
  orgId: string,
  before: string | undefined,
  limit: number,
) {
  let query = db.selectFrom('api_keys').selectAll().where('org_id', '=', orgId);
  if (before !== undefined) query = query.where('id', '<', before);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

export async function countApiKeys(db: Kysely<Database>, orgId: string): Promise<number> {
  const row = await db
    .selectFrom('api_keys')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export function findApiKey(db: Kysely<Database>, orgId: string, id: string) {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function findApiKeyAnyOrg(db: Kysely<Database>, id: string) {
  return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Revokes a live key; 0 rows updated means it was revoked meanwhile. */
export function revokeApiKey(db: Kysely<Database>, orgId: string, id: string, at: number) {
  return db
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export function touchApiKey(db: Kysely<Database>, id: string, at: number) {
  return db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
}
