import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../../http/errors.js';
import type { ModuleRoutes } from '../../http/module.js';
import { NoContent } from '../../http/schema-helpers.js';
import { TicketParams } from '../tickets/tickets.schemas.js';
import * as service from './time-entries.service.js';
import {
  CreateTimeEntryBody,
  ListTimeEntriesQuery,
  TimeEntry,
  TimeEntryList,
  TimeEntryParams,
  UpdateTimeEntryBody,
} from './time-entries.schemas.js';

const tags = ['Time entries'];

export const timeEntryRoutes: ModuleRoutes = ({ db }) =>
  async function register(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/tickets/:id/time-entries',
      {
        schema: {
          tags,
          operationId: 'listTimeEntries',
          summary: 'List time entries',
          description:
            "The time logged on a ticket, newest first. Page with page/per_page or with limit/startingAfter. The ticket's timeSpentMinutes is their sum.",
          params: TicketParams,
          querystring: ListTimeEntriesQuery,
          response: { 200: TimeEntryList, ...errorResponses(400, 401, 403, 404, 429) },
        },
      },
      async (request) => service.listTimeEntries(db, request.caller, request.params.id, request.query),
    );

    app.post(
      '/tickets/:id/time-entries',
      {
        schema: {
          tags,
          operationId: 'createTimeEntry',
          summary: 'Log time',
          description:
            "Logs minutes worked on a ticket by an agent, on a day (default: today in the organization's time zone). Agents log their own time; admins and API keys name the agent with agentId.",
          params: TicketParams,
          body: CreateTimeEntryBody,
          response: { 201: TimeEntry, ...errorResponses(400, 401, 403, 404, 413, 415, 429) },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await service.createTimeEntry(db, request.caller, request.params.id, request.body)),
    );

    app.patch(
      '/tickets/:id/time-entries/:entryId',
      {
        schema: {
          tags,
          operationId: 'updateTimeEntry',
          summary: 'Update a time entry',
          description: 'Changes the fields sent; the ticket’s timeSpentMinutes follows a change of minutes.',
          params: TimeEntryParams,
          body: UpdateTimeEntryBody,
          response: { 200: TimeEntry, ...errorResponses(400, 401, 403, 404, 413, 415, 429) },
        },
      },
      async (request) =>
        service.updateTimeEntry(db, request.caller, request.params.id, request.params.entryId, request.body),
    );

    app.delete(
      '/tickets/:id/time-entries/:entryId',
      {
        schema: {
          tags,
          operationId: 'deleteTimeEntry',
          summary: 'Delete a time entry',
          description: "Removes the entry; its minutes leave the ticket's timeSpentMinutes.",
          params: TimeEntryParams,
          response: { 204: NoContent, ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request, reply) => {
        await service.deleteTimeEntry(db, request.caller, request.params.id, request.params.entryId);
        return reply.code(204).send(null);
      },
    );
  };
