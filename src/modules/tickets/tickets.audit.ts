import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { agentIdOf, type Caller } from '../../http/caller.js';
import type { MessageView } from '../messages/messages.schemas.js';
import { recordMessage } from '../messages/messages.service.js';

export type Change = Omit<NonNullable<MessageView['change']>, 'by'>;

const FIELD_NAMES: Record<Change['field'], string> = {
  status: 'status',
  priority: 'priority',
  assignedTo: 'assignee',
  tags: 'tags',
  subject: 'subject',
  mergedInto: 'merged into',
  mergedFrom: 'merged from',
};

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (Array.isArray(value)) return value.length ? value.join(', ') : 'none';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A system message on the ticket's thread: the audit trail of who changed what, from → to. */
export async function recordChange(
  db: Kysely<Database>,
  caller: Caller,
  ticketId: string,
  change: Change,
  at: number,
): Promise<void> {
  const text =
    change.field === 'mergedInto' || change.field === 'mergedFrom'
      ? `${caller.name}: ${FIELD_NAMES[change.field]} ${describe(change.to)}`
      : `${caller.name} changed ${FIELD_NAMES[change.field]} from ${describe(change.from)} to ${describe(change.to)}`;
  await recordMessage(db, {
    orgId: caller.orgId,
    ticketId,
    role: 'system',
    text,
    authorName: caller.name,
    agentId: agentIdOf(caller),
    apiKeyId: caller.actorType === 'api_key' ? caller.actorId : null,
    change: { ...change, by: { type: caller.actorType, id: caller.actorId, name: caller.name } },
    at,
  });
}
