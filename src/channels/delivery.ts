import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/schema.js';
import { PermanentFailure } from '../jobs/errors.js';
import type { ClaimedJob, JobHandler } from '../jobs/worker.js';
import { findChannel, widgetChannel } from '../modules/channels/channels.lookup.js';
import { chatOfCustomer, liveCustomer } from '../modules/customers/customers.inbound.js';
import { recordEvent } from '../modules/events/events.service.js';
import {
  messageForDelivery,
  recordDeliveryParts,
  setDeliveryState,
  shownAgentName,
  writtenByPerson,
  threadOf,
} from '../modules/messages/messages.service.js';
import { supportNameOf } from '../modules/orgs/orgs.service.js';
import { deliveryTargetOf } from '../modules/tickets/tickets.service.js';
import { openStoredFile } from '../modules/uploads/uploads.service.js';
import type { RealtimeBus } from '../realtime/bus.js';
import type { BlobStorage } from '../storage/storage.js';
import { deliverEmail } from './email/outbound.js';
import type { SecretBox } from './secret-box.js';
import { deliverTelegram } from './telegram/outbound.js';
import type { ChannelAdapter, DeliveryContext, OutboundFile } from './types.js';
import { publishAgentMessage } from './widget/widget.realtime.js';

export interface DeliveryDeps {
  db: Kysely<Database>;
  config: Config;
  storage: BlobStorage;
  bus: RealtimeBus;
  box: SecretBox;
}

const ADAPTERS: { email: ChannelAdapter<'email'>; telegram: ChannelAdapter<'telegram'> } = {
  email: deliverEmail,
  telegram: deliverTelegram,
};

function messageIdOf(job: ClaimedJob): string {
  const id = job.payload.messageId;
  if (typeof id !== 'string') throw new PermanentFailure('the job names no message');
  return id;
}

/**
 * Delivers one message. Safe to run twice (jobs are at-least-once): a message already sent is
 * left alone, and each adapter makes a repeated send recognisable where its channel allows.
 */
async function deliver(deps: DeliveryDeps, job: ClaimedJob): Promise<void> {
  const { db } = deps;
  const found = await messageForDelivery(db, messageIdOf(job));
  // Gone with its ticket, already sent, or turned into something that is not delivered.
  if (!found || found.status === 'sent' || found.internal || found.message.role !== 'agent') return;
  const { orgId, message } = found;
  const ticket = await deliveryTargetOf(db, orgId, found.ticketId);
  if (!ticket) return;
  const at = Date.now();
  if (ticket.channel === 'api') {
    await setDeliveryState(db, orgId, message.id, { status: 'sent', externalId: null, at });
    return;
  }
  // What the customer reads as the author: a person's name or the org's support name.
  const author = { agentId: found.agentId, authorName: message.agentName ?? null };
  const agentName = shownAgentName(author, writtenByPerson(author) ? '' : await supportNameOf(db, orgId));
  if (ticket.channel === 'widget') {
    if (!(await widgetChannel(db, deps.box, orgId)).enabled)
      throw new PermanentFailure('the widget is disabled');
    // Open widgets get it now; a visitor who is away reads it from the conversation later.
    await publishAgentMessage(deps.bus, {
      orgId,
      customerId: ticket.customerId,
      ticketId: ticket.id,
      message,
      agentName,
    });
    await setDeliveryState(db, orgId, message.id, { status: 'sent', externalId: null, at });
    return;
  }
  const channel = ticket.channelId ? await findChannel(db, deps.box, ticket.channelId) : undefined;
  if (!channel || channel.type !== ticket.channel) {
    throw new PermanentFailure(`the ticket's ${ticket.channel} channel no longer exists`);
  }
  if (!channel.enabled)
    throw new PermanentFailure(`the ${ticket.channel} channel "${channel.name}" is disabled`);
  const customer = await liveCustomer(db, orgId, ticket.customerId);
  if (!customer) throw new PermanentFailure('the customer was deleted');
  const attachments: OutboundFile[] = message.attachments.map((file) => ({
    name: file.name,
    contentType: file.contentType,
    size: file.size,
    open: () => openStoredFile(db, deps.storage, orgId, file.id),
  }));
  const base = {
    config: deps.config,
    db,
    storage: deps.storage,
    bus: deps.bus,
    box: deps.box,
    ticket: { id: ticket.id, code: ticket.code, subject: ticket.subject },
    customer,
    message: {
      id: message.id,
      text: message.text,
      agentName,
      createdAt: Date.parse(message.createdAt),
      attachments,
    },
    thread: channel.type === 'email' ? await threadOf(db, orgId, ticket.id) : [],
    chatId: channel.type === 'telegram' ? await chatOfCustomer(db, orgId, channel.id, customer.id) : null,
    progress: {
      sent: found.partsSent,
      externalId: found.externalId,
      record: (sent: number, externalId: string | null) =>
        recordDeliveryParts(db, orgId, message.id, sent, externalId),
    },
  };
  const result =
    channel.type === 'email'
      ? await ADAPTERS.email({ ...base, channel } as DeliveryContext<'email'>)
      : await ADAPTERS.telegram({ ...base, channel } as DeliveryContext<'telegram'>);
  await setDeliveryState(db, orgId, message.id, {
    status: 'sent',
    externalId: result.externalId,
    at: Date.now(),
  });
}

/** The deliver_message job: delivery, its error on the message while retried, `failed` when given up. */
export function deliveryHandler(deps: DeliveryDeps): JobHandler {
  return {
    run: (job) => deliver(deps, job),
    async onRetry(job, error) {
      if (job.orgId === null) return;
      await setDeliveryState(deps.db, job.orgId, messageIdOf(job), { status: 'queued', error });
    },
    async onGiveUp(job, error) {
      const found = await messageForDelivery(deps.db, messageIdOf(job));
      if (!found || found.status === 'sent') return;
      await deps.db.transaction().execute(async (trx) => {
        await setDeliveryState(trx, found.orgId, found.message.id, { status: 'failed', error });
        await recordEvent(trx, null, found.orgId, 'message.delivery_failed', found.message.id, {
          ticketId: found.ticketId,
          messageId: found.message.id,
          error,
        });
      });
    },
  };
}
