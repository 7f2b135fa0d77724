import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errorResponses } from '../../http/errors.js';
import type { ModuleRoutes } from '../../http/module.js';
import { addAgentMessage, retryDelivery } from '../tickets/tickets.replies.js';
import { resolveTicketId } from '../tickets/tickets.service.js';
import { TicketParams } from '../tickets/tickets.schemas.js';
import { CreateMessageBody, ListMessagesQuery, MessageList, MessageParams } from './messages.schemas.js';
import { pageOfThread } from './messages.service.js';

const tags = ['Messages'];

export const messageRoutes: ModuleRoutes = ({ db }) =>
  async function register(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/tickets/:id/messages',
      {
        schema: {
          tags,
          operationId: 'createMessage',
          summary: 'Post a message',
          description:
            "Appends an agent message to an existing ticket. Delivered to the customer via their original channel (widget, email, or Telegram); with `internal: true` it is an internal note that agents see and the customer never gets. Moves the ticket's updatedAt.",
          params: TicketParams,
          body: CreateMessageBody,
          response: { 201: Type.Ref('Message'), ...errorResponses(400, 401, 403, 404, 413, 415, 429) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await addAgentMessage(db, request.caller, request.params.id, request.body)),
    );

    app.post(
      '/tickets/:id/messages/:messageId/retry',
      {
        schema: {
          tags,
          operationId: 'retryMessageDelivery',
          summary: 'Retry a failed delivery',
          description:
            'Queues a message whose delivery failed (`deliveryStatus: failed`) for delivery again, on the ticket’s channel. Answers the message, now `queued`; its deliveryStatus changes to sent or failed as the delivery goes. 409 when the message’s delivery has not failed.',
          params: MessageParams,
          response: { 200: Type.Ref('Message'), ...errorResponses(401, 403, 404, 409, 429) },
        },
      },
      async (request) => retryDelivery(db, request.caller, request.params.id, request.params.messageId),
    );

    app.get(
      '/tickets/:id/messages',
      {
        schema: {
          tags,
          operationId: 'listMessages',
          summary: 'List a ticket’s messages',
          description:
            'The whole thread oldest first — customer and agent messages, internal notes and system messages recording status, assignment and tag changes — with cursor paging for long threads.',
          params: TicketParams,
          querystring: ListMessagesQuery,
          response: { 200: MessageList, ...errorResponses(400, 401, 403, 404, 429) },
        },
      },
      async (request) => {
        const ticketId = await resolveTicketId(db, request.caller, request.params.id);
        return pageOfThread(db, request.caller.orgId, ticketId, request.query);
      },
    );
  };
