import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../db/database.js';
import type { AgentRole, Database } from '../../db/schema.js';
import { requireAdmin, type Caller } from '../../http/caller.js';
import { AppError, invalidField, notFound } from '../../http/errors.js';
import { listPage, pagingOf } from '../../http/pagination.js';
import { isoTime, newId, isPlausibleId } from '../../lib/ids.js';
import { hashPassword } from '../../lib/passwords.js';
import { recordEvent } from '../events/events.service.js';
import * as q from './agents.queries.js';
import * as iq from './invitations.queries.js';
import {
  MIN_PASSWORD_LENGTH,
  type AgentListView,
  type AgentView,
  type CreateAgentBody,
  type ListAgentsQuery,
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

/**
 * Any caller of the org reads the whole roster, as helpdesk agents see and assign their teammates:
 * the record holds only name, email, role and status, and an invitation only what the admin typed.
 */
export async function getAgent(db: Kysely<Database>, caller: Caller, id: string): Promise<AgentView> {
  const row = await findRosterEntry(db, caller.orgId, id);
  if (!row) throw notFound(`Agent ${id} not found`);
  return view(row);
}

export function conflict(message: string): AppError {
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

/** Whether the person has an invitation waiting (they may log in to answer it). */
export async function hasInvitations(db: Kysely<Database>, agentId: string): Promise<boolean> {
  return (await iq.countInvitationsOf(db, agentId)) > 0;
}
