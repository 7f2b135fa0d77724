import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../db/database.js';
import type { AgentRole, Database } from '../../db/schema.js';
import { requireAdmin, type Caller } from '../../http/caller.js';
import { AppError, forbidden, invalidField, notFound } from '../../http/errors.js';
import { listPage, pagingOf } from '../../http/pagination.js';
import { isoTime, newId, isPlausibleId } from '../../lib/ids.js';
import { hashPassword, verifyPassword } from '../../lib/passwords.js';
import { revokeSessionsOf } from '../auth/auth.service.js';
import { recordEvent } from '../events/events.service.js';
import * as q from './agents.queries.js';
import {
  MIN_PASSWORD_LENGTH,
  type AgentListView,
  type AgentView,
  type CreateAgentBody,
  type ListAgentsQuery,
  type UpdateAgentBody,
} from './agents.schemas.js';

export { MIN_PASSWORD_LENGTH, type AgentView };

export interface NewAgent {
  orgId: string;
  email: string;
  name: string;
  role: AgentRole;
  /** Omitted: the agent can't log in until a password is set. */
  password?: string | undefined;
}

function view(row: q.MemberRow): AgentView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    active: row.active === 1,
    createdAt: isoTime(row.created_at),
  };
}

interface Joined {
  agent: AgentView;
  /** False when the person was already a member of the org (nothing was added). */
  added: boolean;
}

/**
 * Makes a person a member of an org. A person may belong to several orgs, so an email that
 * already has an identity gains a membership, and that identity's name and password stay as
 * they are: one org's admin must never be able to set another org's member's password.
 */
async function join(db: Kysely<Database>, input: NewAgent, passwordHash: string | null): Promise<Joined> {
  const emailLower = input.email.trim().toLowerCase();
  const now = Date.now();
  let agent = await q.findAgentByEmail(db, emailLower);
  if (!agent) {
    agent = {
      id: newId('agent', now),
      email: input.email.trim(),
      email_lower: emailLower,
      name: input.name.trim(),
      password_hash: passwordHash,
      created_at: now,
      updated_at: now,
    };
    await q.insertAgent(db, agent);
  }
  const inserted = await q.insertMembership(db, {
    org_id: input.orgId,
    agent_id: agent.id,
    role: input.role,
    active: 1,
    created_at: now,
  });
  const member = await q.findMember(db, input.orgId, agent.id);
  return { agent: view(member!), added: inserted.numInsertedOrUpdatedRows !== 0n };
}

