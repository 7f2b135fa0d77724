import type { Insertable, Kysely } from 'kysely';
import type { Database, OrgsTable } from '../../db/schema.js';

export function insertOrg(db: Kysely<Database>, row: Insertable<OrgsTable>) {
  return db.insertInto('orgs').values(row).execute();
}

export function findOrg(db: Kysely<Database>, id: string) {
  return db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
}
