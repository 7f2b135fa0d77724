import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database, TimeEntriesTable } from '../../db/schema.js';

export type TimeEntryRow = Selectable<TimeEntriesTable>;

function ofTicket(db: Kysely<Database>, orgId: string, ticketId: string) {
  return db.selectFrom('time_entries').where('org_id', '=', orgId).where('ticket_id', '=', ticketId);
}

/** Newest first; `startingAfter` continues below that id (keyset), `offset` pages by number. */
export function listEntries(
  db: Kysely<Database>,
  orgId: string,
  ticketId: string,
  options: { limit: number; offset?: number; startingAfter?: string | undefined },
): Promise<TimeEntryRow[]> {
  let query = ofTicket(db, orgId, ticketId).selectAll();
  if (options.startingAfter !== undefined) query = query.where('id', '<', options.startingAfter);
  query = query.orderBy('id', 'desc').limit(options.limit);
  if (options.offset) query = query.offset(options.offset);
  return query.execute();
}

export async function countEntries(db: Kysely<Database>, orgId: string, ticketId: string): Promise<number> {
  const row = await ofTicket(db, orgId, ticketId)
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

export function findEntry(
  db: Kysely<Database>,
  orgId: string,
  ticketId: string,
  id: string,
): Promise<TimeEntryRow | undefined> {
  return ofTicket(db, orgId, ticketId).selectAll().where('id', '=', id).executeTakeFirst();
}

export function insertEntry(db: Kysely<Database>, row: Insertable<TimeEntriesTable>) {
  return db.insertInto('time_entries').values(row).execute();
}

export function updateEntry(
  db: Kysely<Database>,
  orgId: string,
  id: string,
  changes: Updateable<TimeEntriesTable>,
) {
  return db
    .updateTable('time_entries')
    .set(changes)
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

export function deleteEntry(db: Kysely<Database>, orgId: string, id: string) {
  return db.deleteFrom('time_entries').where('org_id', '=', orgId).where('id', '=', id).execute();
}

/** The org's IANA time zone, which decides what "today" is for a new entry. */
export async function orgTimeZone(db: Kysely<Database>, orgId: string): Promise<string | undefined> {
  const row = await db.selectFrom('orgs').select('time_zone').where('id', '=', orgId).executeTakeFirst();
  return row?.time_zone;
}

export function moveEntries(db: Kysely<Database>, orgId: string, fromTicketId: string, toTicketId: string) {
  return db
    .updateTable('time_entries')
    .set({ ticket_id: toTicketId })
    .where('org_id', '=', orgId)
    .where('ticket_id', '=', fromTicketId)
    .execute();
}
