import { PostgresAdapter, sql, type Kysely, type Selectable } from 'kysely';
import type { Database, EventsTable } from '../../db/schema.js';

/** A place in the log's commit order: after the event at (pos, id). */
export interface StreamPosition {
  pos: string;
  id: string;
}

const isPostgres = (db: Kysely<Database>) => db.getExecutor().adapter instanceof PostgresAdapter;

/**
 * The one dialect difference of the stream. PostgreSQL commits out of id order, so only events
 * whose transaction is older than the oldest one still running are settled: any event not yet
 * visible will get a position at or above that horizon, hence after anything handed out. On
 * SQLite every visible event is settled (positions are assigned under the write lock).
 */
function settled(db: Kysely<Database>) {
  return isPostgres(db)
    ? sql<boolean>`stream_pos < pg_snapshot_xmin(pg_current_snapshot())`
    : sql<boolean>`1 = 1`;
}

function after(db: Kysely<Database>, position: StreamPosition) {
  const pos = isPostgres(db) ? sql`cast(${position.pos} as xid8)` : sql`cast(${position.pos} as integer)`;
  return sql<boolean>`(stream_pos, id) > (${pos}, ${position.id})`;
}

export type StreamRow = Selectable<EventsTable> & { pos: string };

/** The org's settled events after `position`, in commit order. */
export function eventsAfter(
  db: Kysely<Database>,
  orgId: string,
  position: StreamPosition,
  options: { types?: string[] | undefined; limit: number },
): Promise<StreamRow[]> {
  let query = db
    .selectFrom('events')
    .selectAll()
    .select(sql<string>`cast(stream_pos as text)`.as('pos'))
    .where('org_id', '=', orgId)
    .where(after(db, position))
    .where(settled(db));
  if (options.types?.length) query = query.where('type', 'in', options.types);
  return query.orderBy('stream_pos', 'asc').orderBy('id', 'asc').limit(options.limit).execute();
}

/** Where one of the org's events sits in commit order, or undefined if the org has no such event. */
export async function positionOf(
  db: Kysely<Database>,
  orgId: string,
  eventId: string,
): Promise<StreamPosition | undefined> {
  const row = await db
    .selectFrom('events')
    .select(sql<string>`cast(stream_pos as text)`.as('pos'))
    .where('org_id', '=', orgId)
    .where('id', '=', eventId)
    .executeTakeFirst();
  return row && { pos: row.pos, id: eventId };
}

/**
 * A position after everything settled now: live from here. On PostgreSQL that is the horizon
 * itself (events at or above it may still be committing); on SQLite the last event.
 */
export async function tail(db: Kysely<Database>): Promise<StreamPosition> {
  if (isPostgres(db)) {
    const { rows } = await sql<{ pos: string }>`
      select cast(pg_snapshot_xmin(pg_current_snapshot()) as text) as pos`.execute(db);
    return { pos: rows[0]!.pos, id: '' };
  }
  const row = await db
    .selectFrom('events')
    .select(['id', sql<string>`cast(stream_pos as text)`.as('pos')])
    .orderBy('stream_pos', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { pos: row.pos, id: row.id } : { pos: '0', id: '' };
}

/** Which orgs have settled events after `position` (every org's), and the position past them. */
export async function orgsWithEventsAfter(
  db: Kysely<Database>,
  position: StreamPosition,
  limit: number,
): Promise<{ orgIds: Set<string>; position: StreamPosition }> {
  const rows = await db
    .selectFrom('events')
    .select(['org_id', 'id', sql<string>`cast(stream_pos as text)`.as('pos')])
    .where(after(db, position))
    .where(settled(db))
    .orderBy('stream_pos', 'asc')
    .orderBy('id', 'asc')
    .limit(limit)
    .execute();
  const last = rows.at(-1);
  return {
    orgIds: new Set(rows.map((row) => row.org_id)),
    position: last ? { pos: last.pos, id: last.id } : position,
  };
}
