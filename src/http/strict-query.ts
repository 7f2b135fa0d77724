import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { invalidField, notFound } from './errors.js';

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
    }
  });
  app.addHook('preValidation', async (request) => {
    const params = (request.params ?? {}) as Record<string, unknown>;
    if (Object.values(params).some((v) => typeof v === 'string' && v.includes('\0'))) {
      throw notFound('Nothing here: the path names a resource with a NUL character');
    }
    for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
      const values = Array.isArray(value) ? value : [value];
      if (values.some((v) => typeof v === 'string' && v.includes('\0'))) {
        throw invalidField(name, 'must not contain NUL characters');
      }
    }
  });
}
