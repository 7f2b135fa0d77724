import type { Kysely } from 'kysely';
import { isPlausibleId } from '../../lib/ids.js';
import { enqueueDelivery } from '../../channels/delivery-queue.js';
import type { Database, DeliveryStatus, TicketChannel } from '../../db/schema.js';
import { agentIdOf, type Caller } from '../../http/caller.js';
import { AppError, notFound } from '../../http/errors.js';
import { notifyJobsEnqueued } from '../../jobs/queue.js';
import { channelOfOrg } from '../channels/channels.lookup.js';
import { recordEvent } from '../events/events.service.js';
import type { MessageView } from '../messages/messages.schemas.js';
import { messageForDelivery, recordMessage, setDeliveryState } from '../messages/messages.service.js';
import { attachUploads } from '../uploads/uploads.service.js';
import { reindexTicket } from './tickets.search.js';
import { lockTicket } from './tickets.service.js';
import * as q from './tickets.queries.js';

/**
 * Where a new agent message's delivery starts: notes are never delivered; the API channel's
 * delivery is the event log written with the message; every other channel queues a job.
 */
function initialDelivery(channel: TicketChannel, internal: boolean): DeliveryStatus | null {
  if (internal) return null;
  return channel === 'api' ? 'sent' : 'queued';
}

/** An agent reply or internal note; the ticket's updatedAt moves with it, and a reply is queued for delivery. */
export async function addAgentMessage(
  db: Kysely<Database>,
  caller: Caller,
  ticketRef: string,
  input: { text: string; internal?: boolean | undefined; attachments?: string[] | undefined },
): Promise<MessageView> {
  const message = await db.transaction().execute(async (trx) => {
    const ticket = await lockTicket(trx, caller.orgId, ticketRef);
    const now = Math.max(Date.now(), ticket.updated_at + 1);
    const deliveryStatus = initialDelivery(ticket.channel, input.internal ?? false);
    const message = await recordMessage(trx, {
      orgId: caller.orgId,
      ticketId: ticket.id,
      role: 'agent',
      text: input.text,
      authorName: caller.name,
      agentId: agentIdOf(caller),
      apiKeyId: caller.actorType === 'api_key' ? caller.actorId : null,
      internal: input.internal ?? false,
      deliveryStatus,
      at: now,
    });
    if (input.attachments?.length)
      message.attachments = await attachUploads(trx, caller, message.id, input.attachments);
    await q.updateTicket(trx, caller.orgId, ticket.id, { updated_at: now });
    await q.setTagsUpdatedAt(trx, caller.orgId, ticket.id, now);
    await reindexTicket(trx, caller.orgId, ticket.id);
    if (deliveryStatus === 'queued') await enqueueDelivery(trx, caller.orgId, message.id);
    await recordEvent(trx, caller, caller.orgId, 'message.created', message.id, {
      ticket: { id: ticket.id, status: ticket.status, channel: ticket.channel, subject: ticket.subject },
      message,
    });
    return message;
  });
  if (message.deliveryStatus === 'queued') notifyJobsEnqueued();
  return message;
}

async function channelExists(db: Kysely<Database>, ticket: { org_id: string; channel_id: string | null }) {
  return (
    ticket.channel_id !== null && (await channelOfOrg(db, ticket.org_id, ticket.channel_id)) !== undefined
  );
}

/** Queues a failed delivery again; anything else (queued, sent, never delivered) is a 409 that says why. */
export async function retryDelivery(
  db: Kysely<Database>,
  caller: Caller,
  ticketRef: string,
  messageId: string,
): Promise<MessageView> {
  const message = await db.transaction().execute(async (trx) => {
    const ticket = await lockTicket(trx, caller.orgId, ticketRef);
    const found = isPlausibleId(messageId) ? await messageForDelivery(trx, messageId) : undefined;
    if (!found || found.orgId !== caller.orgId || found.ticketId !== ticket.id) {
      throw notFound(`Message ${messageId} not found on ticket ${ticketRef}`);
    }
    if (found.status !== 'failed') {
      const why =
        found.status === null
          ? 'it is not delivered to the customer (a customer message, a system message or an internal note)'
          : `its delivery is ${found.status}`;
      throw new AppError('CONFLICT', 409, `Only a failed delivery can be retried: ${why}`, {
        deliveryStatus: found.status,
      });
    }
    if (
      (ticket.channel === 'email' || ticket.channel === 'telegram') &&
      !(await channelExists(trx, ticket))
    ) {
      throw new AppError(
        'CONFLICT',
        409,
        `The ticket's ${ticket.channel} channel was deleted: the reply can't be delivered again`,
        { deliveryStatus: found.status },
      );
    }
    await setDeliveryState(trx, caller.orgId, found.message.id, { status: 'queued', error: null });
    await enqueueDelivery(trx, caller.orgId, found.message.id);
    return { ...found.message, deliveryStatus: 'queued' as const, deliveryError: null };
  });
  notifyJobsEnqueued();
  return message;
}
