import type { Insertable, Kysely, Updateable } from 'kysely';
import type { CannedRepliesTable, Database } from '../../db/schema.js';
import { containsText } from '../../db/text-match.js';

function matching(db: Kysely<Database>, orgId: string, search: string | undefined) {
  let query = db.selectFrom('canned_replies').where('org_id', '=', orgId);
  if (search !== undefined) {
    query = query.where((eb) => eb.or([containsText('shortcut', search), containsText('title', search)]));
  }
  return query;
}

/** By shortcut, the order of the inbox's picker; `after` is the shortcut to continue after. */
export function listCannedReplies(
  db: Kysely<Database>,
  orgId: string,
  options: { search?: string | undefined; after?: string | undefined; limit: number; offset: number },
) {
  let query = matching(db, orgId, options.search).selectAll();
  if (options.after !== undefined) query = query.where('shortcut', '>', options.after);
  return query.orderBy('shortcut').limit(options.limit).offset(options.offset).execute();
}

export async function countCannedReplies(db: Kysely<Database>, orgId: string, search: string | undefined) {
  const row = await matching(db, orgId, search)
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

export function findCannedReply(db: Kysely<Database>, orgId: string, id: string) {
  return db
    .selectFrom('canned_replies')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function insertCannedReply(db: Kysely<Database>, row: Insertable<CannedRepliesTable>) {
  return db.insertInto('canned_replies').values(row).execute();
}

export function updateCannedReply(
  db: Kysely<Database>,
  orgId: string,
  id: string,
  changes: Updateable<CannedRepliesTable>,
) {
  return db
    .updateTable('canned_replies')
    .set(changes)
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

export function deleteCannedReply(db: Kysely<Database>, orgId: string, id: string) {
  return db.deleteFrom('canned_replies').where('org_id', '=', orgId).where('id', '=', id).execute();
}
