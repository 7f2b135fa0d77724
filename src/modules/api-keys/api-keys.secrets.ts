import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyKind } from '../../db/schema.js';

// Recognisable prefixes let secret scanners and humans tell a leaked secret from a public key.
const KEY_PREFIX: Record<ApiKeyKind, string> = { secret: 'talki_sk_', widget: 'talki_pk_' };
const SHOWN_PREFIX_LENGTH = 4;

export interface GeneratedKey {
  key: string;
  prefix: string;
  hash: string;
}

/** 192 random bits: far beyond guessing, so a fast hash (not a slow KDF) is safe to store. */
export function generateKey(kind: ApiKeyKind): GeneratedKey {
  const key = KEY_PREFIX[kind] + randomBytes(24).toString('base64url');
  return { key, prefix: key.slice(0, KEY_PREFIX[kind].length + SHOWN_PREFIX_LENGTH), hash: hashKey(key) };
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Constant-time equality of two hex digests of equal length. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
