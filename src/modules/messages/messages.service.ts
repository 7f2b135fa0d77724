import type { Kysely } from 'kysely';
import type { Database, MessageRole } from '../../db/schema.js';
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
    createdAt: isoTime(row.created_at),
  };
  if (row.role === 'agent' && row.author_name !== null) message.agentName = row.author_name;
  if (row.role === 'system' && row.data !== null)
    message.change = JSON.parse(row.data) as MessageView['change'];
  return message;
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
