import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { customerForInbound, type CustomerRef } from '../modules/customers/customers.inbound.js';
import { findByExternalId } from '../modules/messages/messages.service.js';
import { receiveCustomerMessage, type Threading } from '../modules/tickets/tickets.inbound.js';
import {
  attachUploads,
  discardReceivedFiles,
  recordReceivedFiles,
  storeReceivedFiles,
  type StoredFiles,
} from '../modules/uploads/uploads.service.js';
import type { BlobStorage } from '../storage/storage.js';
import type { InboundFile } from './types.js';

export type { CustomerRef } from '../modules/customers/customers.inbound.js';
export type { Threading } from '../modules/tickets/tickets.inbound.js';

export interface InboundMessage {
  orgId: string;
  channelType: 'email' | 'telegram' | 'widget';
  /** The channel row (null for the widget, which is one per org). */
  channelId: string | null;
  customer: CustomerRef;
  threading: Threading;
  /** Subject of a new ticket (whitespace folded, cut to 200 characters; the text's start when empty). */
  subject: string;
  text: string;
  html?: string | null;
  /** JSON of what the text was made from (an email's whole text before folding, its headers). */
  source?: string | null;
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

async function duplicateOf(
  db: Kysely<Database>,
  orgId: string,
  externalId: string | null | undefined,
): Promise<InboundResult | undefined> {
  if (!externalId) return undefined;
  const found = await findByExternalId(db, orgId, externalId);
  return (
    found && {
      outcome: 'duplicate',
      ticketId: found.ticketId,
      messageId: found.id,
      customerId: found.customerId,
    }
  );
}

/**
 * A customer's message from any channel: finds or creates the customer, finds the ticket it
 * continues or opens one, stores the message and its files and records the events — all in one
 * transaction, so a failure leaves no partial ticket (files stored ahead are removed again). A
 * message whose externalId was seen before is a duplicate: nothing new is created.
 */
export async function receiveMessage(
  db: Kysely<Database>,
  storage: BlobStorage,
  input: InboundMessage,
): Promise<InboundResult> {
  const seen = await duplicateOf(db, input.orgId, input.externalId);
  if (seen) return seen;
  let stored: StoredFiles = [];
  try {
    if (input.files?.length) {
      stored = await storeReceivedFiles(storage, input.orgId, input.files);
    }
    const result = await db.transaction().execute(async (trx) => {
      const duplicate = await duplicateOf(trx, input.orgId, input.externalId);
      if (duplicate) return duplicate;
      const customer = await customerForInbound(trx, input.orgId, input.channelId, input.customer);
      const received = await receiveCustomerMessage(trx, {
        orgId: input.orgId,
        channel: input.channelType,
        channelId: input.channelId,
        customer,
        threading: input.threading,
        subject: input.subject,
        text: input.text,
        html: input.html ?? null,
        source: input.source ?? null,
        externalId: input.externalId ?? null,
        attach: async (tx, caller, messageId) => {
          const attached = await recordReceivedFiles(tx, caller, stored, messageId);
          return input.uploadIds?.length ? attachUploads(tx, caller, messageId, input.uploadIds) : attached;
        },
      });
      return {
        outcome: received.created ? 'created' : 'appended',
        ticketId: received.ticketId,
        messageId: received.message.id,
        customerId: customer.id,
      } satisfies InboundResult;
    });
    if (result.outcome === 'duplicate') await discardReceivedFiles(storage, stored);
    return result;
  } catch (error) {
    await discardReceivedFiles(storage, stored);
    // Two deliveries of one message raced: the other one stored it.
    if (isUniqueViolation(error)) {
      const duplicate = await duplicateOf(db, input.orgId, input.externalId);
      if (duplicate) return duplicate;
    }
    throw error;
  }
}
