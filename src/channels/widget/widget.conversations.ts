import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { invalidField, notFound } from '../../http/errors.js';
import { cursorPage } from '../../http/pagination.js';
import { liveCustomer } from '../../modules/customers/customers.inbound.js';
import { writtenByPerson } from '../../modules/messages/messages.service.js';
import { supportNameOf, ticketCodePrefix } from '../../modules/orgs/orgs.service.js';
import { attachmentsOf } from '../../modules/uploads/uploads.service.js';
import type { BlobStorage } from '../../storage/storage.js';
import { receiveMessage, type CustomerRef } from '../inbound.js';
import type { Channel } from '../types.js';
import * as q from './widget.queries.js';
import type {
  ConversationSummaryView,
  ConversationView,
  ListConversationsQuery,
  SendMessageBody,
  StartConversationBody,
  WidgetMessageView,
} from './widget.schemas.js';
import { accessOf, newExternalId } from './widget.access.js';
import { checkVisitorUploads } from './widget.uploads.js';
import { customerOf, requireEnabled, type Visitor } from './widget.visitors.js';
import { conversationFields, messageView } from './widget.views.js';

/** Most messages one read returns (a conversation's newest, or those after a given one). */
const MESSAGE_PAGE = 200;

async function messageViews(
  db: Kysely<Database>,
  orgId: string,
  rows: q.VisibleMessageRow[],
): Promise<WidgetMessageView[]> {
  if (rows.length === 0) return [];
  // The support name is read only when some reply has no person behind it.
  const keyless = rows.some(
    (row) => row.role === 'agent' && !writtenByPerson({ agentId: row.agent_id, authorName: row.author_name }),
  );
  const [files, supportName] = await Promise.all([
    attachmentsOf(
      db,
      orgId,
      rows.map((row) => row.id),
    ),
    keyless ? supportNameOf(db, orgId) : '',
  ]);
  return rows.map((row) => messageView(row, files.get(row.id) ?? [], supportName));
}

async function findOr404(db: Kysely<Database>, visitor: Visitor, id: string) {
  const row = await q.findConversation(db, await accessOf(db, visitor), id);
  if (!row) throw notFound(`Conversation ${id} not found`);
  return row;
}

export async function listConversations(
  db: Kysely<Database>,
  visitor: Visitor,
  query: ListConversationsQuery,
): Promise<{ data: ConversationSummaryView[]; meta: { limit: number; nextCursor: string | null } }> {
  const rows = await q.listConversations(db, await accessOf(db, visitor), {
    limit: query.limit + 1,
    after: query.startingAfter,
  });
  const { items, nextCursor } = cursorPage(rows, query.limit);
  const [prefix, lastRows] = await Promise.all([
    ticketCodePrefix(db, visitor.orgId),
    items.length === 0
      ? []
      : q.lastMessages(
          db,
          visitor.orgId,
          items.map((row) => row.id),
        ),
  ]);
  const last = new Map((await messageViews(db, visitor.orgId, lastRows)).map((m) => [m.conversationId, m]));
  return {
    data: items.map((row) => ({ ...conversationFields(row, prefix), lastMessage: last.get(row.id) ?? null })),
    meta: { limit: query.limit, nextCursor },
  };
}

export async function getConversation(
  db: Kysely<Database>,
  visitor: Visitor,
  id: string,
): Promise<ConversationView> {
  const row = await findOr404(db, visitor, id);
  const [prefix, rows] = await Promise.all([
    ticketCodePrefix(db, visitor.orgId),
    q.messagesOf(db, visitor.orgId, row.id, { limit: MESSAGE_PAGE }),
  ]);
  return { ...conversationFields(row, prefix), messages: await messageViews(db, visitor.orgId, rows) };
}

/** The polling fallback: messages after `after` (the newest the widget has), or the latest ones. */
export async function listMessages(
  db: Kysely<Database>,
  visitor: Visitor,
  id: string,
  after: string | undefined,
): Promise<{ data: WidgetMessageView[] }> {
  const row = await findOr404(db, visitor, id);
  // A cursor naming nothing here would silently answer "no news" forever: say so instead.
  if (after !== undefined && (await q.findVisibleMessage(db, visitor.orgId, after))?.ticket_id !== row.id) {
    throw invalidField('after', 'names no message of this conversation');
  }
  const rows = await q.messagesOf(db, visitor.orgId, row.id, { limit: MESSAGE_PAGE, after });
  return { data: await messageViews(db, visitor.orgId, rows) };
}

