import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import * as q from './widget.queries.js';
import { customerOf, type Visitor } from './widget.visitors.js';

/**
 * The visitor's messages carry `widget:<visitor id>:…` as their external id. That, not the
 * customer a typed email address matched, is what lets a visitor read a conversation: anyone can
 * type someone else's address, and must not see that person's other conversations by doing so.
 */
const authorPrefix = (visitor: Visitor) => `widget:${visitor.id}:`;

/** The external id of a message the visitor writes (unique, and marks it as theirs). */
export const newExternalId = (visitor: Visitor) => `${authorPrefix(visitor)}${randomUUID()}`;

/** What the visitor may read: its verified user's widget conversations and the ones it wrote in. */
export async function accessOf(db: Kysely<Database>, visitor: Visitor): Promise<q.ConversationAccess> {
  const verified = visitor.userId === null ? undefined : await customerOf(db, visitor);
  return { orgId: visitor.orgId, customerId: verified?.id ?? null, authorPrefix: authorPrefix(visitor) };
}

export async function canRead(db: Kysely<Database>, visitor: Visitor, ticketId: string): Promise<boolean> {
  return (await q.findConversation(db, await accessOf(db, visitor), ticketId)) !== undefined;
}
