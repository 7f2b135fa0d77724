import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Channel } from '../channels/types.js';
import type { Database } from '../db/schema.js';
import { authenticateKey } from '../modules/api-keys/api-keys.service.js';
import { AppError, badRequest, forbidden, unauthorized } from './errors.js';
import { originAllowed } from './origins.js';
import type { RateLimiter } from './rate-limit.js';

/** The org whose public widget key authenticated the request (no person or secret involved). */
export interface WidgetVisitor {
  orgId: string;
  keyId: string;
  /** The org's widget settings, read once per request (the origin check and the route share it). */
  channel(): Promise<Channel<'widget'>>;
}

declare module 'fastify' {
  interface FastifyRequest {
    widget: WidgetVisitor;
  }
}

export interface WidgetAuthOptions {
  db: Kysely<Database>;
  limiter: RateLimiter;
  /** The org's widget settings (allowed origins, …), read per request so an admin's change applies at once. */
  widgetChannel(orgId: string): Promise<Channel<'widget'>>;
}

/** Requests per rolling minute per widget key, unless the key has its own limit (0 = unlimited). */
export const WIDGET_KEY_RATE_LIMIT = 600;
/**
 * Requests per rolling minute per client address. Behind a proxy every visitor shares the
 * proxy's address unless Fastify is told to trust X-Forwarded-For.
 */
export const WIDGET_IP_RATE_LIMIT = 300;

export const WIDGET_KEY_HEADER = 'x-talki-widget-key';

/**
 * The widget key from `X-Talki-Widget-Key` or `Authorization: Bearer`. Not from the query
 * string: URLs end up in logs and Referer headers.
 */
function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers[WIDGET_KEY_HEADER];
  const direct = typeof header === 'string' && header.trim() !== '' ? header.trim() : undefined;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
  if (direct !== undefined && bearer !== undefined && direct !== bearer) {
    throw badRequest('Send one widget key: X-Talki-Widget-Key and Authorization carry different keys');
  }
  return direct ?? bearer;
}

async function spend(
  request: FastifyRequest,
  reply: FastifyReply,
  limiter: RateLimiter,
  bucket: string,
  limit: number,
  what: string,
): Promise<void> {
  if (limit <= 0) return;
  const decision = await limiter.hit(bucket, limit).catch((error: unknown) => {
    // The budget store being down must not take the widget down with it: fail open, loudly.
    request.log.error({ err: error }, 'rate limiter unavailable; request allowed');
    return undefined;
  });
  if (!decision) return;
  reply.header('X-RateLimit-Limit', limit);
  reply.header('X-RateLimit-Remaining', decision.remaining);
  reply.header('X-RateLimit-Reset', decision.resetSeconds);
  if (!decision.allowed) {
    reply.header('Retry-After', decision.resetSeconds);
    throw new AppError(
      'TOO_MANY_REQUESTS',
      429,
      `Rate limit of ${limit} requests per minute ${what} exceeded; retry in ${decision.resetSeconds} s`,
      { limit, retryAfter: decision.resetSeconds },
    );
  }
}

/**
 * onRequest hook for the public widget API: the org's widget key (talki_pk_…) → request.widget.
 * Secret keys are refused (403) so that nobody makes a web page work by pasting one into it.
 * Budgets: per client address first (before any lookup, so key guessing is throttled too),
 * then per widget key, after the page's origin is checked (a foreign page spends no budget).
 */
export function widgetKeyAuth(options: WidgetAuthOptions) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (request.method === 'OPTIONS') return; // CORS preflights carry no credentials
    await spend(
      request,
      reply,
      options.limiter,
      `widget-ip:${request.ip}`,
      WIDGET_IP_RATE_LIMIT,
      'per address',
    );
    const token = presentedKey(request);
    if (!token) {
      throw unauthorized('Missing widget key: send the header "X-Talki-Widget-Key: <your widget key>"');
    }
    const auth = await authenticateKey(options.db, token);
    if (!auth.ok) throw unauthorized('Invalid, revoked or expired widget key');
    const key = auth.key;
    if (key.kind !== 'widget') {
      throw forbidden(
        'This is a secret API key: never put it in a web page. The widget API takes the public widget key (talki_pk_…); revoke this secret key if it was published.',
      );
    }
    let channel: Promise<Channel<'widget'>> | undefined;
    const widget: WidgetVisitor = {
      orgId: key.org_id,
      keyId: key.id,
      channel: () => (channel ??= options.widgetChannel(key.org_id)),
    };
    await refuseForeignOrigin(request, reply, widget);
    const limit = key.rate_limit ?? WIDGET_KEY_RATE_LIMIT;
    await spend(request, reply, options.limiter, `widget:${key.id}`, limit, 'for this widget key');
    request.widget = widget;
  };
}

/**
 * A page on an origin the org did not list gets a 403 before anything is read, written or
 * counted against the key, and its response carries no Access-Control-Allow-Origin.
 */
async function refuseForeignOrigin(
  request: FastifyRequest,
  reply: FastifyReply,
  widget: WidgetVisitor,
): Promise<void> {
  const origin = request.headers.origin;
  if (origin === undefined || originAllowed((await widget.channel()).settings.allowedOrigins, origin)) return;
  reply.removeHeader('Access-Control-Allow-Origin');
  reply.removeHeader('Access-Control-Expose-Headers');
  throw new AppError(
    'ORIGIN_NOT_ALLOWED',
    403,
    `Pages on ${origin} may not use this widget: add the origin to the widget's allowed origins`,
  );
}

const EXPOSED_HEADERS =
  'X-Request-Id, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After';

/**
 * The widget API's scope: CORS for the pages the org allows (checked per request once the key
 * names the org; until then the page may read the 401 or 429 it caused, which tells it
 * nothing), preflight answers, and the widget-key hook. Without an Origin header (not a
 * browser) `*` is sent: there is no page to restrict.
 */
export function registerWidgetScope(app: FastifyInstance, options: WidgetAuthOptions): void {
  app.addHook('onRequest', async (request, reply) => {
    // Set first, so that errors (401, 429) are readable by the page too.
    reply.header('Access-Control-Allow-Origin', request.headers.origin ?? '*');
    reply.header('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    reply.header('Vary', 'Origin');
  });
  app.addHook('onRequest', widgetKeyAuth(options));
  // The preflight carries no key, so it can't know the org: it is answered for any origin, and
  // the request that follows is checked.
  app.options('/*', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .code(204)
      .header('Access-Control-Allow-Methods', 'GET, POST, OPTIONS')
      .header(
        'Access-Control-Allow-Headers',
        'Authorization, Content-Type, X-Talki-Widget-Key, X-Talki-Visitor-Token',
      )
      .header('Access-Control-Max-Age', '600')
      .send(),
  );
}
