import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../../http/errors.js';
import type { ModuleRoutes } from '../../http/module.js';
import { OrgSettings, UpdateOrgBody } from './orgs.schemas.js';
import { getOrgSettings, updateOrgSettings } from './orgs.service.js';

const tags = ['Organization'];

export const orgRoutes: ModuleRoutes = ({ db }) =>
  async function register(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/org',
      {
        config: { adminOnly: 'see organization settings' },
        schema: {
          tags,
          operationId: 'getOrganization',
          summary: 'Get organization settings',
          description:
            "The caller's organization: name, ticket code prefix, default rate limit, time zone and the support name customers see on replies no person wrote.",
          response: { 200: OrgSettings, ...errorResponses(400, 401, 403, 404, 429) },
        },
      },
      async (request) => getOrgSettings(db, request.caller),
    );

    app.patch(
      '/org',
      {
        config: { adminOnly: 'change organization settings' },
        schema: {
          tags,
          operationId: 'updateOrganization',
          summary: 'Update organization settings',
          description:
            'Changes only the fields sent. Admins only (agents with the admin role, or API keys with write scope).',
          body: UpdateOrgBody,
          response: { 200: OrgSettings, ...errorResponses(400, 401, 403, 404, 413, 415, 429) },
        },
      },
      async (request) => updateOrgSettings(db, request.caller, request.body),
    );
  };
