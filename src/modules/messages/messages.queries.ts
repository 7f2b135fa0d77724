import type { Insertable, Kysely, Updateable } from 'kysely';
import type { Database, MessagesTable } from '../../db/schema.js';

const COLUMNS = [
  'id',
  'ticket_id',
  'role',
  'text',
  'author_name',
  'internal',
  'data',
  'html',
  'delivery_status',
  'delivery_error',
  'delivered_at',
  'created_at',
] as const;

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
    .select(COLUMNS)
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
    .select(COLUMNS)
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

export function ticketOfReferences(
  db: Kysely<Database>,
  orgId: string,
  refs: { externalIds: string[]; messageIds: string[] },
) {
  return db
    .selectFrom('messages')
    .select(['ticket_id'])
    .where('org_id', '=', orgId)
    .where((eb) =>
      eb.or([
        ...(refs.externalIds.length ? [eb('external_id', 'in', refs.externalIds)] : []),
        ...(refs.messageIds.length ? [eb('id', 'in', refs.messageIds)] : []),
      ]),
    )
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export function findByExternalId(db: Kysely<Database>, orgId: string, externalId: string) {
  return db
    .selectFrom('messages as m')
    .innerJoin('tickets as t', 't.id', 'm.ticket_id')
    .select(['m.id', 'm.ticket_id', 't.customer_id'])
    .where('m.org_id', '=', orgId)
    .where('m.external_id', '=', externalId)
    .executeTakeFirst();
}

export function findForDelivery(db: Kysely<Database>, messageId: string) {
  return db
    .selectFrom('messages')
    .select([...COLUMNS, 'org_id', 'delivery_parts', 'external_id', 'agent_id'])
    .where('id', '=', messageId)
    .executeTakeFirst();
}

export function externalIdsOf(db: Kysely<Database>, orgId: string, ticketId: string) {
  return db
    .selectFrom('messages')
    .select(['external_id'])
    .where('org_id', '=', orgId)
    .where('ticket_id', '=', ticketId)
    .where('external_id', 'is not', null)
    .orderBy('id')
    .execute();
}

export function updateDelivery(
  db: Kysely<Database>,
  orgId: string,
  messageId: string,
  changes: Updateable<MessagesTable>,
  options: { unlessSent?: boolean } = {},
) {
  return db
    .updateTable('messages')
    .set(changes)
    .where('org_id', '=', orgId)
    .where('id', '=', messageId)
    .$if(options.unlessSent === true, (q) => q.where('delivery_status', '!=', 'sent'))
    .execute();
}
