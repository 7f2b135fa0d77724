import type { Kysely } from 'kysely';
import type { AgentRole, Database } from '../../db/schema.js';
import type { Caller, Person } from '../../http/caller.js';
import { notFound } from '../../http/errors.js';
import { isoTime, isPlausibleId } from '../../lib/ids.js';
import { recordEvent } from '../events/events.service.js';
import * as q from './agents.queries.js';
import { endMembership } from './agents.membership.js';
import { view } from './agents.service.js';
import * as iq from './invitations.queries.js';

// The invited person's side: their pending invitations, accepting or declining one, and leaving
// an org. These act for a person (an access token), not for an org, so no org header is needed.

/** One person has few pending invitations; more than this many says someone is spamming them. */
export const MAX_LISTED_INVITATIONS = 100;

export interface InvitationView {
  id: string;
  org: { id: string; name: string };
  role: AgentRole;
  createdAt: string;
}

export interface JoinedOrgView {
  id: string;
  name: string;
  role: AgentRole;
  active: boolean;
}

/** The person acting in `orgId`, for the events their choice records there. */
function personIn(person: Person, orgId: string, role: AgentRole): Caller {
  return { orgId, actorType: 'agent', actorId: person.id, name: person.name, role, scope: 'write' };
}

export async function listInvitations(
  db: Kysely<Database>,
  person: Person,
): Promise<{ data: InvitationView[]; meta: { total: number; page: number; perPage: number } }> {
  const [rows, total] = await Promise.all([
    iq.invitationsOf(db, person.id, MAX_LISTED_INVITATIONS),
    iq.countInvitationsOf(db, person.id),
  ]);
  return {
    data: rows.map((r) => ({
      id: r.id,
      org: { id: r.org_id, name: r.org_name },
      role: r.role,
      createdAt: isoTime(r.created_at),
    })),
    meta: { total, page: 1, perPage: MAX_LISTED_INVITATIONS },
  };
}

async function lockOwn(db: Kysely<Database>, person: Person, id: string) {
  const row = isPlausibleId(id) ? await iq.lockInvitationOf(db, person.id, id) : undefined;
  if (!row) throw notFound(`Invitation ${id} not found`);
  return row;
}

/**
 * Accepting makes the person a member with the role (and active flag) the org chose. From then
 * on that org sees their real id and name; with two active orgs, their requests name one with
 * X-Organization-Id.
 */
export async function acceptInvitation(
  db: Kysely<Database>,
  person: Person,
  id: string,
): Promise<JoinedOrgView> {
  return db.transaction().execute(async (trx) => {
    // The person's row first, as an invitation of them does: the two serialise.
    await q.lockAgentById(trx, person.id);
    const invitation = await lockOwn(trx, person, id);
    // Already a member (an operator added them meanwhile): the membership stays as it is.
    await q.insertMembership(trx, {
      org_id: invitation.org_id,
      agent_id: person.id,
      role: invitation.role,
      active: invitation.active,
      created_at: Date.now(),
    });
    await iq.deleteInvitation(trx, invitation.id);
    const member = (await q.findMember(trx, invitation.org_id, person.id))!;
    const agent = view(member);
    await recordEvent(
      trx,
      personIn(person, invitation.org_id, member.role),
      invitation.org_id,
      'agent.joined',
      member.id,
      {
        agent,
        invitationId: invitation.id,
      },
    );
    const name = (await iq.orgNameOf(trx, invitation.org_id)) ?? '';
    return { id: invitation.org_id, name, role: member.role, active: agent.active };
  });
}

/** Declining deletes the invitation: the org's pending agent record disappears. */
export async function declineInvitation(db: Kysely<Database>, person: Person, id: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const invitation = await lockOwn(trx, person, id);
    await iq.deleteInvitation(trx, invitation.id);
    await recordEvent(
      trx,
      personIn(person, invitation.org_id, invitation.role),
      invitation.org_id,
      'agent.removed',
      invitation.id,
      {
        agent: view(invitation),
        reason: 'declined',
      },
    );
  });
}

/** The person leaves one org; the last active admin can't (409): the org would be unmanageable. */
export async function leaveOrg(db: Kysely<Database>, person: Person, orgId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const member = isPlausibleId(orgId) ? await q.lockMember(trx, orgId, person.id) : undefined;
    if (!member) throw notFound(`Organization ${orgId} not found`);
    await endMembership(trx, orgId, person.id, 'leave');
    await recordEvent(trx, personIn(person, orgId, member.role), orgId, 'agent.removed', person.id, {
      agent: view(member),
      reason: 'left',
    });
  });
}
