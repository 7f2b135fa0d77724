import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { Database } from '../../db/schema.js';
import type { Caller, Person } from '../../http/caller.js';
import { AppError, badRequest, forbidden, notFound, unauthorized } from '../../http/errors.js';
import type { RateLimiter } from '../../http/rate-limit.js';
import { isoTime, newId, isPlausibleId } from '../../lib/ids.js';
import { hashPassword, verifyPassword } from '../../lib/passwords.js';
import { hasInvitations } from '../agents/agents.service.js';
import * as q from './auth.queries.js';
import type { LoginBody, SessionView } from './auth.schemas.js';
import {
  hashRefreshToken,
  newRefreshToken,
  signAccessToken,
  signingKey,
  verifyAccessToken,
} from './auth.tokens.js';

export type AuthConfig = Pick<
  Config,
  'jwtSecret' | 'accessTokenTtlSeconds' | 'refreshTokenTtlDays' | 'loginMaxPerEmail' | 'loginMaxPerIp'
>;

/** Where a login or refresh came from, kept with the session for "where am I logged in". */
export interface ClientInfo {
  ip: string;
  userAgent: string | undefined;
}

const DAY_MS = 24 * 60 * 60 * 1000;
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
const BAD_CREDENTIALS = 'Invalid email or password';
const NO_ORG = 'This account is not active in any organization';

/** A person signs in to act in an active org, or to answer an invitation when they have none. */
async function maySignIn(db: Kysely<Database>, agentId: string, activeOrgs: number): Promise<boolean> {
  return activeOrgs > 0 || (await hasInvitations(db, agentId));
}

// A hash to verify against when the email is unknown or has no password, so that such a login
// costs as much as a real one and timing does not tell which emails have accounts.
let dummyHash: Promise<string> | undefined;
function timingDummy(): Promise<string> {
  dummyHash ??= hashPassword('talki-timing-equaliser');
  return dummyHash;
}

/**
 * Counts a login attempt against the email's and the client IP's 15-minute budgets. Returns the
 * seconds to wait when either is spent. A limiter outage fails open, as API rate limits do.
 */
export async function throttleLogin(
  limiter: RateLimiter,
  config: AuthConfig,
  email: string,
  ip: string,
): Promise<number | undefined> {
  const budgets: Array<[string, number]> = [
    [`login:ip:${ip}`, config.loginMaxPerIp],
    [`login:email:${email.trim().toLowerCase()}`, config.loginMaxPerEmail],
  ];
  for (const [key, limit] of budgets) {
    if (limit <= 0) continue;
    const decision = await limiter.hit(key, limit, LOGIN_WINDOW_MS).catch(() => undefined);
    if (decision && !decision.allowed) return decision.resetSeconds;
  }
  return undefined;
}

/** Email + password → a new session (access token + refresh token) and the orgs to pick from. */
export async function login(
  db: Kysely<Database>,
  config: AuthConfig,
  input: LoginBody,
  client: ClientInfo,
): Promise<SessionView> {
  const agent = await q.findLoginAgent(db, input.email.trim().toLowerCase());
  const stored = agent?.password_hash ?? (await timingDummy());
  const valid = await verifyPassword(input.password, stored);
  if (!agent || agent.password_hash === null || !valid) throw unauthorized(BAD_CREDENTIALS);
  const orgs = await q.activeOrgsOf(db, agent.id);
  if (!(await maySignIn(db, agent.id, orgs.length))) throw unauthorized(NO_ORG);

  const key = await signingKey(db, config.jwtSecret);
  const now = Date.now();
  const sessionId = newId('sess', now);
  const refresh = await db.transaction().execute(async (trx) => {
    await q.deleteExpiredTokens(trx, agent.id, now);
    return issueRefreshToken(trx, config, agent.id, sessionId, client, now);
  });
  return session(key, config, { agentId: agent.id, sessionId }, refresh, agent, orgs, now);
}

type RefreshOutcome =
  { ok: true; agentId: string; sessionId: string; refresh: IssuedRefresh } | { ok: false; message: string };

/**
 * Spends a refresh token for a new pair. A token that was already spent means it leaked (or a
 * client raced itself): the whole session is revoked, so the thief's tokens die with it.
 */
export async function refresh(
  db: Kysely<Database>,
  config: AuthConfig,
  token: string,
  client: ClientInfo,
): Promise<SessionView> {
  const key = await signingKey(db, config.jwtSecret);
  const now = Date.now();
  // Failures are returned, not thrown, so that a revocation commits before the 401 is sent.
  const outcome = await db.transaction().execute(async (trx): Promise<RefreshOutcome> => {
    const row = await q.lockRefreshToken(trx, hashRefreshToken(token));
    if (!row) return { ok: false, message: 'Invalid refresh token' };
    if (row.revoked_at !== null) return { ok: false, message: 'This session has ended; log in again' };
    const reused = async () => {
      await q.revokeFamily(trx, row.family_id, now);
      return {
        ok: false as const,
        message: 'Refresh token already used; the session is revoked, log in again',
      };
    };
    if (row.used_at !== null) return reused();
    if (row.expires_at <= now) return { ok: false, message: 'Refresh token expired; log in again' };
    if (!(await maySignIn(trx, row.agent_id, (await q.activeOrgsOf(trx, row.agent_id)).length))) {
      await q.revokeFamily(trx, row.family_id, now);
      return { ok: false, message: NO_ORG };
    }
    if ((await q.markUsed(trx, row.id, now)).numUpdatedRows === 0n) return reused();
    const issued = await issueRefreshToken(trx, config, row.agent_id, row.family_id, client, now);
    return { ok: true, agentId: row.agent_id, sessionId: row.family_id, refresh: issued };
  });
  if (!outcome.ok) throw unauthorized(outcome.message);
  const [agent, orgs] = await Promise.all([
    q.findAgent(db, outcome.agentId),
    q.activeOrgsOf(db, outcome.agentId),
  ]);
  if (!agent) throw unauthorized('Invalid refresh token');
  return session(key, config, outcome, outcome.refresh, agent, orgs, now);
}

