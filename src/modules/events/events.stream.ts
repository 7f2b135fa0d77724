import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Caller } from '../../http/caller.js';
import { invalidField } from '../../http/errors.js';
import { checkEventTypes, toEventView, type EventView } from './events.service.js';
import * as q from './events.stream.queries.js';
import type { StreamPosition } from './events.stream.queries.js';

export type { StreamPosition };

/** Events one read hands to a stream; a full batch is followed at once by the next. */
export const STREAM_BATCH = 200;

export interface StreamFilter {
  types?: string[] | undefined;
}

/**
 * Where a stream starts: right after the event the client last received (Last-Event-ID or
 * `after`), else live from now. An id that is not one of the org's events is refused rather
 * than guessed at, so a client never silently resumes from the wrong place.
 */
export async function startPosition(
  db: Kysely<Database>,
  caller: Caller,
  after: string | undefined,
  filter: StreamFilter,
  field = 'after',
): Promise<StreamPosition> {
  checkEventTypes(filter.types);
  if (after === undefined) return q.tail(db);
  const position = await q.positionOf(db, caller.orgId, after);
  if (!position) throw invalidField(field, `${after} is not an event of this organization`);
  return position;
}

/** The next settled events after `position`, in commit order, and where the stream is then. */
export async function readStream(
  db: Kysely<Database>,
  caller: Caller,
  position: StreamPosition,
  filter: StreamFilter,
): Promise<{ events: EventView[]; position: StreamPosition }> {
  const rows = await q.eventsAfter(db, caller.orgId, position, { types: filter.types, limit: STREAM_BATCH });
  const last = rows.at(-1);
  return {
    events: rows.map(toEventView),
    position: last ? { pos: last.pos, id: last.id } : position,
  };
}

/** "a,b, c" → ["a","b","c"], as GET /v1/events reads its `types`. */
export function parseTypes(types: string | undefined): string[] | undefined {
  return types
    ?.split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}
