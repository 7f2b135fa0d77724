import type { Insertable, Kysely, Updateable } from 'kysely';
import type { Database, TagsTable } from '../../db/schema.js';
import { containsText } from '../../db/text-match.js';

export function insertMissingTags(db: Kysely<Database>, rows: Insertable<TagsTable>[]) {
  return db
    .insertInto('tags')
    .values(rows)
    .onConflict((oc) => oc.columns(['org_id', 'name']).doNothing())
    .returningAll()
    .execute();
}

export function insertTag(db: Kysely<Database>, row: Insertable<TagsTable>) {
  return db.insertInto('tags').values(row).execute();
}

export function listTags(
  db: Kysely<Database>,
  orgId: string,
  options: { search?: string | undefined; after?: string | undefined; limit: number; offset: number },
) {
  let query = db.selectFrom('tags').selectAll().where('org_id', '=', orgId);
  if (options.search !== undefined) query = query.where(containsText('name', options.search));
  if (options.after !== undefined) query = query.where('name', '>', options.after);
  return query.orderBy('name').limit(options.limit).offset(options.offset).execute();
}

export async function countTags(db: Kysely<Database>, orgId: string, search?: string) {
  let query = db.selectFrom('tags').where('org_id', '=', orgId);
  if (search !== undefined) query = query.where(containsText('name', search));
  const row = await query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  return Number(row.total);
}

export function findTag(db: Kysely<Database>, orgId: string, id: string) {
  return db
    .selectFrom('tags')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function updateTag(db: Kysely<Database>, orgId: string, id: string, changes: Updateable<TagsTable>) {
  return db.updateTable('tags').set(changes).where('org_id', '=', orgId).where('id', '=', id).execute();
}

export function deleteTag(db: Kysely<Database>, orgId: string, id: string) {
  return db.deleteFrom('tags').where('org_id', '=', orgId).where('id', '=', id).execute();
}

export function usageCounts(db: Kysely<Database>, orgId: string, names: string[]) {
  return db
    .selectFrom('ticket_tags')
    .select((eb) => ['tag', eb.fn.countAll<number>().as('count')])
    .where('org_id', '=', orgId)
    .where('tag', 'in', names)
    .groupBy('tag')
    .execute();
}

/** Renames a tag on every ticket; a ticket that already has the new name just loses the old one. */
export async function renameOnTickets(
  db: Kysely<Database>,
  orgId: string,
  from: string,
  to: string,
): Promise<void> {
  await db
    .deleteFrom('ticket_tags')
    .where('org_id', '=', orgId)
    .where('tag', '=', from)
    .where('ticket_id', 'in', (eb) =>
      eb
        .selectFrom('ticket_tags as other')
        .select('other.ticket_id')
        .where('other.org_id', '=', orgId)
        .where('other.tag', '=', to),
    )
    .execute();
  await db
    .updateTable('ticket_tags')
    .set({ tag: to })
    .where('org_id', '=', orgId)
    .where('tag', '=', from)
    .execute();
}

export function removeFromTickets(db: Kysely<Database>, orgId: string, name: string) {
  return db.deleteFrom('ticket_tags').where('org_id', '=', orgId).where('tag', '=', name).execute();
}
