import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { runWithParticipant, type TransactionParticipant } from '../../db/transaction-participants.js';
import { AppError, invalidField } from '../../http/errors.js';
import * as q from './idempotency.queries.js';

/** How long a key is remembered. */
export const KEY_TTL_MS = 24 * 60 * 60 * 1000;
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

interface Claim {
  orgId: string;
  key: string;
  createdAt: number;
  /** The response body a committed transaction recorded, if one did. */
  committedBody?: string;
  /** Set once the response is on its way: a transaction after that guards nothing of this request. */
  answered?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyClaim?: Claim;
  }
  interface FastifyContextConfig {
    /** The response body a route sends for its service's result, when it is not the result itself. */
    idempotentResponse?: (result: unknown) => unknown;
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
 * Server errors (5xx) are not kept, so the request can be retried — unless its write committed:
 * the response is recorded inside the write's own transaction (outcomeRecorder), so a retry
 * after any crash replays what committed. A claim with no recorded response after
 * `abandonedAfterMs` committed nothing and may run again.
 */
export function registerIdempotency(
  app: FastifyInstance,
  db: Kysely<Database>,
  abandonedAfterMs: number,
): void {
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
      const abandoned = existing.status_code === null && existing.created_at < now - abandonedAfterMs;
      if (expired) {
        await q.releaseKey(db, orgId, header, existing.created_at);
        continue;
      }
      if (abandoned) {
        await q.releaseUnanswered(db, orgId, header, existing.created_at);
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

  // Callback style, so that the handler and everything it awaits run inside the participant's scope.
  app.addHook('preHandler', (request, reply, done) => {
    const claim = request.idempotencyClaim;
    if (!claim) return done();
    runWithParticipant(outcomeRecorder(request, reply, claim), done);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotencyClaim;
    if (!claim) return payload;
    request.idempotencyClaim = undefined;
    claim.answered = true;
    const body = typeof payload === 'string' ? payload : '';
    if (reply.statusCode >= 500) {
      // A write that committed keeps its outcome: a retry replays it instead of running again.
      if (claim.committedBody === undefined)
        await q.releaseUnanswered(db, claim.orgId, claim.key, claim.createdAt);
      return payload;
    }
    if (claim.committedBody !== undefined && reply.statusCode < 300 && body !== claim.committedBody) {
      request.log.warn(
        { route: request.routeOptions.url },
        'idempotency: the response differs from the one its transaction recorded (set config.idempotentResponse)',
      );
    }
    await q.recordOutcome(db, claim, reply.statusCode, body);
    return payload;
  });
}

/**
 * Joins the request's transactions: each records, before it commits, the response its result
 * becomes — so a crash after COMMIT still leaves the outcome to replay, and a crash before it
 * leaves neither the write nor the outcome, and the claim may run again once abandoned.
 */
function outcomeRecorder(request: FastifyRequest, reply: FastifyReply, claim: Claim): TransactionParticipant {
  return {
    async beforeCommit(trx, result) {
      if (claim.answered) return;
      const status = successStatusOf(request);
      const toBody = request.routeOptions.config.idempotentResponse;
      const response = toBody ? toBody(result) : result;
      const serialize = reply.getSerializationFunction(String(status));
      const body = serialize
        ? serialize(response as Record<string, unknown>)
        : JSON.stringify(response ?? null);
      if (!(await q.recordOutcome(trx, claim, status, body))) {
        // A retry took the claim over after the timeout: this request's writes must not commit too.
        throw new AppError(
          'CONFLICT',
          409,
          'This request outlived its Idempotency-Key claim and a retry took it over; nothing was changed',
        );
      }
      claim.committedBody = body;
    },
  };
}

/** The 2xx status the route answers with (201 for creates), from its response schema. */
function successStatusOf(request: FastifyRequest): number {
  const codes = Object.keys((request.routeOptions.schema?.response as object | undefined) ?? {});
  const success = codes.find((code) => /^2\d\d$/.test(code));
  return success === undefined ? 200 : Number(success);
}
