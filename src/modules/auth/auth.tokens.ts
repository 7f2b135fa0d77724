import { createHash, randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import * as q from './auth.queries.js';

/** Issuer and audience of every access token: a token from another system is never accepted. */
const ISSUER = 'talki';
const AUDIENCE = 'talki';
const ALGORITHM = 'HS256';
const SECRET_NAME = 'jwt_hs256';
const REFRESH_PREFIX = 'talki_rt_';

const keys = new WeakMap<Kysely<Database>, Promise<Uint8Array>>();

/**
 * The HS256 key: TALKI_JWT_SECRET when configured; otherwise one generated at first use and kept
 * in the database, so every process on that database (and every restart) signs and verifies alike.
 */
export function signingKey(db: Kysely<Database>, configured: string | undefined): Promise<Uint8Array> {
  if (configured !== undefined) return Promise.resolve(new TextEncoder().encode(configured));
  let key = keys.get(db);
  if (!key) {
    key = loadOrCreateKey(db).catch((error: unknown) => {
      keys.delete(db); // a database hiccup must not poison the cache for the process's lifetime
      throw error;
    });
    keys.set(db, key);
  }
  return key;
}

async function loadOrCreateKey(db: Kysely<Database>): Promise<Uint8Array> {
  // Insert-if-missing, then read: whichever process wins the race, all read the same key.
  await q.insertSecretIfMissing(db, SECRET_NAME, randomBytes(32).toString('base64url'), Date.now());
  const value = await q.findSecret(db, SECRET_NAME);
  if (value === undefined) throw new Error('the JWT signing key could not be stored');
  return new Uint8Array(Buffer.from(value, 'base64url'));
}

export interface AccessClaims {
  agentId: string;
  /** The login session (refresh-token family): revoking it ends the access token too. */
  sessionId: string;
}

export function signAccessToken(
  key: Uint8Array,
  claims: AccessClaims,
  ttlSeconds: number,
  now = Date.now(),
): Promise<string> {
  const issuedAt = Math.floor(now / 1000);
  return new SignJWT({ sid: claims.sessionId })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(claims.agentId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .sign(key);
}

export type Verified = { ok: true; claims: AccessClaims } | { ok: false; expired: boolean };

export async function verifyAccessToken(key: Uint8Array, token: string): Promise<Verified> {
  try {
    const { payload } = await jwtVerify(token, key, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: [ALGORITHM],
      requiredClaims: ['sub', 'exp', 'sid'],
    });
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string')
      return { ok: false, expired: false };
    return { ok: true, claims: { agentId: payload.sub, sessionId: payload.sid } };
  } catch (error) {
    return { ok: false, expired: error instanceof errors.JWTExpired };
  }
}

/** Whether a bearer token has the shape of a JWT (three base64url parts) rather than an API key. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

/** 256 random bits: the hash lookup needs no slow KDF. The prefix lets secret scanners spot leaks. */
export function newRefreshToken(): { token: string; hash: string } {
  const token = REFRESH_PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
