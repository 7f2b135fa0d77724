import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Caller } from './caller.js';
import { apiKeyCaller } from '../modules/api-keys/api-keys.caller.js';
import { authenticateAgent } from '../modules/auth/auth.service.js';
import { looksLikeJwt } from '../modules/auth/auth.tokens.js';
import { AppError, forbidden, unauthorized } from './errors.js';
import { bearerToken } from './bearer.js';
import type { RateLimiter } from './rate-limit.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
    /** The login session behind an agent's access token; undefined for API keys. */
    sessionId?: string | undefined;
  }
}

export interface ApiAuthOptions {
  db: Kysely<Database>;
  limiter: RateLimiter;
  /** Limit for keys (and agents) without their own or their org's; 0 = unlimited. */
  defaultRateLimit: number;
  /** TALKI_JWT_SECRET; undefined = the key kept in the database. */
  jwtSecret?: string | undefined;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ORG_HEADER = 'x-organization-id';

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

interface Authenticated {
  caller: Caller;
  /** Budget key and limit (own ?? org default ?? server default). */
  budget: string;
  limit: number;
  sessionId?: string;
}

async function viaApiKey(
  options: ApiAuthOptions,
  request: FastifyRequest,
  token: string,
): Promise<Authenticated> {
  const orgHeader = headerValue(request, ORG_HEADER)?.trim();
  const { caller, key } = await apiKeyCaller(options.db, token, orgHeader, 'the REST API');
  return { caller, budget: key.id, limit: key.rate_limit ?? key.org_rate_limit ?? options.defaultRateLimit };
}

async function viaAccessToken(
  options: ApiAuthOptions,
  request: FastifyRequest,
  token: string,
): Promise<Authenticated> {
  const agent = await authenticateAgent(
    options.db,
    options.jwtSecret,
    token,
    headerValue(request, ORG_HEADER),
  );
  return {
    caller: agent.caller,
    budget: agent.caller.actorId,
    limit: agent.rateLimit ?? options.defaultRateLimit,
    sessionId: agent.sessionId,
  };
}

/**
 * onRequest hook for `/v1`: a secret API key or an agent's access token → caller, then the
 * caller's rate limit, then the key's scope. Agents in several orgs pick one with X-Organization-Id.
 */
export function apiKeyAuth(options: ApiAuthOptions) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = bearerToken(request);
    if (!token) {
      reply.header('WWW-Authenticate', 'Bearer realm="talki"');
      throw unauthorized(
        'Missing credentials: send the header "Authorization: Bearer <your secret key or access token>"',
      );
    }
    let auth: Authenticated;
    try {
      auth = looksLikeJwt(token)
        ? await viaAccessToken(options, request, token)
        : await viaApiKey(options, request, token);
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 401) {
        reply.header('WWW-Authenticate', 'Bearer realm="talki", error="invalid_token"');
      }
      throw error;
    }

    const { limit } = auth;
    if (limit > 0) {
      const decision = await options.limiter.hit(auth.budget, limit).catch((error: unknown) => {
        // The budget store being down must not take the API down with it: fail open, loudly.
        request.log.error({ err: error }, 'rate limiter unavailable; request allowed');
        return undefined;
      });
      if (decision) {
        reply.header('X-RateLimit-Limit', limit);
        reply.header('X-RateLimit-Remaining', decision.remaining);
        reply.header('X-RateLimit-Reset', decision.resetSeconds);
        if (!decision.allowed) {
          reply.header('Retry-After', decision.resetSeconds);
          throw new AppError(
            'TOO_MANY_REQUESTS',
            429,
            `Rate limit of ${limit} requests per minute exceeded; retry in ${decision.resetSeconds} s`,
            { limit, retryAfter: decision.resetSeconds },
          );
        }
      }
    }

    if (auth.caller.scope === 'read' && !READ_METHODS.has(request.method)) {
      throw forbidden('This API key is read-only; use a key with write scope');
    }
    request.caller = auth.caller;
    request.sessionId = auth.sessionId;
  };
}
