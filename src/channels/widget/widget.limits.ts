import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../http/errors.js';
import type { RateLimiter } from '../../http/rate-limit.js';

/** Conversations, messages and uploads per rolling minute per visitor: a person types slower. */
export const VISITOR_WRITES_PER_MINUTE = 30;
/** New visitors per rolling minute per client address: a page load makes one, a script thousands. */
export const NEW_VISITORS_PER_MINUTE = 60;

/**
 * Spends one request of a widget budget beyond the per-key and per-address ones, or answers 429
 * with Retry-After. Fails open like those: a budget store that is down must not stop the chat.
 */
export async function spendWidgetBudget(
  limiter: RateLimiter,
  request: FastifyRequest,
  reply: FastifyReply,
  budget: { bucket: string; limit: number; what: string },
): Promise<void> {
  const decision = await limiter.hit(budget.bucket, budget.limit).catch((error: unknown) => {
    request.log.error({ err: error }, 'rate limiter unavailable; request allowed');
    return undefined;
  });
  if (!decision || decision.allowed) return;
  reply.header('X-RateLimit-Limit', budget.limit);
  reply.header('X-RateLimit-Remaining', 0);
  reply.header('X-RateLimit-Reset', decision.resetSeconds);
  reply.header('Retry-After', decision.resetSeconds);
  throw new AppError(
    'TOO_MANY_REQUESTS',
    429,
    `Rate limit of ${budget.limit} ${budget.what} per minute exceeded; retry in ${decision.resetSeconds} s`,
    { limit: budget.limit, retryAfter: decision.resetSeconds },
  );
}

export const visitorWrites = (visitorId: string) => ({
  bucket: `widget-visitor:${visitorId}`,
  limit: VISITOR_WRITES_PER_MINUTE,
  what: 'messages, conversations and uploads per visitor',
});

export const newVisitors = (ip: string) => ({
  bucket: `widget-new-visitor:${ip}`,
  limit: NEW_VISITORS_PER_MINUTE,
  what: 'new visitors per address',
});
