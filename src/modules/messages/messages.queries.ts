import type { Insertable, Kysely } from 'kysely';
import type { Database, MessagesTable } from '../../db/schema.js';

export function insertMessage(db: Kysely<Database>, row: Insertable<MessagesTable>) {
  return db.insertInto('messages').values(row).execute();
}

export function messagesOf(
  db: Kysely<Database>,
  orgId: string,
  ticketId: string,
  options: { withSystem: boolean } = { withSystem: true },
) {
  return db
    .selectFrom('messages')
    .$if(!options.withSystem, (query) => query.where('role', '!=', 'system'))
    .select(['id', 'ticket_id', 'role', 'text', 'author_name', 'internal', 'data', 'created_at'])
    .where('ticket_id', '=', ticketId)
    .where('org_id', '=', orgId)
    .orderBy('id')
    .execute();
}
