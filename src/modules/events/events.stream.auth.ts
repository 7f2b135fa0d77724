import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Caller } from '../../http/caller.js';
import { apiKeyCaller } from '../api-keys/api-keys.caller.js';
import { authenticateAgent } from '../auth/auth.service.js';
import { looksLikeJwt } from '../auth/auth.tokens.js';

/**
 * The caller a stream's credentials stand for, with the same rules as the REST API's: a secret
 * key or an agent's access token, never the widget key. Streams outlive requests, so they ask
 * again on every heartbeat: a revoked key, an ended session or an expired token ends the stream.
 */
export async function streamCaller(
  db: Kysely<Database>,
  jwtSecret: string | undefined,
  token: string,
  orgId: string | undefined,
): Promise<Caller> {
  if (looksLikeJwt(token)) return (await authenticateAgent(db, jwtSecret, token, orgId)).caller;
  return (await apiKeyCaller(db, token, orgId, 'the event stream')).caller;
}

/** Whether the credentials still stand for the same caller (not revoked, not expired, same org). */
export async function stillValid(
  db: Kysely<Database>,
  jwtSecret: string | undefined,
  token: string,
  caller: Caller,
): Promise<boolean> {
  try {
    const now = await streamCaller(db, jwtSecret, token, caller.orgId);
    return now.orgId === caller.orgId && now.actorId === caller.actorId;
  } catch {
    return false;
  }
}
