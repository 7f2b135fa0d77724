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
import * as iq from './invitations.queries.js';
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

/** A member or pending invitation row → the API's agent shape. */
export function view(row: q.MemberRow): AgentView {
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

/** A member, or a pending invitation shown as the org typed it: the org can't tell them apart. */
async function findRosterEntry(db: Kysely<Database>, orgId: string, id: string) {
  if (!isPlausibleId(id)) return undefined;
  return (await q.findMember(db, orgId, id)) ?? (await iq.findOrgInvitation(db, orgId, id));
}

export async function getAgent(db: Kysely<Database>, caller: Caller, id: string): Promise<AgentView> {
  // Agents may read their own record; the rest of the team is for admins, like the list.
  if (!(caller.actorType === 'agent' && caller.actorId === id)) requireAdmin(caller, 'see other agents');
  const row = await findRosterEntry(db, caller.orgId, id);
  if (!row) throw notFound(`Agent ${id} not found`);
  return view(row);
}

function conflict(message: string): AppError {
  return new AppError('CONFLICT', 409, message);
}

function alreadyThere(agent: AgentView): AppError {
  return conflict(
    agent.active
      ? `${agent.email} is already an agent of this organization (${agent.id})`
      : `${agent.email} is a deactivated agent of this organization (${agent.id}): reactivate them instead`,
  );
}

/**
 * Adds a person to the org. A new email gets an account and a membership at once. An email that
 * already has an account (another org's) gets a pending invitation instead, which the person
 * accepts or declines when logged in: nobody joins an org without consent. Both answers are the
 * same shape built from the caller's own input only (never the account's id, name or password),
 * and both paths do the same work (the password is hashed either way), so neither the answer
 * nor its timing tells whether the email had an account.
 */
export async function createAgent(
  db: Kysely<Database>,
  caller: Caller,
  input: CreateAgentBody,
): Promise<AgentView> {
  requireAdmin(caller, 'add agents');
  // Hashing takes a while: done before the transaction, so no lock waits on it.
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  const email = input.email.trim();
  const name = input.name?.trim() ?? email.split('@')[0]!;
  const role = input.role ?? ('agent' as const);
  try {
    return await db.transaction().execute(async (trx) => {
      const existing = await q.lockAgentByEmail(trx, email.toLowerCase());
      let agent: AgentView;
      if (!existing) {
        agent = (await join(trx, { orgId: caller.orgId, email, name, role }, passwordHash)).agent;
      } else {
        const member = await q.findMember(trx, caller.orgId, existing.id);
        if (member) throw alreadyThere(view(member));
        agent = await invite(trx, caller, existing.id, { email, name, role });
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

/** A pending invitation of an existing person, answered as the agent record the org asked for. */
async function invite(
  db: Kysely<Database>,
  caller: Caller,
  agentId: string,
  input: { email: string; name: string; role: AgentRole },
): Promise<AgentView> {
  const now = Date.now();
  const row = {
    id: newId('agent', now),
    org_id: caller.orgId,
    agent_id: agentId,
    email: input.email,
    name: input.name,
    role: input.role,
    active: 1,
    invited_by: caller.actorId,
    created_at: now,
  };
  const inserted = await iq.insertInvitation(db, row);
  if (inserted.numInsertedOrUpdatedRows === 0n) {
    throw alreadyThere(view((await iq.findOrgInvitationOf(db, caller.orgId, agentId))!));
  }
  return view(row);
}

type Locked =
  | { kind: 'member'; row: NonNullable<Awaited<ReturnType<typeof q.lockMember>>> }
  | { kind: 'invitation'; row: q.MemberRow };

async function lockAgent(db: Kysely<Database>, orgId: string, id: string): Promise<Locked> {
  if (isPlausibleId(id)) {
    const member = await q.lockMember(db, orgId, id);
    if (member) return { kind: 'member', row: member };
    const invitation = await iq.lockOrgInvitation(db, orgId, id);
    if (invitation) return { kind: 'invitation', row: invitation };
  }
  throw notFound(`Agent ${id} not found`);
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
 * change another's only while that person belongs to this org alone. On a pending invitation the
 * name and role are the org's own input and change; a password is not the org's to set and is
 * dropped, with the same answer as for a new person's (so the answer tells nothing).
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
    const locked = await lockAgent(trx, caller.orgId, id);
    const current = locked.row;
    if (
      locked.kind === 'member' &&
      personal &&
      !self &&
      (await q.countOtherOrgs(trx, caller.orgId, id)) > 0
    ) {
      throw forbidden(
        'This agent also belongs to other organizations: only they can change their name or password',
      );
    }
    if (locked.kind === 'member' && passwordHash !== undefined && self) {
      const valid =
        locked.row.password_hash !== null &&
        (await verifyPassword(input.currentPassword!, locked.row.password_hash));
      if (!valid) throw invalidField('currentPassword', 'is not your current password');
    }
    const before = view(current);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    const name = input.name?.trim();
    if (name !== undefined && name !== before.name) changes.name = { from: before.name, to: name };
    if (input.role !== undefined && input.role !== before.role) {
      if (locked.kind === 'member' && before.role === 'admin' && before.active) {
        await keepAnAdmin(trx, caller.orgId, id, 'demote');
      }
      changes.role = { from: before.role, to: input.role };
    }
    if (Object.keys(changes).length === 0 && passwordHash === undefined) return before;

    if (locked.kind === 'invitation') {
      if (changes.name || changes.role) {
        await iq.updateInvitation(trx, caller.orgId, id, {
          ...(changes.name && { name }),
          ...(changes.role && { role: input.role }),
        });
      }
    } else {
      if (changes.role) await q.updateMembership(trx, caller.orgId, id, { role: input.role });
      if (changes.name || passwordHash !== undefined) {
        await q.updateIdentity(trx, caller.orgId, id, {
          ...(changes.name && { name }),
          ...(passwordHash !== undefined && { password_hash: passwordHash }),
          updated_at: Date.now(),
        });
      }
      // A new password ends the person's other sessions: whoever knew the old one is logged out.
      if (passwordHash !== undefined) await revokeSessionsOf(trx, id, self ? sessionId : undefined);
    }
    const agent: AgentView = { ...before, name: name ?? before.name, role: input.role ?? before.role };
    await recordEvent(trx, caller, caller.orgId, 'agent.updated', id, {
      agent,
      changes,
      passwordChanged: passwordHash !== undefined,
    });
    return agent;
  });
}

async function setActive(
  db: Kysely<Database>,
  caller: Caller,
  id: string,
  active: boolean,
): Promise<AgentView> {
  return db.transaction().execute(async (trx) => {
    const locked = await lockAgent(trx, caller.orgId, id);
    const current = locked.row;
    if ((current.active === 1) === active) {
      throw conflict(`Agent ${id} is already ${active ? 'active' : 'deactivated'}`);
    }
    if (locked.kind === 'member') {
      if (!active && current.role === 'admin') await keepAnAdmin(trx, caller.orgId, id, 'deactivate');
      await q.updateMembership(trx, caller.orgId, id, { active: active ? 1 : 0 });
    } else {
      // A pending invitation keeps the flag: accepting it then gives a membership in that state.
      await iq.updateInvitation(trx, caller.orgId, id, { active: active ? 1 : 0 });
    }
    const agent = { ...view(current), active };
    await recordEvent(trx, caller, caller.orgId, active ? 'agent.reactivated' : 'agent.deactivated', id, {
      agent,
    });
    return agent;
  });
}

/** A deactivated agent keeps their history but can't log in to this org or be assigned tickets. */
export async function deactivateAgent(db: Kysely<Database>, caller: Caller, id: string): Promise<AgentView> {
  requireAdmin(caller, 'deactivate agents');
  return setActive(db, caller, id, false);
}

export async function reactivateAgent(db: Kysely<Database>, caller: Caller, id: string): Promise<AgentView> {
  requireAdmin(caller, 'reactivate agents');
  return setActive(db, caller, id, true);
}

/**
 * Takes a person out of this org only (or withdraws a pending invitation): their account and
 * their other orgs stay, and so do their messages and assignments here, as after a
 * deactivation. The last active admin stays (409), so the org is never left unmanageable.
 */
export async function removeAgent(db: Kysely<Database>, caller: Caller, id: string): Promise<void> {
  requireAdmin(caller, 'remove agents');
  await db.transaction().execute(async (trx) => {
    const locked = await lockAgent(trx, caller.orgId, id);
    if (locked.kind === 'member') {
      await endMembership(trx, caller.orgId, id, 'remove');
    } else {
      await iq.deleteOrgInvitation(trx, caller.orgId, id);
    }
    await recordEvent(trx, caller, caller.orgId, 'agent.removed', id, {
      agent: view(locked.row),
      reason: 'removed',
    });
  });
}

/** Ends a membership; refuses to remove the org's last active admin. Runs in the caller's transaction. */
export async function endMembership(
  db: Kysely<Database>,
  orgId: string,
  agentId: string,
  action: 'remove' | 'leave',
): Promise<void> {
  await keepAnAdmin(db, orgId, agentId, action === 'remove' ? 'remove' : 'remove yourself as');
  await q.deleteMembership(db, orgId, agentId);
}
