import type { Kysely } from 'kysely';
import type { Database, DeliveryStatus, MessageRole } from '../../db/schema.js';
import { invalidField } from '../../http/errors.js';
import { cursorPage } from '../../http/pagination.js';
import { isoTime, newId } from '../../lib/ids.js';
import type { MessageView } from './messages.schemas.js';
import { attachmentsOf } from '../uploads/uploads.service.js';
import * as q from './messages.queries.js';

export interface NewMessage {
  orgId: string;
  ticketId: string;
  role: MessageRole;
  text: string;
  authorName: string | null;
  agentId?: string | null;
  apiKeyId?: string | null;
  internal?: boolean;
  /** System messages: the change they record. */
  change?: MessageView['change'];
  /** Agent messages: where delivery to the customer starts (null: nothing to deliver). */
  deliveryStatus?: DeliveryStatus | null;
  /** The channel's id for the message (email Message-ID, Telegram chat:message). */
  externalId?: string | null;
  /** Sanitised HTML of an email body. */
  html?: string | null;
  /** Customer mail: JSON of what its text was made from (see MessagesTable.source). */
  source?: string | null;
  at: number;
}

interface MessageRecord {
  id: string;
  ticket_id: string;
  role: MessageRole;
  text: string;
  author_name: string | null;
  internal: number;
  data: string | null;
  html: string | null;
  delivery_status: DeliveryStatus | null;
  delivery_error: string | null;
  delivered_at: number | null;
  created_at: number;
}

function view(row: MessageRecord): MessageView {
  const message: MessageView = {
    id: row.id,
    ticketId: row.ticket_id,
    role: row.role,
    text: row.text,
    internal: row.internal === 1,
    attachments: [],
    deliveryStatus: row.delivery_status,
    deliveryError: row.delivery_error,
    deliveredAt: row.delivered_at === null ? null : isoTime(row.delivered_at),
    createdAt: isoTime(row.created_at),
  };
  if (row.html !== null) message.html = row.html;
  if (row.role === 'agent' && row.author_name !== null) message.agentName = row.author_name;
  if (row.role === 'system' && row.data !== null)
    message.change = JSON.parse(row.data) as MessageView['change'];
  return message;
}

/**
 * The author a customer sees on an agent reply: the agent who wrote it, else (an API key, or
 * anything that is no person) the org's support name — never a credential's label.
 */
export function shownAgentName(message: ReplyAuthor, supportName: string): string {
  return writtenByPerson(message) ? message.authorName : supportName;
}

interface ReplyAuthor {
  agentId: string | null;
  authorName: string | null;
}

/** Whether a person wrote the reply, so no support name is needed to show it. */
export function writtenByPerson(message: ReplyAuthor): message is { agentId: string; authorName: string } {
  return message.agentId !== null && message.authorName !== null;
}

/** Stores a message; the caller (the ticket's service) owns the transaction and the ticket's timestamps. */
export async function recordMessage(db: Kysely<Database>, input: NewMessage): Promise<MessageView> {
  const row = {
    id: newId('msg', input.at),
    org_id: input.orgId,
    ticket_id: input.ticketId,
    role: input.role,
    text: input.text,
    author_name: input.authorName,
    agent_id: input.agentId ?? null,
    api_key_id: input.apiKeyId ?? null,
    internal: input.internal ? 1 : 0,
    data: input.change ? JSON.stringify(input.change) : null,
    html: input.html ?? null,
    source: input.source ?? null,
    external_id: input.externalId ?? null,
    delivery_status: input.deliveryStatus ?? null,
    delivery_error: null,
    // Nothing to send (the API channel's event log is its delivery): delivered as it is stored.
    delivered_at: input.deliveryStatus === 'sent' ? input.at : null,
    created_at: input.at,
  };
  await q.insertMessage(db, row);
  return view(row);
}

/**
 * The conversation, oldest first: customer and agent messages and internal notes. System
 * messages (the audit trail) are listed by GET /v1/tickets/:id/messages, not in the ticket.
 */
export async function listConversation(
  db: Kysely<Database>,
  orgId: string,
  ticketId: string,
): Promise<MessageView[]> {
  return withAttachments(
    db,
    orgId,
    (await q.messagesOf(db, orgId, ticketId, { withSystem: false })).map(view),
  );
}

/** Fills in each message's attachments with one query for the whole page. */
async function withAttachments(
  db: Kysely<Database>,
  orgId: string,
  messages: MessageView[],
): Promise<MessageView[]> {
  if (messages.length === 0) return messages;
  const byMessage = await attachmentsOf(
    db,
    orgId,
    messages.map((m) => m.id),
  );
  for (const message of messages) message.attachments = byMessage.get(message.id) ?? [];
  return messages;
}

