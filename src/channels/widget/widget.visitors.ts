import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { forbidden, invalidIdentity, unauthorized } from '../../http/errors.js';
import { newId } from '../../lib/ids.js';
import { customerByUserId, liveCustomer } from '../../modules/customers/customers.inbound.js';
import type { Channel } from '../types.js';
import * as q from './widget.queries.js';
import type { PublicSettingsView, SessionBody, SessionView } from './widget.schemas.js';

export const VISITOR_TOKEN_HEADER = 'x-talki-visitor-token';
const TOKEN_PREFIX = 'talki_vt_';

/** A browser using the widget, as the token it presented identifies it. */
export interface Visitor {
  id: string;
  orgId: string;
  /** The customer its new conversations are opened for: one it created, or its verified user. */
  customerId: string | null;
  /** The site's user id, only from a signed identity. */
  userId: string | null;
  /** The user id the page gave without a signature: recorded on its customer, never trusted. */
  claimedUserId: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    visitor: Visitor;
  }
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** hex HMAC-SHA256 of the userId, keyed by the widget's identity secret: what the site's backend computes. */
export function identitySignature(secret: string, userId: string): string {
  return createHmac('sha256', secret).update(userId).digest('hex');
}

function signatureMatches(secret: string, userId: string, signature: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(signature)) return false;
  return timingSafeEqual(
    Buffer.from(identitySignature(secret, userId), 'hex'),
    Buffer.from(signature, 'hex'),
  );
}

/** Who the page says the visitor is: a verified userId (signed), or only a claimed one. */
export interface SessionIdentity {
  userId: string | null;
  claimedUserId: string | null;
}

/**
 * The identity a session acts with. A signed userId is verified. An unsigned one (identity
 * without a signature, or the older snippets' visitorId) is a claim anyone can make: recorded
 * as claimed, or, when the admin requires signed identities, refused (identity.userId) or
 * ignored (visitorId, which old snippets send with no way to sign it).
 */
export function sessionIdentity(channel: Channel<'widget'>, body: SessionBody): SessionIdentity {
  const { identity } = body;
  const required = channel.settings.requireSignedIdentity;
  if (!identity) {
    const visitorId = body.visitorId?.trim() || null;
    return { userId: null, claimedUserId: required ? null : visitorId };
  }
  if (identity.signature === undefined || identity.signature === '') {
    if (required) {
      throw invalidIdentity('This widget only accepts signed identities: send identity.signature');
    }
    return { userId: null, claimedUserId: identity.userId };
  }
  const secret = channel.secrets.identitySecret;
  if (!secret) throw invalidIdentity('This widget has no identity secret, so no signature can be verified');
  if (!signatureMatches(secret, identity.userId, identity.signature)) {
    throw invalidIdentity('The identity signature does not match the userId');
  }
  return { userId: identity.userId, claimedUserId: null };
}

/** A widget the admin turned off takes no new sessions or messages; reading past ones still works. */
export function requireEnabled(channel: Channel<'widget'>): void {
  if (!channel.enabled) throw forbidden('The website widget of this organization is turned off');
}

export function publicSettings(channel: Channel<'widget'>): PublicSettingsView {
  const { title, greeting, color, requireEmail } = channel.settings;
  return { title, greeting, color, requireEmail };
}

function visitorOf(row: Awaited<ReturnType<typeof q.findVisitorByTokenHash>> & {}): Visitor {
  return {
    id: row.id,
    orgId: row.org_id,
    customerId: row.customer_id,
    userId: row.user_id,
    claimedUserId: row.claimed_user_id,
  };
}

/** The visitor behind a token of this org, or undefined. */
export async function findVisitor(
  db: Kysely<Database>,
  orgId: string,
  token: string | undefined,
): Promise<Visitor | undefined> {
  if (!token?.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
  const row = await q.findVisitorByTokenHash(db, orgId, hashToken(token));
  return row ? visitorOf(row) : undefined;
}

/** The visitor a request's X-Talki-Visitor-Token names, or a 401. */
export async function requireVisitor(
  db: Kysely<Database>,
  orgId: string,
  token: string | undefined,
): Promise<Visitor> {
  const visitor = await findVisitor(db, orgId, token);
  if (!visitor) {
    throw unauthorized(
      'Missing or unknown visitor token: start a session with POST /widget/v1/session and send its token as X-Talki-Visitor-Token',
    );
  }
  return visitor;
}

/** The customer a verified visitor is, whichever browser they use; else the one it created. */
export async function customerOf(db: Kysely<Database>, visitor: Visitor) {
  if (visitor.userId !== null) return customerByUserId(db, visitor.orgId, visitor.userId);
  return visitor.customerId === null ? undefined : liveCustomer(db, visitor.orgId, visitor.customerId);
}

/**
 * Starts or resumes a visitor's session. A token is resumed only when it belongs to the same
 * identity, verified or claimed: a token of a signed-in user is never reused once the page says
 * nobody (or someone else) is signed in, and vice versa, so a shared browser does not show one
 * person's conversations to the next. `beforeCreate` runs before a new visitor is stored (a budget).
 */
export async function openSession(
  db: Kysely<Database>,
  channel: Channel<'widget'>,
  body: SessionBody,
  beforeCreate: () => Promise<void>,
): Promise<SessionView> {
  requireEnabled(channel);
  const identity = sessionIdentity(channel, body);
  const now = Date.now();
  const resumed = await findVisitor(db, channel.orgId, body.visitorToken);
  let session: { token: string; visitor: Visitor };
  if (
    resumed &&
    resumed.userId === identity.userId &&
    resumed.claimedUserId === identity.claimedUserId &&
    body.visitorToken !== undefined
  ) {
    await q.updateVisitor(db, channel.orgId, resumed.id, { last_seen_at: now });
    session = { token: body.visitorToken, visitor: resumed };
  } else {
    await beforeCreate();
    session = await createVisitor(db, channel.orgId, identity, now);
  }
  const customer = await customerOf(db, session.visitor);
  return {
    token: session.token,
    visitor: {
      id: session.visitor.id,
      userId: session.visitor.userId ?? session.visitor.claimedUserId,
      verified: session.visitor.userId !== null,
      name: customer?.name ?? null,
      // Its own customer's address, or the one it typed that someone else holds: what it said.
      email: customer?.email ?? customer?.claimedEmail ?? null,
    },
    settings: publicSettings(channel),
  };
}

/**
 * A new visitor with a random token (only its hash is stored), tied to its verified user if any.
 * A claimed userId ties it to nobody: its customer is made with its first conversation.
 */
async function createVisitor(
  db: Kysely<Database>,
  orgId: string,
  identity: SessionIdentity,
  now: number,
): Promise<{ token: string; visitor: Visitor }> {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const { userId, claimedUserId } = identity;
  const known = userId === null ? undefined : await customerByUserId(db, orgId, userId);
  const row = {
    id: newId('vis', now),
    org_id: orgId,
    token_hash: hashToken(token),
    customer_id: known?.id ?? null,
    user_id: userId,
    claimed_user_id: claimedUserId,
    created_at: now,
    last_seen_at: now,
  };
  await q.insertVisitor(db, row);
  return { token, visitor: visitorOf(row) };
}

/** onRequest hook of the routes about a visitor's conversations: X-Talki-Visitor-Token → request.visitor. */
export function registerVisitorAuth(app: FastifyInstance, db: Kysely<Database>): void {
  app.addHook('onRequest', async (request) => {
    const header = request.headers[VISITOR_TOKEN_HEADER];
    request.visitor = await requireVisitor(
      db,
      request.widget.orgId,
      typeof header === 'string' ? header : undefined,
    );
  });
}
