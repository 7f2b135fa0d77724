import type { Kysely } from 'kysely';
import { takeTicketNumber } from '../../db/sequences.js';
import type { Database, TicketChannel } from '../../db/schema.js';
import { customerCaller, type Caller } from '../../http/caller.js';
import { notFound } from '../../http/errors.js';
import { newId } from '../../lib/ids.js';
import type { CustomerRow } from '../customers/customers.service.js';
import { recordEvent } from '../events/events.service.js';
import type { MessageView } from '../messages/messages.schemas.js';
import { recordMessage, ticketOfReferences } from '../messages/messages.service.js';
import type { AttachmentView } from '../uploads/uploads.schemas.js';
import { ticketCodePrefix } from '../orgs/orgs.service.js';
import { recordChange } from './tickets.audit.js';
import { indexTicket, reindexTicket } from './tickets.search.js';
import { readTicket } from './tickets.service.js';
import * as q from './tickets.queries.js';

/** Which ticket a customer's channel message continues (see channels/inbound.ts). */
export type Threading =
  | {
      mode: 'email';
      /** In-Reply-To and References: Message-IDs anyone who saw (or guessed) them can name. */
      references: string[];
      /** Talki message ids whose Message-ID token verified: only mail Talki sent carries them. */
      trustedMessageIds: string[];
      subjectCode: string | null;
      /** False when the receiving MTA found the From forged (DMARC fail): it then threads by nothing but a trusted id. */
      senderVerified: boolean;
    }
  | { mode: 'open-ticket' }
  | { mode: 'ticket'; ticketId: string }
  | { mode: 'new' };

export interface CustomerMessage {
  orgId: string;
  channel: Exclude<TicketChannel, 'api'>;
  channelId: string | null;
  customer: CustomerRow;
  threading: Threading;
  subject: string;
  text: string;
  html: string | null;
  /** JSON kept beside the text: what it was made from (an email's unfolded text, its headers). */
  source?: string | null;
  externalId: string | null;
  /** Attaches the message's files inside the transaction, before its events are recorded. */
  attach?: (trx: Kysely<Database>, caller: Caller, messageId: string) => Promise<AttachmentView[]>;
}

const MERGE_HOPS = 10;
/** Talki's own outbound Message-IDs carry the message id: <msg_….token@domain> (no token before). */
const OWN_MESSAGE_ID = /^<?(msg_[0-9a-z]{26})[.@]/;
const MAX_SUBJECT = 200;

function subjectOf(text: string): string {
  const subject = text.replace(/\s+/g, ' ').trim();
  return subject.length > MAX_SUBJECT ? `${subject.slice(0, MAX_SUBJECT - 1)}…` : subject;
}

/** The ticket a message continues, or undefined when it opens a new one. */
async function continuedTicket(trx: Kysely<Database>, input: CustomerMessage): Promise<string | undefined> {
  const { orgId, customer, threading } = input;
  switch (threading.mode) {
    case 'new':
      return undefined;
    case 'ticket': {
      const row = await q.lockTicket(trx, orgId, { id: threading.ticketId });
      if (!row || row.customer_id !== customer.id)
        throw notFound(`Conversation ${threading.ticketId} not found`);
      return row.id;
    }
    case 'open-ticket':
      return (await q.latestOpenOfCustomer(trx, orgId, customer.id, input.channel, input.channelId))?.id;
    case 'email': {
      // A reply to mail Talki sent (its Message-ID's token verified) threads whoever sends it.
      const trusted = await ticketOfReferences(trx, orgId, {
        externalIds: [],
        messageIds: threading.trustedMessageIds,
      });
      if (trusted) return trusted;
      if (!threading.senderVerified) return undefined;
      // Other ids are predictable (message ids are time-sorted) or copied from a thread: they
      // only thread mail from the ticket's own customer, like the subject code below.
      const references = threading.references.map((ref) => ref.trim()).filter(Boolean);
      const messageIds = references.flatMap((ref) => OWN_MESSAGE_ID.exec(ref)?.[1] ?? []);
      const byReference = await ticketOfReferences(trx, orgId, { externalIds: references, messageIds });
      if (byReference && (await q.lockTicket(trx, orgId, { id: byReference }))?.customer_id === customer.id)
        return byReference;
      if (!threading.subjectCode) return undefined;
      // A code in the subject is guessable: it only threads mail from the ticket's own customer.
      const parsed = q.parseTicketRef(threading.subjectCode);
      if (!parsed || 'id' in parsed || parsed.prefix !== (await ticketCodePrefix(trx, orgId)))
        return undefined;
      const row = await q.lockTicket(trx, orgId, { number: parsed.number });
      return row && row.customer_id === customer.id ? row.id : undefined;
    }
  }
}