/** Ends the session the token belongs to (every token of it, and its access tokens). Idempotent. */
export async function logout(db: Kysely<Database>, token: string): Promise<void> {
  const row = await q.findRefreshToken(db, hashRefreshToken(token));
  if (row) await q.revokeFamily(db, row.family_id, Date.now());
}

/** Ends a person's sessions, all of them or all but the caller's own (after a password change). */
export async function revokeSessionsOf(
  db: Kysely<Database>,
  agentId: string,
  keepSessionId: string | undefined,
): Promise<void> {
  await q.revokeAgentSessions(db, agentId, Date.now(), keepSessionId);
}

interface IssuedRefresh {
  token: string;
  expiresAt: number;
}

async function issueRefreshToken(
  db: Kysely<Database>,
  config: AuthConfig,
  agentId: string,
  sessionId: string,
  client: ClientInfo,
  now: number,
): Promise<IssuedRefresh> {
  const { token, hash } = newRefreshToken();
  const expiresAt = now + config.refreshTokenTtlDays * DAY_MS;
  await q.insertRefreshToken(db, {
    id: newId('rtk', now),
    family_id: sessionId,
    agent_id: agentId,
    token_hash: hash,
    expires_at: expiresAt,
    used_at: null,
    revoked_at: null,
    created_at: now,
    user_agent: client.userAgent?.slice(0, 500) ?? null,
    ip: client.ip.slice(0, 100),
  });
  return { token, expiresAt };
}

async function session(
  key: Uint8Array,
  config: AuthConfig,
  claims: { agentId: string; sessionId: string },
  issued: IssuedRefresh,
  agent: { id: string; email: string; name: string },
  orgs: Array<{ id: string; name: string; role: 'admin' | 'agent' }>,
  now: number,
): Promise<SessionView> {
  return {
    accessToken: await signAccessToken(key, claims, config.accessTokenTtlSeconds, now),
    tokenType: 'Bearer',
    expiresIn: config.accessTokenTtlSeconds,
    refreshToken: issued.token,
    refreshTokenExpiresAt: isoTime(issued.expiresAt),
    agent: { id: agent.id, email: agent.email, name: agent.name },
    orgs: orgs.map((o) => ({ id: o.id, name: o.name, role: o.role })),
  };
}

export interface AgentCaller {
  caller: Caller;
  sessionId: string;
  /** The org's default rate limit; null = the server default. */
  rateLimit: number | null;
}

/**
 * An agent's access token → who is calling and for which org: the one named by
 * X-Organization-Id, or the only org they are active in. Throws the 4xx to answer otherwise.
 */
export async function authenticateAgent(
  db: Kysely<Database>,
  jwtSecret: string | undefined,
  token: string,
  orgHeader: string | undefined,
): Promise<AgentCaller> {
  const verified = await verifyAccessToken(await signingKey(db, jwtSecret), token);
  if (!verified.ok) {
    throw unauthorized(
      verified.expired
        ? 'Access token expired; get a new one from POST /v1/auth/refresh'
        : 'Invalid API key or access token',
    );
  }
  const { agentId, sessionId } = verified.claims;
  const orgId = orgHeader?.trim() || undefined;
  if (orgId !== undefined && !isPlausibleId(orgId)) throw notFound(`Organization ${orgId} not found`);
  const rows = await q.callerMemberships(db, agentId, sessionId, orgId);
  const member = rows[0];
  if (member && Boolean(member.session_revoked)) throw unauthorized('This session has ended; log in again');
  if (orgId !== undefined) {
    if (!member) throw notFound(`Organization ${orgId} not found`);
    if (member.active !== 1) throw forbidden('Your account is deactivated in this organization');
  } else {
    if (!member) throw unauthorized('Your account is not active in any organization');
    if (rows.length > 1) {
      throw badRequest('You belong to several organizations: send the X-Organization-Id header to pick one', {
        fields: [{ field: 'X-Organization-Id', message: 'is required for agents in several organizations' }],
      });
    }
  }
  return {
    caller: {
      orgId: member.org_id,
      actorType: 'agent',
      actorId: agentId,
      name: member.name,
      role: member.role,
      scope: 'write',
    },
    sessionId,
    rateLimit: member.default_rate_limit,
  };
}

/**
 * An access token → the person, for routes about their own account (invitations, leaving an
 * org): no org is chosen, so a person in several orgs needs no X-Organization-Id there.
 */
export async function authenticatePerson(
  db: Kysely<Database>,
  jwtSecret: string | undefined,
  token: string,
): Promise<Person> {
  const verified = await verifyAccessToken(await signingKey(db, jwtSecret), token);
  if (!verified.ok) {
    throw unauthorized(
      verified.expired
        ? 'Access token expired; get a new one from POST /v1/auth/refresh'
        : 'Invalid access token: these routes take an agent access token, not an API key',
    );
  }
  const { agentId, sessionId } = verified.claims;
  const [agent, revoked] = await Promise.all([q.findAgent(db, agentId), q.isSessionRevoked(db, sessionId)]);
  if (!agent || revoked) throw unauthorized('This session has ended; log in again');
  return { id: agent.id, name: agent.name };
}

/** Thrown by the login throttle; the route sets Retry-After from it. */
export function tooManyLogins(retryAfter: number): AppError {
  return new AppError('TOO_MANY_REQUESTS', 429, `Too many login attempts; retry in ${retryAfter} s`, {
    retryAfter,
  });
}
