import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, UploadsTable } from '../../db/schema.js';

export type UploadRow = Selectable<UploadsTable>;

export function insertUploads(db: Kysely<Database>, rows: Insertable<UploadsTable>[]) {
  return db.insertInto('uploads').values(rows).execute();
}

export function findUpload(db: Kysely<Database>, orgId: string, id: string): Promise<UploadRow | undefined> {
  return db
    .selectFrom('uploads')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function findUploads(db: Kysely<Database>, orgId: string, ids: string[]) {
  return db
    .selectFrom('uploads')
    .select(['id', 'message_id'])
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .execute();
}

/** Claims the uploads for a message; only unattached ones change, so a race can't attach one twice. */
export async function claimUploads(
  db: Kysely<Database>,
  orgId: string,
  messageId: string,
  ids: string[],
): Promise<number> {
  const result = await db
    .updateTable('uploads')
    .set({ message_id: messageId })
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .where('message_id', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export function uploadsOfMessages(db: Kysely<Database>, orgId: string, messageIds: string[]) {
  return db
    .selectFrom('uploads')
    .select(['id', 'message_id', 'name', 'size', 'content_type'])
    .where('org_id', '=', orgId)
    .where('message_id', 'in', messageIds)
    .orderBy('message_id')
    .orderBy('id')
    .execute();
}
