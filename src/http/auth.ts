import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Caller } from './caller.js';
import { authenticateKey } from '../modules/api-keys/api-keys.service.js';
import { AppError, forbidden, unauthorized } from './errors.js';
import type { RateLimiter } from './rate-limit.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
}

export interface ApiAuthOptions {
  db: Kysely<Database>;
  limiter: RateLimiter;
  /** Limit for keys without their own; 0 = unlimited. */
  defaultRateLimit: number;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** onRequest hook for `/v1`: secret API key → caller, then the key's rate limit, then its scope. */
export function apiKeyAuth(options: ApiAuthOptions) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = bearerToken(request);
    if (!token) {
      reply.header('WWW-Authenticate', 'Bearer realm="talki"');
      throw unauthorized('Missing API key: send the header "Authorization: Bearer <your secret key>"');
    }
    const key = await authenticateKey(options.db, token);
    if (!key) {
      reply.header('WWW-Authenticate', 'Bearer realm="talki", error="invalid_token"');
      throw unauthorized('Invalid or revoked API key');
    }
    if (key.kind === 'widget') {
      throw forbidden('This is the public widget key; the REST API needs a secret API key');
    }

    const limit = key.rate_limit ?? options.defaultRateLimit;
    if (limit > 0) {
      const decision = await options.limiter.hit(key.id, limit).catch((error: unknown) => {
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

    if (key.scope === 'read' && !READ_METHODS.has(request.method)) {
      throw forbidden('This API key is read-only; use a key with write scope');
    }
    request.caller = {
      orgId: key.org_id,
      actorType: 'api_key',
      actorId: key.id,
      name: key.name,
      role: key.scope === 'write' ? 'admin' : 'agent',
      scope: key.scope,
    };
  };
}
