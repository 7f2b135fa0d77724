import type { Kysely, Selectable } from 'kysely';
import type { Database, EventsTable } from '../../db/schema.js';
import type { Caller } from '../../http/caller.js';
import { invalidField } from '../../http/errors.js';
import { cursorPage } from '../../http/pagination.js';
import { isoTime, newId } from '../../lib/ids.js';
import * as q from './events.queries.js';

/** Every kind of change the log records. Consumers filter on these names: never rename one. */
export const EVENT_TYPES = [
  'ticket.created',
  'ticket.updated',
  'ticket.deleted',
  'ticket.merged',
  'message.created',
  'message.delivery_failed',
  'customer.created',
  'customer.updated',
  'customer.deleted',
  'customer.merged',
  'tag.created',
  'tag.updated',
  'tag.deleted',
  'canned_reply.created',
  'canned_reply.updated',
  'canned_reply.deleted',
  'agent.created',
  'agent.updated',
  'agent.deactivated',
  'agent.reactivated',
  'agent.joined',
  'agent.removed',
  'api_key.created',
  'api_key.revoked',
  'collection.created',
  'collection.updated',
  'collection.deleted',
  'article.created',
  'article.updated',
  'article.deleted',
  'time_entry.created',
  'time_entry.updated',
  'time_entry.deleted',
  'upload.created',
  'org.updated',
  'channel.created',
  'channel.updated',
  'channel.deleted',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface EventView {
  id: string;
  type: EventType;
  orgId: string;
  createdAt: string;
  actor: { type: string; id: string } | null;
  data: Record<string, unknown>;
}

/**
 * Appends to the event log. Call it with the transaction that makes the change, so the event
 * exists exactly when the change does (the outbox webhooks and realtime read from).
 */
export async function recordEvent(
  db: Kysely<Database>,
  caller: Caller | null,
  orgId: string,
  type: EventType,
  subjectId: string | null,
  data: Record<string, unknown>,
): Promise<void> {
  const now = Date.now();
  await q.insertEvent(db, {
    id: newId('evt', now),
    org_id: orgId,
    type,
    subject_id: subjectId,
    actor_type: caller?.actorType ?? null,
    actor_id: caller?.actorId ?? null,
    data: JSON.stringify(data),
    created_at: now,
  });
}

/** Refuses a type the log does not record (a typo would otherwise silently match nothing). */
export function checkEventTypes(types: string[] | undefined): void {
  const unknown = types?.find((type) => !(EVENT_TYPES as readonly string[]).includes(type));
  if (unknown !== undefined)
    throw invalidField('types', `"${unknown}" is not an event type; known: ${EVENT_TYPES.join(', ')}`);
}

/** A log row as the API shows it (GET /v1/events and the stream alike). */
export function toEventView(row: Selectable<EventsTable>): EventView {
  return {
    id: row.id,
    type: row.type as EventType,
    orgId: row.org_id,
    createdAt: isoTime(row.created_at),
    actor: row.actor_type && row.actor_id ? { type: row.actor_type, id: row.actor_id } : null,
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}

export async function listEvents(
  db: Kysely<Database>,
  caller: Caller,
  options: { startingAfter?: string | undefined; types?: string[] | undefined; limit: number },
): Promise<{ data: EventView[]; meta: { limit: number; nextCursor: string | null } }> {
  checkEventTypes(options.types);
  const rows = await q.listEvents(db, caller.orgId, {
    after: options.startingAfter,
    types: options.types,
    limit: options.limit + 1,
  });
  const { items, nextCursor } = cursorPage(rows, options.limit);
  return { data: items.map(toEventView), meta: { limit: options.limit, nextCursor } };
}