function checkPassword(password: string | undefined): void {
  if (password !== undefined && password.length < MIN_PASSWORD_LENGTH) {
    throw invalidField('password', `must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
}

/** Adds an agent to an org (CLI and org creation); adding an existing member changes nothing. */
export async function addAgent(db: Kysely<Database>, input: NewAgent): Promise<AgentView> {
  checkPassword(input.password);
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  return (await join(db, input, passwordHash)).agent;
}

/** The org's agent with this id, or undefined: ids of other orgs' agents are unknown here. */
export async function findOrgAgent(
  db: Kysely<Database>,
  orgId: string,
  agentId: string,
): Promise<AgentView | undefined> {
  const member = await q.findMember(db, orgId, agentId);
  return member && view(member);
}

export async function listAgents(
  db: Kysely<Database>,
  caller: Caller,
  query: ListAgentsQuery,
): Promise<AgentListView> {
  const paging = pagingOf(query);
  const filters = { role: query.role, active: query.active };
  return listPage(
    paging,
    {
      rows: ({ limit, offset, startingAfter }) =>
        q.listMembers(db, caller.orgId, filters, { limit, offset, before: startingAfter }),
      count: () => q.countMembers(db, caller.orgId, filters),
    },
    (rows) => rows.map(view),
  );
}

export async function getAgent(db: Kysely<Database>, caller: Caller, id: string): Promise<AgentView> {
  // Agents may read their own record; the rest of the team is for admins, like the list.
  if (!(caller.actorType === 'agent' && caller.actorId === id)) requireAdmin(caller, 'see other agents');
  const agent = isPlausibleId(id) ? await findOrgAgent(db, caller.orgId, id) : undefined;
  if (!agent) throw notFound(`Agent ${id} not found`);
  return agent;
}

function conflict(message: string): AppError {
  return new AppError('CONFLICT', 409, message);
}

export async function createAgent(
  db: Kysely<Database>,
  caller: Caller,
  input: CreateAgentBody,
): Promise<AgentView> {
  requireAdmin(caller, 'add agents');
  // Hashing takes a while: done before the transaction, so no lock waits on it.
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  try {
    return await db.transaction().execute(async (trx) => {
      const newcomer = {
        ...input,
        orgId: caller.orgId,
        name: input.name ?? input.email.trim().split('@')[0]!,
        role: input.role ?? ('agent' as const),
      };
      const { agent, added } = await join(trx, newcomer, passwordHash);
      if (!added) {
        throw conflict(
          agent.active
            ? `${agent.email} is already an agent of this organization (${agent.id})`
            : `${agent.email} is a deactivated agent of this organization (${agent.id}): reactivate them instead`,
        );
      }
      await recordEvent(trx, caller, caller.orgId, 'agent.created', agent.id, { agent });
      return agent;
    });
  } catch (error) {
    // Two requests creating the same new person at once: the loser's insert hits the unique email.
    if (isUniqueViolation(error)) throw conflict(`${input.email} was added at the same moment; try again`);
    throw error;
  }
}

async function lockAgent(db: Kysely<Database>, orgId: string, id: string) {
  const row = isPlausibleId(id) ? await q.lockMember(db, orgId, id) : undefined;
  if (!row) throw notFound(`Agent ${id} not found`);
  return row;
}

/** Refuses a change that would leave the org without an active admin (no one could manage it). */
async function keepAnAdmin(
  db: Kysely<Database>,
  orgId: string,
  agentId: string,
  action: string,
): Promise<void> {
  const admins = await q.lockActiveAdmins(db, orgId);
  if (admins.length <= 1 && admins.includes(agentId)) {
    throw conflict(`Can't ${action} the organization's last active admin; make another agent admin first`);
  }
}

/**
 * Role (admins only), name and password. Name and password belong to the person, whom every org
 * they are in sees: agents change their own (the password with `currentPassword`); an admin may
 * change another's only while that person belongs to this org alone.
 */
export async function updateAgent(
  db: Kysely<Database>,
  caller: Caller,
  id: string,
  input: UpdateAgentBody,
  sessionId: string | undefined,
): Promise<AgentView> {
  const self = caller.actorType === 'agent' && caller.actorId === id;
  if (input.role !== undefined) requireAdmin(caller, "change agents' roles");
  const personal = input.name !== undefined || input.password !== undefined;
  if (personal && !self) requireAdmin(caller, "change other agents' names or passwords");
  if (input.password !== undefined && self && input.currentPassword === undefined) {
    throw invalidField('currentPassword', 'is required to change your own password');
  }
  const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);

  return db.transaction().execute(async (trx) => {
    const current = await lockAgent(trx, caller.orgId, id);
    if (personal && !self && (await q.countOtherOrgs(trx, caller.orgId, id)) > 0) {
      throw forbidden(
        'This agent also belongs to other organizations: only they can change their name or password',
      );
    }
    if (passwordHash !== undefined && self) {
      const valid =
        current.password_hash !== null &&
        (await verifyPassword(input.currentPassword!, current.password_hash));
      if (!valid) throw invalidField('currentPassword', 'is not your current password');
    }
    const before = view(current);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    const name = input.name?.trim();
    if (name !== undefined && name !== before.name) changes.name = { from: before.name, to: name };
    if (input.role !== undefined && input.role !== before.role) {
      if (before.role === 'admin' && before.active) await keepAnAdmin(trx, caller.orgId, id, 'demote');
      changes.role = { from: before.role, to: input.role };
    }
    if (Object.keys(changes).length === 0 && passwordHash === undefined) return before;

    const now = Date.now();
    if (changes.role) await q.updateMembership(trx, caller.orgId, id, { role: input.role });
    if (changes.name || passwordHash !== undefined) {
      await q.updateIdentity(trx, caller.orgId, id, {
        ...(changes.name && { name }),
        ...(passwordHash !== undefined && { password_hash: passwordHash }),
        updated_at: now,
      });
    }
    // A new password ends the person's other sessions: whoever knew the old one is logged out.
    if (passwordHash !== undefined) await revokeSessionsOf(trx, id, self ? sessionId : undefined);
    const agent: AgentView = { ...before, name: name ?? before.name, role: input.role ?? before.role };
    await recordEvent(trx, caller, caller.orgId, 'agent.updated', id, {
      agent,
      changes,
      passwordChanged: passwordHash !== undefined,
    });
    return agent;
  });
}

/** A deactivated agent keeps their history but can't log in to this org or be assigned tickets. */
export async function deactivateAgent(db: Kysely<Database>, caller: Caller, id: string): Promise<AgentView> {
  requireAdmin(caller, 'deactivate agents');
  return db.transaction().execute(async (trx) => {
    const current = await lockAgent(trx, caller.orgId, id);
    if (current.active !== 1) throw conflict(`Agent ${id} is already deactivated`);
    if (current.role === 'admin') await keepAnAdmin(trx, caller.orgId, id, 'deactivate');
    await q.updateMembership(trx, caller.orgId, id, { active: 0 });
    const agent = { ...view(current), active: false };
    await recordEvent(trx, caller, caller.orgId, 'agent.deactivated', id, { agent });
    return agent;
  });
}

export async function reactivateAgent(db: Kysely<Database>, caller: Caller, id: string): Promise<AgentView> {
  requireAdmin(caller, 'reactivate agents');
  return db.transaction().execute(async (trx) => {
    const current = await lockAgent(trx, caller.orgId, id);
    if (current.active === 1) throw conflict(`Agent ${id} is already active`);
    await q.updateMembership(trx, caller.orgId, id, { active: 1 });
    const agent = { ...view(current), active: true };
    await recordEvent(trx, caller, caller.orgId, 'agent.reactivated', id, { agent });
    return agent;
  });
}
