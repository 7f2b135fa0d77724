import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { bearerToken } from '../../http/bearer.js';
import { AppError, errorResponses, unauthorized } from '../../http/errors.js';
import type { Person } from '../../http/caller.js';
import type { ModuleDeps } from '../../http/module.js';
import * as invitations from '../agents/invitations.service.js';
import { InvitationList, InvitationParams, JoinedOrg, OrgParams } from './auth.account.schemas.js';
import { authenticatePerson } from './auth.service.js';
import { looksLikeJwt } from './auth.tokens.js';

const tags = ['Authentication'];
const security = [{ bearerAuth: [] }];

declare module 'fastify' {
  interface FastifyRequest {
    person?: Person;
  }
}

/**
 * The person's own account, across orgs: pending invitations and leaving an org. These take an
 * agent access token and no X-Organization-Id (they concern no single org), so they live beside
 * the logins rather than in the org-scoped /v1 routes; they keep the same per-caller rate limit.
 */
export function accountRoutes({ db, config, limiter }: ModuleDeps) {
  async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = bearerToken(request);
    if (!token || !looksLikeJwt(token)) {
      reply.header('WWW-Authenticate', 'Bearer realm="talki"');
      throw unauthorized('Send "Authorization: Bearer <access token>" from POST /v1/auth/login');
    }
    const person = await authenticatePerson(db, config.jwtSecret, token).catch((error: unknown) => {
      reply.header('WWW-Authenticate', 'Bearer realm="talki", error="invalid_token"');
      throw error;
    });
    const limit = config.rateLimitPerMinute;
    if (limit > 0) {
      const decision = await limiter.hit(person.id, limit).catch(() => undefined);
      if (decision && !decision.allowed) {
        reply.header('Retry-After', decision.resetSeconds);
        throw new AppError('TOO_MANY_REQUESTS', 429, `Rate limit of ${limit} requests per minute exceeded`, {
          limit,
          retryAfter: decision.resetSeconds,
        });
      }
    }
    request.person = person;
  }

  return async function register(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', authenticate);

    app.get(
      '/auth/invitations',
      {
        schema: {
          tags,
          security,
          operationId: 'listMyInvitations',
          summary: 'My pending invitations',
          description:
            'Organizations that invited you (an admin added your email while you already had a Talki login). ' +
            'You are not a member of them until you accept. No X-Organization-Id needed.',
          response: { 200: InvitationList, ...errorResponses(401, 429) },
        },
      },
      async (request) => invitations.listInvitations(db, request.person!),
    );

    app.post(
      '/auth/invitations/:id/accept',
      {
        schema: {
          tags,
          security,
          operationId: 'acceptInvitation',
          summary: 'Accept an invitation',
          description:
            'You become a member of the organization with the role it chose. It then sees your name; with two or more active ' +
            'organizations, send X-Organization-Id on /v1 requests.',
          params: InvitationParams,
          response: { 200: JoinedOrg, ...errorResponses(401, 404, 429) },
        },
      },
      async (request) => invitations.acceptInvitation(db, request.person!, request.params.id),
    );

    app.post(
      '/auth/invitations/:id/decline',
      {
        schema: {
          tags,
          security,
          operationId: 'declineInvitation',
          summary: 'Decline an invitation',
          description: 'The invitation is deleted; the organization may invite you again.',
          params: InvitationParams,
          response: { 204: Type.Null({ description: 'Declined' }), ...errorResponses(401, 404, 429) },
        },
      },
      async (request, reply) => {
        await invitations.declineInvitation(db, request.person!, request.params.id);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/auth/orgs/:orgId/leave',
      {
        schema: {
          tags,
          security,
          operationId: 'leaveOrganization',
          summary: 'Leave an organization',
          description:
            "Ends your membership of that organization only; your login and other organizations stay. The organization's " +
            'last active admin cannot leave (409).',
          params: OrgParams,
          response: { 204: Type.Null({ description: 'Left' }), ...errorResponses(401, 404, 409, 429) },
        },
      },
      async (request, reply) => {
        await invitations.leaveOrg(db, request.person!, request.params.orgId);
        return reply.code(204).send(null);
      },
    );
  };
}
