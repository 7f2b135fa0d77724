import type { Insertable, Kysely } from 'kysely';
import type { Database, EventsTable } from '../../db/schema.js';

export function insertEvent(db: Kysely<Database>, row: Insertable<EventsTable>) {
  return db.insertInto('events').values(row).execute();
}

export function listEvents(
  db: Kysely<Database>,
  orgId: string,
  options: { after?: string | undefined; types?: string[] | undefined; limit: number },
) {
  let query = db.selectFrom('events').selectAll().where('org_id', '=', orgId);
  if (options.after !== undefined) query = query.where('id', '>', options.after);
  if (options.types?.length) query = query.where('type', 'in', options.types);
  return query.orderBy('id', 'asc').limit(options.limit).execute();
}
