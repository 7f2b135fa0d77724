import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { registerDocsPage } from './docs-page.js';
import { withErrorExamples } from './error-examples.js';

/**
 * The OpenAPI 3.1 document is generated from the route schemas, so it can't drift from what
 * the server validates and returns. Shared schemas become components named by their $id.
 */
export async function registerOpenApi(
  app: FastifyInstance,
  config: Pick<Config, 'rateLimitPerMinute'>,
): Promise<void> {
  const limit =
    config.rateLimitPerMinute > 0
      ? `Each key may make ${config.rateLimitPerMinute} requests per rolling minute unless configured otherwise; `
      : 'Keys have no rate limit unless configured with one; ';
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Talki REST API',
        version: '1.0.0',
        description:
          'Create tickets, post messages and read organization data. Every request needs a secret API key or an agent access token (from `POST /v1/auth/login`): `Authorization: Bearer <key or token>`; agents in several organizations add `X-Organization-Id`. ' +
          'Errors are `{"error":{"code","message","details"}}`. ' +
          limit +
          'responses carry `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds until a slot frees up).',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [{ url: '/', description: 'This Talki server' }],
      tags: [
        { name: 'Tickets', description: 'Conversations with customers, one per ticket.' },
        { name: 'Messages', description: 'Messages on a ticket.' },
        { name: 'Operations', description: 'Health and readiness probes.' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description:
              'A secret API key (talki_sk_…) or an agent access token (a JWT from POST /v1/auth/login).',
          },
        },
      },
      security: [{ bearerAuth: [] }],
    },
    // Each error status gets its own examples, not the shared component's one.
    transformObject: (doc) =>
      'openapiObject' in doc ? withErrorExamples(doc.openapiObject) : doc.swaggerObject,
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
  });
  await registerDocsPage(app);
}
