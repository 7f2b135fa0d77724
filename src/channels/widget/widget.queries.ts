import { sql, type Insertable, type Kysely, type Updateable } from 'kysely';
import type { Database, WidgetVisitorsTable } from '../../db/schema.js';

export function insertVisitor(db: Kysely<Database>, row: Insertable<WidgetVisitorsTable>) {
  return db.insertInto('widget_visitors').values(row).execute();
}

export function findVisitorByTokenHash(db: Kysely<Database>, orgId: string, tokenHash: string) {
  return db
    .selectFrom('widget_visitors')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('org_id', '=', orgId)
    .executeTakeFirst();
}

export function updateVisitor(
  db: Kysely<Database>,
  orgId: string,
  id: string,
  changes: Updateable<WidgetVisitorsTable>,
) {
  return db
    .updateTable('widget_visitors')
    .set(changes)
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

/**
 * Which widget tickets a visitor may read: those of its verified customer, and those holding a
 * message it wrote (its messages' external ids start with `authorPrefix`).
 */
export interface ConversationAccess {
  orgId: string;
  customerId: string | null;
  authorPrefix: string;
}

/** `prefix` as a LIKE pattern that matches it literally ('\' escapes % and _). */
const startsWith = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function authoredTicketIds(db: Kysely<Database>, access: ConversationAccess) {
  return db
    .selectFrom('messages')
    .select('ticket_id')
    .where('org_id', '=', access.orgId)
    .where('role', '=', 'customer')
    .where(sql<boolean>`external_id like ${startsWith(access.authorPrefix)} escape '\\'`);
}

function conversations(db: Kysely<Database>, access: ConversationAccess) {
  return db
    .selectFrom('tickets')
    .select(['id', 'number', 'subject', 'status', 'customer_id', 'created_at', 'updated_at'])
    .where('org_id', '=', access.orgId)
    .where('channel', '=', 'widget')
    .where('merged_into', 'is', null)
    .where((eb) =>
      eb.or([
        ...(access.customerId !== null ? [eb('customer_id', '=', access.customerId)] : []),
        eb('id', 'in', authoredTicketIds(db, access)),
      ]),
    );
}

export type ConversationRow = Awaited<ReturnType<typeof findConversation>> & {};

/** One keyset page, newest first. */
export function listConversations(
  db: Kysely<Database>,
  access: ConversationAccess,
  page: { limit: number; after?: string | undefined },
) {
  return conversations(db, access)
    .$if(page.after !== undefined, (q) => q.where('id', '<', page.after!))
    .orderBy('id', 'desc')
    .limit(page.limit)
    .execute();
}

export function findConversation(db: Kysely<Database>, access: ConversationAccess, ticketId: string) {
  return conversations(db, access).where('id', '=', ticketId).executeTakeFirst();
}

/** The customers of the visitor's conversations: whose realtime topics it listens to. */
export async function conversationCustomers(db: Kysely<Database>, access: ConversationAccess) {
  const rows = await conversations(db, access).clearSelect().select('customer_id').distinct().execute();
  return rows.map((row) => row.customer_id);
}

const MESSAGE_COLUMNS = ['id', 'ticket_id', 'role', 'text', 'author_name', 'agent_id', 'created_at'] as const;

/** What the customer may see of a thread: customer and agent messages, never notes or the audit trail. */
function visibleMessages(db: Kysely<Database>, orgId: string) {
  return db
    .selectFrom('messages')
    .select(MESSAGE_COLUMNS)
    .where('org_id', '=', orgId)
    .where('role', 'in', ['customer', 'agent'])
    .where('internal', '=', 0);
}

export type VisibleMessageRow = Awaited<ReturnType<typeof findVisibleMessage>> & {};

export function findVisibleMessage(db: Kysely<Database>, orgId: string, id: string) {
  return visibleMessages(db, orgId).where('id', '=', id).executeTakeFirst();
}

/** Oldest first: the first `limit` after `after`, or without it the newest `limit`. */
export async function messagesOf(
  db: Kysely<Database>,
  orgId: string,
  ticketId: string,
  page: { limit: number; after?: string | undefined },
) {
  const query = visibleMessages(db, orgId).where('ticket_id', '=', ticketId);
  if (page.after !== undefined) {
    return query.where('id', '>', page.after).orderBy('id').limit(page.limit).execute();
  }
  return (await query.orderBy('id', 'desc').limit(page.limit).execute()).reverse();
}

/** Each ticket's newest visible message. */
export function lastMessages(db: Kysely<Database>, orgId: string, ticketIds: string[]) {
  const latest = db
    .selectFrom('messages')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('org_id', '=', orgId)
    .where('ticket_id', 'in', ticketIds)
    .where('role', 'in', ['customer', 'agent'])
    .where('internal', '=', 0)
    .groupBy('ticket_id');
  return visibleMessages(db, orgId).where('id', 'in', latest).execute();
}

export function findUpload(db: Kysely<Database>, orgId: string, id: string) {
  return db
    .selectFrom('uploads')
    .select(['id', 'uploader_type', 'uploader_id', 'message_id'])
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function findUploads(db: Kysely<Database>, orgId: string, ids: string[]) {
  return db
    .selectFrom('uploads')
    .select(['id', 'uploader_type', 'uploader_id', 'message_id'])
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .execute();
}
