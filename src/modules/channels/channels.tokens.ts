import { createHash, randomBytes } from 'node:crypto';

/** A new capability for an email channel's inbound URL: 192 random bits. */
export function newInboundToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * What the database keeps of an inbound token: its SHA-256. The token is random and long, so a
 * plain hash (no salt, no stretching) is enough, and lookups by it stay one indexed equality.
 */
export function hashInboundToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