/** Follows merges to the ticket that lives on. */
async function survivor(trx: Kysely<Database>, orgId: string, id: string) {
  let row = await q.lockTicket(trx, orgId, { id });
  for (let hop = 0; row?.merged_into && hop < MERGE_HOPS; hop++) {
    row = await q.lockTicket(trx, orgId, { id: row.merged_into });
  }
  return row;
}

/**
 * A customer's message from a channel, inside the caller's transaction: continues the ticket
 * its threading names (reopening it if it was pending or resolved) or opens a new one, and
 * records the events. Returns the ticket id, the message and whether the ticket is new.
 */
export async function receiveCustomerMessage(
  trx: Kysely<Database>,
  input: CustomerMessage,
): Promise<{ ticketId: string; message: MessageView; created: boolean }> {
  const { orgId, customer } = input;
  const caller = customerCaller(orgId, customer);
  const continued = await continuedTicket(trx, input);
  const existing = continued === undefined ? undefined : await survivor(trx, orgId, continued);
  const now = Math.max(Date.now(), (existing?.updated_at ?? 0) + 1);
  let ticketId: string;
  if (existing) {
    ticketId = existing.id;
    if (existing.status !== 'open') {
      await q.updateTicket(trx, orgId, ticketId, { status: 'open', updated_at: now });
      await recordChange(trx, caller, ticketId, { field: 'status', from: existing.status, to: 'open' }, now);
    } else {
      await q.updateTicket(trx, orgId, ticketId, { updated_at: now });
    }
    await q.setTagsUpdatedAt(trx, orgId, ticketId, now);
  } else {
    ticketId = newId('tkt', now);
    await q.insertTicket(trx, {
      id: ticketId,
      org_id: orgId,
      number: await takeTicketNumber(trx, orgId),
      status: 'open',
      channel: input.channel,
      channel_id: input.channelId,
      subject: subjectOf(input.subject) || subjectOf(input.text) || 'New conversation',
      customer_id: customer.id,
      assigned_to: null,
      created_at: now,
      updated_at: now,
    });
  }
  const message = await recordMessage(trx, {
    orgId,
    ticketId,
    role: 'customer',
    text: input.text,
    html: input.html,
    source: input.source ?? null,
    externalId: input.externalId,
    authorName: customer.name,
    at: now,
  });
  if (input.attach) message.attachments = await input.attach(trx, caller, message.id);
  if (existing) await reindexTicket(trx, orgId, ticketId);
  const ticket = await readTicket(trx, orgId, ticketId);
  if (!existing) {
    await indexTicket(trx, orgId, ticketId, {
      subject: ticket.subject,
      customerName: customer.name,
      customerEmail: customer.email,
      conversation: input.text,
    });
    await recordEvent(trx, caller, orgId, 'ticket.created', ticketId, { ticket });
  } else if (existing.status !== 'open') {
    await recordEvent(trx, caller, orgId, 'ticket.updated', ticketId, {
      ticket,
      changes: { status: { from: existing.status, to: 'open' } },
    });
  }
  await recordEvent(trx, caller, orgId, 'message.created', message.id, { ticket, message });
  return { ticketId, message, created: !existing };
}
