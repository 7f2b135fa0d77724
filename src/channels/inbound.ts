import type { Kysely } from 'kysely';
import type { ChannelType, Database } from '../db/schema.js';
import type { BlobStorage } from '../storage/storage.js';
import type { InboundFile } from './types.js';

/** Who wrote. */
export type CustomerRef =
  /** The org's customer with this email (case-insensitive), created if new. */
  | { email: string; name?: string | null }
  /** The customer behind this chat on the message's channel (a Telegram chat id), created if new. */
  | { contact: { externalId: string; name: string | null } }
  /** A known customer (a returning widget visitor). */
  | { customerId: string }
  /** The org's customer with this verified userId (a signed widget identity), created if new. */
  | { userId: string; email?: string | null; name?: string | null }
  /** Someone who gave no address: a new customer with at most a name. */
  | { anonymous: { name: string | null } };

/** Which ticket an inbound message belongs to. */
export type Threading =
  /** Email: the ticket of any message named in In-Reply-To/References, else the ticket code in the subject. */
  | { mode: 'email'; references: string[]; subjectCode: string | null }
  /** Telegram: the customer's latest unresolved ticket on this channel, else a new one. */
  | { mode: 'open-ticket' }
  /** Widget: this conversation (it must be the customer's). */
  | { mode: 'ticket'; ticketId: string }
  | { mode: 'new' };

export interface InboundMessage {
  orgId: string;
  channelType: ChannelType;
  /** The channel row (null for the widget, which is one per org). */
  channelId: string | null;
  customer: CustomerRef;
  threading: Threading;
  /** Subject of a new ticket (trimmed, cut to 200 characters; a placeholder when empty). */
  subject: string;
  text: string;
  html?: string | null;
  /** The channel's id for the message: a second message with the same one is a duplicate. */
  externalId?: string | null;
  /** Files that came with the message; stored and attached. */
  files?: InboundFile[];
  /** Widget: ids of uploads the visitor made first (POST /widget/v1/uploads). */
  uploadIds?: string[];
}

export interface InboundResult {
  outcome: 'created' | 'appended' | 'duplicate';
  ticketId: string;
  messageId: string;
  customerId: string;
}

/**
 * A customer's message from any channel: finds or creates the customer, finds the ticket it
 * continues or opens one, stores the message and its files, and records the events — all in
 * one transaction, so a failure leaves no partial ticket. Reopens a pending or resolved ticket.
 */
export async function receiveMessage(
  db: Kysely<Database>,
  storage: BlobStorage,
  input: InboundMessage,
): Promise<InboundResult> {
  void db;
  void storage;
  void input;
  throw new Error('receiveMessage: being written');
}
