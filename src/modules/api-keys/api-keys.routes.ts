import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../../http/errors.js';
import type { ModuleRoutes } from '../../http/module.js';
import {
  ApiKey,
  ApiKeyList,
  ApiKeyParams,
  CreateApiKeyBody,
  CreatedApiKey,
  ListApiKeysQuery,
} from './api-keys.schemas.js';
import * as service from './api-keys.service.js';

const tags = ['API keys'];
const ADMIN_ONLY = ' Admins only (agents with the admin role, or API keys with write scope).';

export const apiKeyRoutes: ModuleRoutes = ({ db }) =>
  async function register(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/api-keys',
      {
        config: { adminOnly: 'manage API keys' },
        schema: {
          tags,
          operationId: 'listApiKeys',
          summary: 'List API keys',
          description:
            "The organization's API keys, newest first, including revoked and expired ones; secrets are never shown." +
            ADMIN_ONLY,
          querystring: ListApiKeysQuery,
          response: { 200: ApiKeyList, ...errorResponses(400, 401, 403, 429) },
        },
      },
      async (request) => service.listOrgApiKeys(db, request.caller, request.query),
    );

    app.get(
      '/api-keys/:id',
      {
        config: { adminOnly: 'manage API keys' },
        schema: {
          tags,
          operationId: 'getApiKey',
          summary: 'Get API key',
          description: 'One API key, without its secret.' + ADMIN_ONLY,
          params: ApiKeyParams,
          response: { 200: ApiKey, ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request) => service.getOrgApiKey(db, request.caller, request.params.id),
    );

    app.post(
      '/api-keys',
      {
        config: { adminOnly: 'manage API keys' },
        schema: {
          tags,
          operationId: 'createApiKey',
          summary: 'Create API key',
          description:
            'Creates a secret API key. The response carries the key itself (`key`) this once; only its SHA-256 is stored.' +
            ADMIN_ONLY,
          body: CreateApiKeyBody,
          response: { 201: CreatedApiKey, ...errorResponses(400, 401, 403, 413, 415, 429) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await service.createOrgApiKey(db, request.caller, request.body)),
    );

    app.post(
      '/api-keys/:id/revoke',
      {
        config: { adminOnly: 'manage API keys' },
        schema: {
          tags,
          operationId: 'revokeApiKey',
          summary: 'Revoke API key',
          description:
            'The key stops working at once (401 on its next request). The record stays, with revokedAt, for the audit trail; revoking twice is a 409.' +
            ADMIN_ONLY,
          params: ApiKeyParams,
          response: { 200: ApiKey, ...errorResponses(401, 403, 404, 409, 429) },
        },
      },
      async (request) => service.revokeOrgApiKey(db, request.caller, request.params.id),
    );
  };
