import type { Insertable, Kysely, Updateable } from 'kysely';
import { forUpdate } from '../../db/locking.js';
import type { Database, OrgInvitationsTable } from '../../db/schema.js';

// Pending invitations. The org side reads them as agent records (the org's own input only);
// the invited person reads theirs by their own agent id, never by email.

export function insertInvitation(db: Kysely<Database>, row: Insertable<OrgInvitationsTable>) {
  return db
    .insertInto('org_invitations')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'agent_id']).doNothing())
    .executeTakeFirst();
}

export const INVITATION_AS_MEMBER = [
  'i.id',
  'i.email',
  'i.name',
  'i.role',
  'i.active',
  'i.created_at',
] as const;

export function findOrgInvitation(db: Kysely<Database>, orgId: string, id: string) {
  return db
    .selectFrom('org_invitations as i')
    .select(INVITATION_AS_MEMBER)
    .where('i.org_id', '=', orgId)
    .where('i.id', '=', id)
    .executeTakeFirst();
}

export function findOrgInvitationOf(db: Kysely<Database>, orgId: string, agentId: string) {
  return db
    .selectFrom('org_invitations as i')
    .select(INVITATION_AS_MEMBER)
    .where('i.org_id', '=', orgId)
    .where('i.agent_id', '=', agentId)
    .executeTakeFirst();
}

export function lockOrgInvitation(db: Kysely<Database>, orgId: string, id: string) {
  return forUpdate(
    db as Kysely<unknown>,
    db
      .selectFrom('org_invitations as i')
      .select(INVITATION_AS_MEMBER)
      .where('i.org_id', '=', orgId)
      .where('i.id', '=', id),
  ).executeTakeFirst();
}

export function updateInvitation(
  db: Kysely<Database>,
  orgId: string,
  id: string,
  changes: Updateable<Pick<OrgInvitationsTable, 'name' | 'role' | 'active'>>,
) {
  return db
    .updateTable('org_invitations')
    .set(changes)
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

export function deleteOrgInvitation(db: Kysely<Database>, orgId: string, id: string) {
  return db.deleteFrom('org_invitations').where('org_id', '=', orgId).where('id', '=', id).execute();
}

/** A person's pending invitations with the inviting org's name, oldest first. */
export function invitationsOf(db: Kysely<Database>, agentId: string, limit: number) {
  return db
    .selectFrom('org_invitations as i')
    .innerJoin('orgs as o', 'o.id', 'i.org_id')
    .select(['i.id', 'i.org_id', 'o.name as org_name', 'i.role', 'i.created_at'])
    .where('i.agent_id', '=', agentId)
    .orderBy('i.created_at')
    .orderBy('i.id')
    .limit(limit)
    .execute();
}

export async function countInvitationsOf(db: Kysely<Database>, agentId: string): Promise<number> {
  const row = await db
    .selectFrom('org_invitations')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('agent_id', '=', agentId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** The person's invitation, locked: accepting and declining it at once can't both happen. */
export function lockInvitationOf(db: Kysely<Database>, agentId: string, id: string) {
  return forUpdate(
    db as Kysely<unknown>,
    db
      .selectFrom('org_invitations as i')
      .select([...INVITATION_AS_MEMBER, 'i.org_id'])
      .where('i.agent_id', '=', agentId)
      .where('i.id', '=', id),
  ).executeTakeFirst();
}

export function deleteInvitation(db: Kysely<Database>, id: string) {
  return db.deleteFrom('org_invitations').where('id', '=', id).execute();
}

export async function orgNameOf(db: Kysely<Database>, orgId: string): Promise<string | undefined> {
  const row = await db.selectFrom('orgs').select('name').where('id', '=', orgId).executeTakeFirst();
  return row?.name;
}
