import type { Insertable, Kysely } from 'kysely';
import type { AgentsTable, Database, OrgMembersTable } from '../../db/schema.js';

export function findAgentByEmail(db: Kysely<Database>, emailLower: string) {
  return db.selectFrom('agents').selectAll().where('email_lower', '=', emailLower).executeTakeFirst();
}

export function insertAgent(db: Kysely<Database>, row: Insertable<AgentsTable>) {
  return db.insertInto('agents').values(row).execute();
}

export function insertMembership(db: Kysely<Database>, row: Insertable<OrgMembersTable>) {
  return db
    .insertInto('org_members')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'agent_id']).doNothing())
    .execute();
}

export function findMember(db: Kysely<Database>, orgId: string, agentId: string) {
  return db
    .selectFrom('org_members as m')
    .innerJoin('agents as a', 'a.id', 'm.agent_id')
    .select(['a.id', 'a.email', 'a.name', 'm.role', 'm.active', 'm.created_at'])
    .where('m.org_id', '=', orgId)
    .where('m.agent_id', '=', agentId)
    .executeTakeFirst();
}
