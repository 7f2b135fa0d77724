import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errorResponses } from '../../http/errors.js';
import type { ModuleRoutes } from '../../http/module.js';
import { NoContent } from '../../http/schema-helpers.js';
import { ticketCounts } from './tickets.counts.js';
import { mergeTickets } from './tickets.merge.js';
import * as service from './tickets.service.js';
import {
  CreateTicketBody,
  ListTicketsQuery,
  MergeTicketBody,
  TicketCounts,
  TicketCountsQuery,
  TicketParams,
  UpdateTicketBody,
} from './tickets.schemas.js';

const tags = ['Tickets'];

export const ticketRoutes: ModuleRoutes = ({ db }) =>
  async function register(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/tickets',
      {
        schema: {
          tags,
          operationId: 'listTickets',
          summary: 'List tickets',
          description: 'Returns a paginated list of tickets for your organization.',
          querystring: ListTicketsQuery,
          response: { 200: Type.Ref('TicketList'), ...errorResponses(400, 401, 403, 429) },
        },
      },
      async (request) => service.listTickets(db, request.caller, request.query),
    );

    // Declared before /tickets/:id so that reading it never reaches the id route.
    app.get(
      '/tickets/counts',
      {
        schema: {
          tags,
          operationId: 'countTickets',
          summary: 'Count tickets for the inbox',
          description:
            "Live counts of the inbox's views — `all`, `mine` (the calling agent's tickets; null for an API key) and `unassigned` — in total and per status. Takes the list's narrowing filters (channel, tag, priority, assignedTo, customerId, dates, search/q); an `assignedTo` naming someone else leaves `mine` or `unassigned` at zero.",
          querystring: TicketCountsQuery,
          response: { 200: TicketCounts, ...errorResponses(400, 401, 403, 429) },
        },
      },
      async (request) => ticketCounts(db, request.caller, request.query),
    );

    app.get(
      '/tickets/:id',
      {
        schema: {
          tags,
          operationId: 'getTicket',
          summary: 'Get ticket',
          description: 'Returns a single ticket with all messages, oldest first.',
          params: TicketParams,
          response: { 200: Type.Ref('TicketWithMessages'), ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request) => service.getTicket(db, request.caller, request.params.id),
    );

    app.post(
      '/tickets',
      {
        schema: {
          tags,
          operationId: 'createTicket',
          summary: 'Create ticket',
          description:
            'Creates a new ticket via the API channel. The customer is found by email (case-insensitive) or created; `message` becomes the first customer message.',
          body: CreateTicketBody,
          response: { 201: Type.Ref('Ticket'), ...errorResponses(400, 401, 403, 413, 415, 429) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await service.createTicket(db, request.caller, request.body)),
    );

    app.patch(
      '/tickets/:id',
      {
        schema: {
          tags,
          operationId: 'updateTicket',
          summary: 'Update ticket',
          description:
            'Update ticket status, assignment, or tags. Only the fields sent change; `tags` replaces the set.',
          params: TicketParams,
          body: UpdateTicketBody,
          response: { 200: Type.Ref('Ticket'), ...errorResponses(400, 401, 403, 404, 413, 415, 429) },
        },
      },
      async (request) => service.updateTicket(db, request.caller, request.params.id, request.body),
    );

    app.delete(
      '/tickets/:id',
      {
        schema: {
          tags,
          operationId: 'deleteTicket',
          summary: 'Delete ticket',
          description: 'Deletes the ticket with its messages, tags and time entries.',
          params: TicketParams,
          response: { 204: NoContent, ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request, reply) => {
        await service.deleteTicket(db, request.caller, request.params.id);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/tickets/:id/merge',
      {
        schema: {
          tags,
          operationId: 'mergeTicket',
          summary: 'Merge a ticket into this one',
          description:
            'Moves the source ticket’s messages and tags into this ticket; the source is resolved with mergedInto pointing here. Returns this ticket.',
          params: TicketParams,
          body: MergeTicketBody,
          response: { 200: Type.Ref('Ticket'), ...errorResponses(400, 401, 403, 404, 429) },
        },
      },
      async (request) => mergeTickets(db, request.caller, request.params.id, request.body.sourceId),
    );
  };
