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

export type MessageKind = 'message' | 'note' | 'system';

/** One keyset page of a thread, oldest first, limited to the kinds asked for. */
export function pageOfMessages(
  db: Kysely<Database>,
  orgId: string,
  ticketId: string,
  options: { after?: string | undefined; limit: number; kinds: ReadonlySet<MessageKind> },
) {
  let query = db
    .selectFrom('messages')
    .select(['id', 'ticket_id', 'role', 'text', 'author_name', 'internal', 'data', 'created_at'])
    .where('ticket_id', '=', ticketId)
    .where('org_id', '=', orgId);
  if (options.after !== undefined) query = query.where('id', '>', options.after);
  if (options.kinds.size < 3) {
    query = query.where((eb) =>
      eb.or([
        ...(options.kinds.has('message')
          ? [eb.and([eb('role', '!=', 'system'), eb('internal', '=', 0)])]
          : []),
        ...(options.kinds.has('note') ? [eb('internal', '=', 1)] : []),
        ...(options.kinds.has('system') ? [eb('role', '=', 'system')] : []),
      ]),
    );
  }
  return query.orderBy('id').limit(options.limit).execute();
}
