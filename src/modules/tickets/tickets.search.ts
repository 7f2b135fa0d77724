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
  const body = [
    row.customer_name ?? '',
    row.customer_email ?? '',
    await conversationText(db, orgId, ticketId),
  ].join('\n');
  await indexDocument(db, { orgId, kind: 'ticket', refId: ticketId, title: row.subject, body });
}

export function unindexTicket(db: Kysely<Database>, orgId: string, ticketId: string): Promise<void> {
  return removeDocument(db, orgId, 'ticket', ticketId);
}
