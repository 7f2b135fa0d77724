import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errorResponses } from '../../http/errors.js';
import type { ModuleRoutes } from '../../http/module.js';
import { addAgentMessage } from '../tickets/tickets.service.js';
import { TicketParams } from '../tickets/tickets.schemas.js';
import { CreateMessageBody } from './messages.schemas.js';

export const messageRoutes: ModuleRoutes = ({ db }) =>
  async function register(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/tickets/:id/messages',
      {
        schema: {
          tags: ['Messages'],
          operationId: 'createMessage',
          summary: 'Post a message',
          description:
            "Appends an agent message to an existing ticket. Delivered to the customer via their original channel (widget, email, or Telegram). Moves the ticket's updatedAt.",
          params: TicketParams,
          body: CreateMessageBody,
          response: { 201: Type.Ref('Message'), ...errorResponses(400, 401, 403, 404, 413, 415, 429) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await addAgentMessage(db, request.caller, request.params.id, request.body.text)),
    );
  };
