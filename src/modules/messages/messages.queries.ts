import type { Insertable, Kysely } from 'kysely';
import type { Database, MessagesTable } from '../../db/schema.js';

export function insertMessage(db: Kysely<Database>, row: Insertable<MessagesTable>) {
  return db.insertInto('messages').values(row).execute();
}

export function messagesOf(db: Kysely<Database>, orgId: string, ticketId: string) {
  return db
    .selectFrom('messages')
    .select(['id', 'ticket_id', 'role', 'text', 'author_name', 'created_at'])
    .where('ticket_id', '=', ticketId)
    .where('org_id', '=', orgId)
    .orderBy('id')
    .execute();
}
