import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { invalidField, notFound } from './errors.js';
import { withCursorShape } from './pagination.js';

const NoQuery = Type.Object({}, { additionalProperties: false });

/**
 * Query parameters are part of the contract: on an API route that takes none, any parameter is
 * a 400 rather than silently ignored; and no parameter may carry NUL, which PostgreSQL can't
 * store or compare: in the query that is a 400, in the path (an id, a token) it names nothing: 404.
 */
export function registerStrictQueries(app: FastifyInstance, prefix: string): void {
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith(prefix) && !route.schema?.querystring) {
      route.schema = { ...route.schema, querystring: NoQuery };
    } else if (route.schema?.querystring) {
      route.schema = { ...route.schema, querystring: withCursorShape(route.schema.querystring) };
    }
  });
  app.addHook('preValidation', async (request) => {
    const params = Object.entries((request.params ?? {}) as Record<string, unknown>);
    if (params.some(([, v]) => typeof v === 'string' && v.includes('\0'))) {
      throw notFound('Nothing here: the path names a resource with a NUL character');
    }
    // `/v1/tickets/` matches `/v1/tickets/:id` with an empty id, which names nothing (a
    // wildcard's empty tail is a real path: /docs/).
    if (params.some(([name, v]) => name !== '*' && v === '')) {
      throw notFound(`Nothing here: ${request.url.split('?')[0]} is missing an id`);
    }
    for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
      const values = Array.isArray(value) ? value : [value];
      if (values.some((v) => typeof v === 'string' && v.includes('\0'))) {
        throw invalidField(name, 'must not contain NUL characters');
      }
    }
  });
}
