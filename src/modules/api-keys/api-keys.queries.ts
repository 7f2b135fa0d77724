import type { Insertable, Kysely, Selectable } from 'kysely';
import type { ApiKeysTable, Database } from '../../db/schema.js';

export type ApiKeyRow = Selectable<ApiKeysTable>;

export function insertApiKey(db: Kysely<Database>, row: Insertable<ApiKeysTable>) {
  return db.insertInto('api_keys').values(row).execute();
}

export function findApiKeyByHash(db: Kysely<Database>, keyHash: string) {
  return db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
}

export function listApiKeys(db: Kysely<Database>, orgId: string) {
  return db.selectFrom('api_keys').selectAll().where('org_id', '=', orgId).orderBy('id').execute();
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