async function readMessage(db: Kysely<Database>, orgId: string, id: string): Promise<WidgetMessageView> {
  const row = await q.findVisibleMessage(db, orgId, id);
  if (!row) throw new Error(`message ${id} not found right after it was received`);
  const [view] = await messageViews(db, orgId, [row]);
  return view!;
}

/**
 * Who a new conversation is from: the verified user; else the customer this visitor created
 * earlier (unless it now gives a different address); else a new customer with what the visitor
 * typed or claimed, unverified — never an existing customer with that address or id.
 */
async function authorOf(
  db: Kysely<Database>,
  visitor: Visitor,
  body: StartConversationBody,
  requireEmail: boolean,
): Promise<{ ref: CustomerRef; known: boolean }> {
  const customer = await customerOf(db, visitor);
  const email = body.email?.trim() || undefined;
  const name = body.name?.trim() || null;
  const givenEmail = customer?.email ?? customer?.claimedEmail ?? undefined;
  if (requireEmail && email === undefined && givenEmail === undefined) {
    throw invalidField(
      'email',
      'is required: this widget asks for an email address before the first message',
    );
  }
  if (visitor.userId !== null) {
    return { ref: { userId: visitor.userId, name, ...(email ? { email } : {}) }, known: true };
  }
  const sameAddress = email === undefined || email.toLowerCase() === givenEmail?.toLowerCase();
  if (customer && sameAddress) return { ref: { customerId: customer.id }, known: true };
  return {
    ref: { claimed: { userId: visitor.claimedUserId, email: email ?? null, name } },
    known: false,
  };
}

export async function startConversation(
  db: Kysely<Database>,
  storage: BlobStorage,
  channel: Channel<'widget'>,
  visitor: Visitor,
  body: StartConversationBody,
): Promise<ConversationView> {
  requireEnabled(channel);
  const { ref, known } = await authorOf(db, visitor, body, channel.settings.requireEmail);
  await checkVisitorUploads(db, visitor, body.attachments ?? []);
  const startedAt = Date.now();
  const received = await receiveMessage(db, storage, {
    orgId: visitor.orgId,
    channelType: 'widget',
    channelId: null,
    customer: ref,
    threading: { mode: 'new' },
    subject: body.subject ?? '',
    text: body.text,
    externalId: newExternalId(visitor),
    uploadIds: body.attachments ?? [],
  });
  if (!known) {
    // Later conversations go to the customer this visitor created (a claim always makes one).
    const customer = await liveCustomer(db, visitor.orgId, received.customerId);
    if (customer && customer.created_at >= startedAt) {
      await q.updateVisitor(db, visitor.orgId, visitor.id, { customer_id: customer.id });
      visitor.customerId = customer.id;
    }
  } else if (visitor.customerId !== received.customerId) {
    await q.updateVisitor(db, visitor.orgId, visitor.id, { customer_id: received.customerId });
    visitor.customerId = received.customerId;
  }
  return getConversation(db, visitor, received.ticketId);
}

export async function sendMessage(
  db: Kysely<Database>,
  storage: BlobStorage,
  channel: Channel<'widget'>,
  visitor: Visitor,
  id: string,
  body: SendMessageBody,
): Promise<WidgetMessageView> {
  requireEnabled(channel);
  const conversation = await findOr404(db, visitor, id);
  await checkVisitorUploads(db, visitor, body.attachments ?? []);
  const received = await receiveMessage(db, storage, {
    orgId: visitor.orgId,
    channelType: 'widget',
    channelId: null,
    customer: { customerId: conversation.customer_id },
    threading: { mode: 'ticket', ticketId: conversation.id },
    subject: '',
    text: body.text,
    externalId: newExternalId(visitor),
    uploadIds: body.attachments ?? [],
  });
  return readMessage(db, visitor.orgId, received.messageId);
}
