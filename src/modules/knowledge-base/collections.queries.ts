import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import { forUpdate } from '../../db/locking.js';
import type { CollectionsTable, Database } from '../../db/schema.js';

export type CollectionRow = Selectable<CollectionsTable>;

/** Where a cursor page continues: after this collection in (position, id) order. */
export interface CollectionAnchor {
  position: number;
  id: string;
}

export function listCollections(
  db: Kysely<Database>,
  orgId: string,
  options: { after?: CollectionAnchor | undefined; limit: number; offset: number },
): Promise<CollectionRow[]> {
  let query = db.selectFrom('collections').selectAll().where('org_id', '=', orgId);
  const after = options.after;
  if (after !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('position', '>', after.position),
        eb.and([eb('position', '=', after.position), eb('id', '>', after.id)]),
      ]),
    );
  }
  return query.orderBy('position').orderBy('id').limit(options.limit).offset(options.offset).execute();
}

export async function countCollections(db: Kysely<Database>, orgId: string): Promise<number> {
  const row = await db
    .selectFrom('collections')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export function findCollection(
  db: Kysely<Database>,
  orgId: string,
  ref: { id: string } | { slug: string },
): Promise<CollectionRow | undefined> {
  const query = db.selectFrom('collections').selectAll().where('org_id', '=', orgId);
  return (
    'id' in ref ? query.where('id', '=', ref.id) : query.where('slug', '=', ref.slug)
  ).executeTakeFirst();
}

/** The collection's row, locked for the rest of the transaction where the dialect needs it. */
export function lockCollection(
  db: Kysely<Database>,
  orgId: string,
  ref: { id: string } | { slug: string },
): Promise<CollectionRow | undefined> {
  const query = db.selectFrom('collections').selectAll().where('org_id', '=', orgId);
  return forUpdate(
    db as Kysely<unknown>,
    'id' in ref ? query.where('id', '=', ref.id) : query.where('slug', '=', ref.slug),
  ).executeTakeFirst();
}

/** Slugs in use that `base` or `base-N` could collide with. */
export async function slugsLike(db: Kysely<Database>, orgId: string, base: string): Promise<string[]> {
  // A slug has no % or _, so the pattern matches it literally.
  const rows = await db
    .selectFrom('collections')
    .select('slug')
    .where('org_id', '=', orgId)
    .where((eb) => eb.or([eb('slug', '=', base), eb('slug', 'like', `${base}-%`)]))
    .execute();
  return rows.map((r) => r.slug);
}

export async function nextPosition(db: Kysely<Database>, orgId: string): Promise<number> {
  const row = await db
    .selectFrom('collections')
    .select((eb) => eb.fn.max('position').as('last'))
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  return row?.last === null || row?.last === undefined ? 0 : Number(row.last) + 1;
}

export function insertCollection(db: Kysely<Database>, row: Insertable<CollectionsTable>) {
  return db.insertInto('collections').values(row).execute();
}

export function updateCollection(
  db: Kysely<Database>,
  orgId: string,
  id: string,
  changes: Updateable<CollectionsTable>,
) {
  return db
    .updateTable('collections')
    .set(changes)
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

export function deleteCollection(db: Kysely<Database>, orgId: string, id: string) {
  return db.deleteFrom('collections').where('org_id', '=', orgId).where('id', '=', id).execute();
}
