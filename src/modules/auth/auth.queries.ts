import type { Insertable, Kysely } from 'kysely';
import { forUpdate } from '../../db/locking.js';
import type { Database, RefreshTokensTable } from '../../db/schema.js';

// Sessions belong to a person, not an org: these queries are keyed by agent or token, and the
// org is chosen per request among the person's active memberships.

export function insertSecretIfMissing(db: Kysely<Database>, name: string, value: string, at: number) {
  return db
    .insertInto('server_secrets')
    .values({ name, value, created_at: at })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

export async function findSecret(db: Kysely<Database>, name: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('server_secrets')
    .select('value')
    .where('name', '=', name)
    .executeTakeFirst();
  return row?.value;
}

export function findLoginAgent(db: Kysely<Database>, emailLower: string) {
  return db
    .selectFrom('agents')
    .select(['id', 'email', 'name', 'password_hash'])
    .where('email_lower', '=', emailLower)
    .executeTakeFirst();
}

export function findAgent(db: Kysely<Database>, agentId: string) {
  return db.selectFrom('agents').select(['id', 'email', 'name']).where('id', '=', agentId).executeTakeFirst();
}

/** The orgs a person may act in: their active memberships, oldest first. */
export function activeOrgsOf(db: Kysely<Database>, agentId: string) {
  return db
    .selectFrom('org_members as m')
    .innerJoin('orgs as o', 'o.id', 'm.org_id')
    .select(['o.id', 'o.name', 'm.role'])
    .where('m.agent_id', '=', agentId)
    .where('m.active', '=', 1)
    .orderBy('m.created_at')
    .orderBy('o.id')
    .execute();
}

/**
 * Everything an authenticated agent request needs, in one query: the membership (in `orgId`,
 * or the active ones when none is named — two rows are enough to see an ambiguity), the org's
 * default rate limit, and whether the token's session has been revoked.
 */
export function callerMemberships(
  db: Kysely<Database>,
  agentId: string,
  sessionId: string,
  orgId: string | undefined,
) {
  let query = db
    .selectFrom('org_members as m')
    .innerJoin('agents as a', 'a.id', 'm.agent_id')
    .innerJoin('orgs as o', 'o.id', 'm.org_id')
    .select(['m.org_id', 'm.role', 'm.active', 'a.name', 'o.default_rate_limit'])
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('refresh_tokens as r')
            .select('r.id')
            .where('r.family_id', '=', sessionId)
            .where('r.revoked_at', 'is not', null),
        )
        .as('session_revoked'),
    )
    .where('m.agent_id', '=', agentId);
  query = orgId === undefined ? query.where('m.active', '=', 1) : query.where('m.org_id', '=', orgId);
  return query.orderBy('m.org_id').limit(2).execute();
}

export function insertRefreshToken(db: Kysely<Database>, row: Insertable<RefreshTokensTable>) {
  return db.insertInto('refresh_tokens').values(row).execute();
}

/** The token row, locked: two refreshes with one token are serialised, and the second is a reuse. */
export function lockRefreshToken(db: Kysely<Database>, tokenHash: string) {
  return forUpdate(
    db as Kysely<unknown>,
    db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash),
  ).executeTakeFirst();
}

export function findRefreshToken(db: Kysely<Database>, tokenHash: string) {
  return db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export function markUsed(db: Kysely<Database>, id: string, at: number) {
  return db
    .updateTable('refresh_tokens')
    .set({ used_at: at })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export function revokeFamily(db: Kysely<Database>, familyId: string, at: number) {
  return db
    .updateTable('refresh_tokens')
    .set({ revoked_at: at })
    .where('family_id', '=', familyId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Ends every session of a person, or every one but `keepFamilyId` (the one changing the password). */
export function revokeAgentSessions(
  db: Kysely<Database>,
  agentId: string,
  at: number,
  keepFamilyId: string | undefined,
) {
  let query = db
    .updateTable('refresh_tokens')
    .set({ revoked_at: at })
    .where('agent_id', '=', agentId)
    .where('revoked_at', 'is', null);
  if (keepFamilyId !== undefined) query = query.where('family_id', '<>', keepFamilyId);
  return query.execute();
}

/** Expired tokens say nothing an access check needs any more: dropped at each login. */
export function deleteExpiredTokens(db: Kysely<Database>, agentId: string, now: number) {
  return db
    .deleteFrom('refresh_tokens')
    .where('agent_id', '=', agentId)
    .where('expires_at', '<', now)
    .execute();
}

/** Whether the login session has been revoked (logout, reuse detection, password change). */
export async function isSessionRevoked(db: Kysely<Database>, sessionId: string): Promise<boolean> {
  const row = await db
    .selectFrom('refresh_tokens')
    .select('id')
    .where('family_id', '=', sessionId)
    .where('revoked_at', 'is not', null)
    .executeTakeFirst();
  return row !== undefined;
}
