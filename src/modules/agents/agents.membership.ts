import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { requireAdmin, type Caller } from '../../http/caller.js';
import { forbidden, invalidField, notFound } from '../../http/errors.js';
import { isPlausibleId } from '../../lib/ids.js';
import { hashPassword, verifyPassword } from '../../lib/passwords.js';
import { revokeSessionsOf } from '../auth/auth.service.js';
import { recordEvent } from '../events/events.service.js';
import * as q from './agents.queries.js';
import type { AgentView, UpdateAgentBody } from './agents.schemas.js';
import { conflict, view } from './agents.service.js';
import * as iq from './invitations.queries.js';

// Changes to an existing roster entry (a member, or a pending invitation shown as one): role,
// name and password, deactivation, removal. Each locks the entry first.

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
