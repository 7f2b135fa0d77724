import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { AppError, invalidField } from '../../http/errors.js';
import * as q from './idempotency.queries.js';

/** How long a key is remembered. */
export const KEY_TTL_MS = 24 * 60 * 60 * 1000;
/** A claimed key with no response after this long belongs to a request that died: it may run again. */
const ABANDONED_AFTER_MS = 60_000;
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

interface Claim {
  orgId: string;
  key: string;
  createdAt: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyClaim?: Claim;
  }
}

function fingerprintOf(request: FastifyRequest): string {
  return createHash('sha256')
    .update(
      `${request.caller.actorId}\n${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`,
    )
    .digest('hex');
}

/**
 * `Idempotency-Key` on POST and PATCH: the first request with a key runs and its response is
 * kept for 24 h; a retry with the same request gets that response again (marked
 * `Idempotent-Replayed: true`); the same key with a different request is a 409, and so is a
 * retry while the first is still running — two requests with one key never both execute.
 * Server errors (5xx) are not kept, so the request can be retried.
 */
export function registerIdempotency(app: FastifyInstance, db: Kysely<Database>): void {
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'POST' && request.method !== 'PATCH') return;
    const header = request.headers['idempotency-key'];
    if (header === undefined) return;
    if (typeof header !== 'string' || !KEY_FORMAT.test(header)) {
      throw invalidField('Idempotency-Key', 'must be 1–255 printable ASCII characters');
    }
    const orgId = request.caller.orgId;
    const fingerprint = fingerprintOf(request);
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = Date.now();
      if (
        await q.claimKey(db, {
          org_id: orgId,
          key: header,
          actor_id: request.caller.actorId,
          fingerprint,
          created_at: now,
        })
      ) {
        request.idempotencyClaim = { orgId, key: header, createdAt: now };
        if (Math.random() < 0.01) await q.deleteExpired(db, now - KEY_TTL_MS);
        return;
      }
      const existing = await q.findKey(db, orgId, header);
      if (!existing) continue; // released between our insert and our read: claim again
      const expired = existing.created_at < now - KEY_TTL_MS;
      const abandoned = existing.status_code === null && existing.created_at < now - ABANDONED_AFTER_MS;
      if (expired || abandoned) {
        await q.releaseKey(db, orgId, header, existing.created_at);
        continue;
      }
      if (existing.fingerprint !== fingerprint) {
        throw new AppError(
          'CONFLICT',
          409,
          'This Idempotency-Key was already used with a different request',
          {
            fields: [{ field: 'Idempotency-Key', message: 'was used with a different request' }],
          },
        );
      }
      if (existing.status_code === null) {
        throw new AppError(
          'CONFLICT',
          409,
          'A request with this Idempotency-Key is still in progress; retry later',
        );
      }
      return reply
        .code(existing.status_code)
        .header('Idempotent-Replayed', 'true')
        .type('application/json; charset=utf-8')
        .send(existing.response_body ?? '');
    }
    throw new AppError('CONFLICT', 409, 'This Idempotency-Key is contended; retry later');
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotencyClaim;
    if (!claim) return payload;
    request.idempotencyClaim = undefined;
    if (reply.statusCode >= 500) await q.releaseKey(db, claim.orgId, claim.key, claim.createdAt);
    else
      await q.saveResponse(
        db,
        claim.orgId,
        claim.key,
        reply.statusCode,
        typeof payload === 'string' ? payload : '',
      );
    return payload;
  });
}
