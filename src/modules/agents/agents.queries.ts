import type { Insertable, Kysely, Updateable } from 'kysely';
import { forUpdate } from '../../db/locking.js';
import type { AgentRole, AgentsTable, Database, OrgMembersTable } from '../../db/schema.js';

export function findAgentByEmail(db: Kysely<Database>, emailLower: string) {
  return db.selectFrom('agents').selectAll().where('email_lower', '=', emailLower).executeTakeFirst();
}

/**
 * The person with this email, their row locked: inviting them and their accepting another
 * invitation serialise on it, so "already a member?" is never answered from a stale read.
 */
export function lockAgentByEmail(db: Kysely<Database>, emailLower: string) {
  return forUpdate(
    db as Kysely<unknown>,
    db.selectFrom('agents').select('id').where('email_lower', '=', emailLower),
  ).executeTakeFirst();
}

export function lockAgentById(db: Kysely<Database>, agentId: string) {
  return forUpdate(
    db as Kysely<unknown>,
    db.selectFrom('agents').select('id').where('id', '=', agentId),
  ).executeTakeFirst();
}

export function insertAgent(db: Kysely<Database>, row: Insertable<AgentsTable>) {
  return db.insertInto('agents').values(row).execute();
}

/** Adds a membership unless one exists; the result's numInsertedOrUpdatedRows tells which. */
export function insertMembership(db: Kysely<Database>, row: Insertable<OrgMembersTable>) {
  return db
    .insertInto('org_members')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'agent_id']).doNothing())
    .executeTakeFirst();
}

const MEMBER_COLUMNS = ['a.id', 'a.email', 'a.name', 'm.role', 'm.active', 'm.created_at'] as const;

function members(db: Kysely<Database>, orgId: string) {
  return db
    .selectFrom('org_members as m')
    .innerJoin('agents as a', 'a.id', 'm.agent_id')
    .where('m.org_id', '=', orgId);
}

export function findMember(db: Kysely<Database>, orgId: string, agentId: string) {
  return members(db, orgId).select(MEMBER_COLUMNS).where('m.agent_id', '=', agentId).executeTakeFirst();
}

export type MemberRow = NonNullable<Awaited<ReturnType<typeof findMember>>>;

/** The member with their password hash, membership row locked until the transaction ends. */
export function lockMember(db: Kysely<Database>, orgId: string, agentId: string) {
  return forUpdate(
    db as Kysely<unknown>,
    members(db, orgId)
      .select([...MEMBER_COLUMNS, 'a.password_hash'])
      .where('m.agent_id', '=', agentId),
  ).executeTakeFirst();
}

/**
 * Locks and returns the org's active admins. Every change that could remove the last one takes
 * these locks first, so two concurrent demotions can't both see "another admin remains".
 */
export async function lockActiveAdmins(db: Kysely<Database>, orgId: string): Promise<string[]> {
  const rows = await forUpdate(
    db as Kysely<unknown>,
    db
      .selectFrom('org_members')
      .select('agent_id')
      .where('org_id', '=', orgId)
      .where('role', '=', 'admin')
      .where('active', '=', 1),
  ).execute();
  return rows.map((r) => r.agent_id);
}

export interface MemberFilters {
  role?: AgentRole | undefined;
  active?: boolean | undefined;
}

/**
 * What the org sees as its agents: its members, and its pending invitations shown with only the
 * org's own input. One shape for both, so the list can't tell which emails already had accounts.
 */
function roster(db: Kysely<Database>, orgId: string) {
  return db.selectFrom(
    members(db, orgId)
      .select(MEMBER_COLUMNS)
      .unionAll(
        db
          .selectFrom('org_invitations as i')
          .select(['i.id', 'i.email', 'i.name', 'i.role', 'i.active', 'i.created_at'])
          .where('i.org_id', '=', orgId),
      )
      .as('r'),
  );
}

function filtered(db: Kysely<Database>, orgId: string, filters: MemberFilters) {
  let query = roster(db, orgId);
  if (filters.role !== undefined) query = query.where('r.role', '=', filters.role);
  if (filters.active !== undefined) query = query.where('r.active', '=', filters.active ? 1 : 0);
  return query;
}

/** Newest identities first; `before` (an agent id) gives the keyset page after a cursor. */
export function listMembers(
  db: Kysely<Database>,
  orgId: string,
  filters: MemberFilters,
  page: { limit: number; offset?: number; before?: string | undefined },
) {
  let query = filtered(db, orgId, filters).select([
    'r.id',
    'r.email',
    'r.name',
    'r.role',
    'r.active',
    'r.created_at',
  ]);
  if (page.before !== undefined) query = query.where('r.id', '<', page.before);
  query = query.orderBy('r.id', 'desc').limit(page.limit);
  if (page.offset) query = query.offset(page.offset);
  return query.execute();
}

export async function countMembers(
  db: Kysely<Database>,
  orgId: string,
  filters: MemberFilters,
): Promise<number> {
  const row = await filtered(db, orgId, filters)
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export function updateMembership(
  db: Kysely<Database>,
  orgId: string,
  agentId: string,
  changes: Updateable<Pick<OrgMembersTable, 'role' | 'active'>>,
) {
  return db
    .updateTable('org_members')
    .set(changes)
    .where('org_id', '=', orgId)
    .where('agent_id', '=', agentId)
    .execute();
}

/**
 * Changes the person behind a membership (name, password), which every org they belong to
 * sees. Callers check first that `orgId` may do so; the org scopes the update all the same.
 */
export function updateIdentity(
  db: Kysely<Database>,
  orgId: string,
  agentId: string,
  changes: Updateable<Pick<AgentsTable, 'name' | 'password_hash' | 'updated_at'>>,
) {
  return db
    .updateTable('agents')
    .set(changes)
    .where('id', '=', agentId)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('org_members')
          .select('org_members.agent_id')
          .where('org_members.org_id', '=', orgId)
          .where('org_members.agent_id', '=', agentId),
      ),
    )
    .execute();
}

/** How many other orgs this person belongs to (active or not). */
export async function countOtherOrgs(db: Kysely<Database>, orgId: string, agentId: string): Promise<number> {
  const row = await db
    .selectFrom('org_members')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('agent_id', '=', agentId)
    .where('org_id', '<>', orgId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export function deleteMembership(db: Kysely<Database>, orgId: string, agentId: string) {
  return db.deleteFrom('org_members').where('org_id', '=', orgId).where('agent_id', '=', agentId).execute();
}
