import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { errorResponses } from '../../http/errors.js';
import type { ModuleRoutes } from '../../http/module.js';
import { accountRoutes } from './auth.account.routes.js';
import { LoginBody, RefreshBody, Session } from './auth.schemas.js';
import * as service from './auth.service.js';

const tags = ['Authentication'];
/** These routes take no bearer token: they are how an agent gets one. */
const security: Array<Record<string, string[]>> = [];

function clientOf(request: FastifyRequest): service.ClientInfo {
  return { ip: request.ip, userAgent: request.headers['user-agent'] };
}

/** Agent logins for the web app. Public: registered outside the authenticated /v1 scope. */
export const authRoutes: ModuleRoutes = (deps) =>
  async function register(instance: FastifyInstance): Promise<void> {
    const { db, config, limiter } = deps;
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    // Its own scope: its bearer-token hook must not reach login, refresh and logout.
    await app.register(accountRoutes(deps));

    app.post(
      '/auth/login',
      {
        schema: {
          tags,
          security,
          operationId: 'login',
          summary: 'Log in',
          description:
            'An agent logs in with email and password and gets a short-lived access token (a JWT) and a refresh token. ' +
            'Wrong email and wrong password get the same 401. Attempts are limited per email and per client IP in a rolling 15 minutes (429 with Retry-After).',
          body: LoginBody,
          response: { 200: Session, ...errorResponses(400, 401, 413, 415, 429) },
        },
        preHandler: async (request, reply) => {
          const { email } = request.body;
          const retryAfter = await service.throttleLogin(limiter, config, email, request.ip);
          if (retryAfter !== undefined) {
            reply.header('Retry-After', retryAfter);
            throw service.tooManyLogins(retryAfter);
          }
        },
      },
      async (request) => service.login(db, config, request.body, clientOf(request)),
    );

    app.post(
      '/auth/refresh',
      {
        schema: {
          tags,
          security,
          operationId: 'refreshSession',
          summary: 'Refresh the access token',
          description:
            'Spends the refresh token for a new access token and a new refresh token. A refresh token works once: ' +
            'presenting one that was already spent revokes the whole session (401), so a stolen token is useless once either party refreshes.',
          body: RefreshBody,
          response: { 200: Session, ...errorResponses(400, 401, 413, 415) },
        },
      },
      async (request) => service.refresh(db, config, request.body.refreshToken, clientOf(request)),
    );

    app.post(
      '/auth/logout',
      {
        schema: {
          tags,
          security,
          operationId: 'logout',
          summary: 'Log out',
          description:
            'Ends the session the refresh token belongs to: its refresh tokens and access tokens stop working at once. Always 204.',
          body: RefreshBody,
          response: { 204: Type.Null({ description: 'Logged out' }), ...errorResponses(400, 413, 415) },
        },
      },
      async (request, reply) => {
        await service.logout(db, request.body.refreshToken);
        return reply.code(204).send(null);
      },
    );
  };