const KINDS: readonly q.MessageKind[] = ['message', 'note', 'system'];

/** A page of the whole thread — messages, internal notes and the audit trail — oldest first. */
export async function pageOfThread(
  db: Kysely<Database>,
  orgId: string,
  ticketId: string,
  options: { startingAfter?: string | undefined; limit: number; types?: string | undefined },
): Promise<{ data: MessageView[]; meta: { limit: number; nextCursor: string | null } }> {
  const kinds = new Set<q.MessageKind>();
  for (const type of (options.types ?? KINDS.join(',')).split(',').map((t) => t.trim())) {
    if (!KINDS.includes(type as q.MessageKind))
      throw invalidField('types', `must be a comma-separated subset of: ${KINDS.join(', ')}`);
    kinds.add(type as q.MessageKind);
  }
  const rows = await q.pageOfMessages(db, orgId, ticketId, {
    after: options.startingAfter,
    limit: options.limit + 1,
    kinds,
  });
  const { items, nextCursor } = cursorPage(rows, options.limit);
  return {
    data: await withAttachments(db, orgId, items.map(view)),
    meta: { limit: options.limit, nextCursor },
  };
}

/** The conversation's words for the search index: every message and note, oldest first. */
export async function conversationText(
  db: Kysely<Database>,
  orgId: string,
  ticketId: string,
): Promise<string> {
  const rows = await q.messagesOf(db, orgId, ticketId, { withSystem: false });
  return rows.map((row) => row.text).join('\n');
}

/** The ticket of the first message (by id or by the channel's id) that any of `refs` names. */
export async function ticketOfReferences(
  db: Kysely<Database>,
  orgId: string,
  refs: { externalIds: string[]; messageIds: string[] },
): Promise<string | undefined> {
  if (refs.externalIds.length === 0 && refs.messageIds.length === 0) return undefined;
  return (await q.ticketOfReferences(db, orgId, refs))?.ticket_id;
}

/** The message with this channel id (a duplicate delivery of something already received). */
export async function findByExternalId(
  db: Kysely<Database>,
  orgId: string,
  externalId: string,
): Promise<{ id: string; ticketId: string; customerId: string } | undefined> {
  const row = await q.findByExternalId(db, orgId, externalId);
  return row ? { id: row.id, ticketId: row.ticket_id, customerId: row.customer_id } : undefined;
}

/** A message with what its delivery needs, or undefined when it is gone (its ticket was deleted). */
export async function messageForDelivery(db: Kysely<Database>, messageId: string) {
  const row = await q.findForDelivery(db, messageId);
  if (!row) return undefined;
  const message = (await withAttachments(db, row.org_id, [view(row)]))[0] as MessageView;
  return {
    orgId: row.org_id,
    ticketId: row.ticket_id,
    internal: row.internal === 1,
    status: row.delivery_status,
    partsSent: row.delivery_parts,
    externalId: row.external_id,
    /** Set when a person (an agent) wrote it: see shownAgentName. */
    agentId: row.agent_id,
    message,
  };
}

/** The email Message-IDs of a ticket's messages, oldest first: what a reply's References are built from. */
export async function threadOf(db: Kysely<Database>, orgId: string, ticketId: string): Promise<string[]> {
  return (await q.externalIdsOf(db, orgId, ticketId))
    .map((row) => row.external_id)
    .filter((id): id is string => id !== null && id.startsWith('<'));
}

/**
 * Records how a delivery went: sent (with the channel's id for it), failed, or queued again.
 * A sent message stays sent: a late report of an earlier attempt never demotes it.
 */
export async function setDeliveryState(
  db: Kysely<Database>,
  orgId: string,
  messageId: string,
  state:
    | { status: 'sent'; externalId: string | null; at: number }
    | { status: 'failed'; error: string }
    | { status: 'queued'; error: string | null },
): Promise<void> {
  await q.updateDelivery(
    db,
    orgId,
    messageId,
    state.status === 'sent'
      ? {
          delivery_status: 'sent',
          delivery_error: null,
          delivered_at: state.at,
          ...(state.externalId ? { external_id: state.externalId } : {}),
        }
      : { delivery_status: state.status, delivery_error: state.error },
    { unlessSent: state.status !== 'sent' },
  );
}

/** Parts of a delivery in several that went out (see DeliveryContext.progress). */
export async function recordDeliveryParts(
  db: Kysely<Database>,
  orgId: string,
  messageId: string,
  sent: number,
  externalId: string | null,
): Promise<void> {
  await q.updateDelivery(db, orgId, messageId, {
    delivery_parts: sent,
    ...(externalId ? { external_id: externalId } : {}),
  });
}
