import type { Insertable, Kysely, Updateable } from 'kysely';
import type { Database, OrgsTable } from '../../db/schema.js';
import { forUpdate } from '../../db/locking.js';

export function insertOrg(db: Kysely<Database>, row: Insertable<OrgsTable>) {
  return db.insertInto('orgs').values(row).execute();
}

export function findOrg(db: Kysely<Database>, id: string) {
  return db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
}

export function updateOrg(
  db: Kysely<Database>,
  id: string,
  changes: Updateable<
    Pick<
      OrgsTable,
      'name' | 'code_prefix' | 'default_rate_limit' | 'time_zone' | 'support_name' | 'updated_at'
    >
  >,
) {
  return db.updateTable('orgs').set(changes).where('id', '=', id).executeTakeFirst();
}

/** The org row, locked until the transaction ends (PostgreSQL; SQLite writers are serial). */
export function lockOrg(db: Kysely<Database>, id: string) {
  return forUpdate(
    db as Kysely<unknown>,
    db.selectFrom('orgs').selectAll().where('id', '=', id),
  ).executeTakeFirst();
}

export function codePrefixOf(db: Kysely<Database>, id: string) {
  return db.selectFrom('orgs').select('code_prefix').where('id', '=', id).executeTakeFirst();
}

export function supportNameOf(db: Kysely<Database>, id: string) {
  return db.selectFrom('orgs').select(['name', 'support_name']).where('id', '=', id).executeTakeFirst();
}
