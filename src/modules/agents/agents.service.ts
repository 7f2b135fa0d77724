import type { Kysely } from 'kysely';
import type { AgentRole, Database } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';
import { newId } from '../../lib/ids.js';
import { hashPassword } from '../../lib/passwords.js';
import * as q from './agents.queries.js';

export interface NewAgent {
  orgId: string;
  email: string;
  name: string;
  role: AgentRole;
  /** Omitted: the agent can't log in until a password is set. */
  password?: string | undefined;
}

export interface AgentView {
  id: string;
  email: string;
  name: string;
  role: AgentRole;
  active: boolean;
}

export const MIN_PASSWORD_LENGTH = 8;

/**
 * Adds an agent to an org. An agent is a person who may belong to several orgs, so an email
 * that already has an agent gains a membership instead of a second identity.
 */
export async function addAgent(db: Kysely<Database>, input: NewAgent): Promise<AgentView> {
  if (input.password !== undefined && input.password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError('BAD_REQUEST', 400, `Password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const emailLower = input.email.trim().toLowerCase();
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  const now = Date.now();
  let agent = await q.findAgentByEmail(db, emailLower);
  if (!agent) {
    agent = {
      id: newId('agent', now),
      email: input.email.trim(),
      email_lower: emailLower,
      name: input.name,
      password_hash: passwordHash,
      created_at: now,
      updated_at: now,
    };
    await q.insertAgent(db, agent);
  }
  await q.insertMembership(db, {
    org_id: input.orgId,
    agent_id: agent.id,
    role: input.role,
    active: 1,
    created_at: now,
  });
  const member = await q.findMember(db, input.orgId, agent.id);
  return {
    id: agent.id,
    email: agent.email,
    name: agent.name,
    role: member!.role,
    active: member!.active === 1,
  };
}

/** The org's agent with this id, or undefined: ids of other orgs' agents are unknown here. */
export async function findOrgAgent(
  db: Kysely<Database>,
  orgId: string,
  agentId: string,
): Promise<AgentView | undefined> {
  const member = await q.findMember(db, orgId, agentId);
  return (
    member && {
      id: member.id,
      email: member.email,
      name: member.name,
      role: member.role,
      active: member.active === 1,
    }
  );
}
