import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { indexDocument, removeDocument } from '../../db/search.js';
import { conversationText } from '../messages/messages.service.js';
import * as q from './tickets.queries.js';

/**
 * Rewrites the ticket's search document — subject as the title; customer name, email and the
 * conversation (internal notes included, the audit trail not) as the body. Call it in the
 * transaction that changed any of those, so search never disagrees with what was committed.
 */
export async function reindexTicket(db: Kysely<Database>, orgId: string, ticketId: string): Promise<void> {
  const row = await q.findTicket(db, orgId, { id: ticketId });
  if (!row) {
    await removeDocument(db, orgId, 'ticket', ticketId);
    return;
  }
  await indexTicket(db, orgId, ticketId, {
    subject: row.subject,
    customerName: row.customer_name,
    customerEmail: row.customer_email,
    conversation: await conversationText(db, orgId, ticketId),
  });
}

/** Writes the document from what the caller already has (a new ticket: no need to read it back). */
export function indexTicket(
  db: Kysely<Database>,
  orgId: string,
  ticketId: string,
  content: {
    subject: string;
    customerName: string | null;
    customerEmail: string | null;
    conversation: string;
  },
): Promise<void> {
  const body = [content.customerName ?? '', content.customerEmail ?? '', content.conversation].join('\n');
  return indexDocument(db, { orgId, kind: 'ticket', refId: ticketId, title: content.subject, body });
}

export function unindexTicket(db: Kysely<Database>, orgId: string, ticketId: string): Promise<void> {
  return removeDocument(db, orgId, 'ticket', ticketId);
}
