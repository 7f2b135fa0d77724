import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { invalidField } from './errors.js';

const NoQuery = Type.Object({}, { additionalProperties: false });

/**
 * Query parameters are part of the contract: on an API route that takes none, any parameter is
 * a 400 rather than silently ignored; and no parameter may carry NUL, which PostgreSQL can't store.
 */
export function registerStrictQueries(app: FastifyInstance, prefix: string): void {
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith(prefix) && !route.schema?.querystring) {
      route.schema = { ...route.schema, querystring: NoQuery };
    }
  });
  app.addHook('preValidation', async (request) => {
    for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
      const values = Array.isArray(value) ? value : [value];
      if (values.some((v) => typeof v === 'string' && v.includes('\0'))) {
        throw invalidField(name, 'must not contain NUL characters');
      }
    }
  });
}
