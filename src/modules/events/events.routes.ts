import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errorResponses } from '../../http/errors.js';
import type { ModuleRoutes } from '../../http/module.js';
import { cursorParam } from '../../http/pagination.js';
import { Timestamp } from '../../http/schema-helpers.js';
import { listEvents } from './events.service.js';
import { parseTypes } from './events.stream.js';

const Event = Type.Object({
  id: Type.String({ examples: ['evt_01hsxq…'] }),
  type: Type.String({ examples: ['ticket.created'] }),
  orgId: Type.String(),
  createdAt: Timestamp,
  actor: Type.Union([Type.Object({ type: Type.String(), id: Type.String() }), Type.Null()]),
  data: Type.Record(Type.String(), Type.Unknown()),
});

const EventsQuery = Type.Object(
  {
    startingAfter: cursorParam('The id of the last event you have.', '^evt_[0-9a-z]{1,40}$'),
    types: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1000,
        description: 'Comma-separated event types, e.g. ticket.created,message.created.',
      }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 100 }),
  },
  { additionalProperties: false },
);

export const eventRoutes: ModuleRoutes = ({ db }) =>
  async function register(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/events',
      {
        schema: {
          tags: ['Events'],
          operationId: 'listEvents',
          summary: 'List events',
          description:
            'Every change in the organization, oldest first: the incremental export other tools sync from. Keep the last id and pass it as startingAfter.',
          querystring: EventsQuery,
          response: {
            200: Type.Object({
              data: Type.Array(Event),
              meta: Type.Object({
                limit: Type.Integer(),
                nextCursor: Type.Union([Type.String(), Type.Null()]),
              }),
            }),
            ...errorResponses(400, 401, 403, 429),
          },
        },
      },
      async (request) =>
        listEvents(db, request.caller, {
          startingAfter: request.query.startingAfter,
          types: parseTypes(request.query.types),
          limit: request.query.limit,
        }),
    );
  };
