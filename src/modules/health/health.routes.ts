import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Db } from '../../db/database.js';
import { errorResponses } from '../../http/errors.js';

const Status = Type.Object({ status: Type.String({ examples: ['ok'] }) });

export function healthRoutes(db: Db) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get(
      '/healthz',
      {
        schema: {
          tags: ['Operations'],
          operationId: 'health',
          summary: 'Liveness: the process is up',
          security: [],
          response: { 200: Status },
        },
      },
      async () => ({ status: 'ok' }),
    );

    app.get(
      '/readyz',
      {
        schema: {
          tags: ['Operations'],
          operationId: 'ready',
          summary: 'Readiness: the database answers',
          security: [],
          response: { 200: Status, ...errorResponses(503) },
        },
      },
      async (request, reply): Promise<unknown> => {
        try {
          await db.ping();
          return { status: 'ok' };
        } catch (error) {
          request.log.warn({ err: error }, 'readiness check failed');
          return reply.code(503).send({
            error: { code: 'SERVICE_UNAVAILABLE', message: 'Database is not reachable', details: null },
          });
        }
      },
    );
  };
}
