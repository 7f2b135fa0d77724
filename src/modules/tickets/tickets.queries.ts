import { sql, type Insertable, type Kysely, type Updateable } from 'kysely';
import type { Database, TicketChannel, TicketStatus, TicketsTable } from '../../db/schema.js';
import { forUpdate } from '../../db/locking.js';
import type { TicketSort } from './tickets.schemas.js';

export interface TicketFilters {
  status?: TicketStatus | undefined;
  channel?: TicketChannel | undefined;
  /** An agent id, or null for unassigned tickets. */
  assignedTo?: string | null | undefined;
  tag?: string | undefined;
}

/** A ticket with its customer's fields, as the list and detail views need them. */
export interface TicketRow {
  id: string;
  org_id: string;
  status: TicketStatus;
  channel: TicketChannel;
  subject: string;
  assigned_to: string | null;
  created_at: number;
  updated_at: number;
  customer_id: string;
  customer_name: string | null;
  customer_email: string | null;
  customer_user_id: string | null;
}

const TICKET_COLUMNS = [
  't.id',
  't.org_id',
  't.status',
  't.channel',
  't.subject',
  't.assigned_to',
  't.created_at',
  't.updated_at',
  'c.id as customer_id',
  'c.name as customer_name',
  'c.email as customer_email',
  'c.user_id as customer_user_id',
] as const;

/**
 * Tickets matching `filters`. A tag filter starts from `ticket_tags`, whose index holds the
 * ticket's id and updated_at, so both sort orders walk an index instead of sorting.
 */
function matching(db: Kysely<Database>, orgId: string, filters: TicketFilters) {
  let query = db.selectFrom('tickets as t').where('t.org_id', '=', orgId);
  if (filters.tag !== undefined) {
    query = query
      .innerJoin('ticket_tags as tt', 'tt.ticket_id', 't.id')
      .where('tt.org_id', '=', orgId)
      .where('tt.tag', '=', filters.tag);
  }
  if (filters.status !== undefined) query = query.where('t.status', '=', filters.status);
  if (filters.channel !== undefined) query = query.where('t.channel', '=', filters.channel);
  if (filters.assignedTo === null) query = query.where('t.assigned_to', 'is', null);
  else if (filters.assignedTo !== undefined) query = query.where('t.assigned_to', '=', filters.assignedTo);
  return query;
}

/** Matching tickets with their customer's fields, as the API shows them. */
function withCustomers(db: Kysely<Database>, orgId: string, filters: TicketFilters) {
  return matching(db, orgId, filters)
    .innerJoin('customers as c', 'c.id', 't.customer_id')
    .select(TICKET_COLUMNS);
}

export function listTickets(
  db: Kysely<Database>,
  orgId: string,
  filters: TicketFilters,
  sort: TicketSort,
  limit: number,
  offset: number,
): Promise<TicketRow[]> {
  // With a tag filter, order by ticket_tags' copies so the (org, tag, …) index supplies the order.
  const source =
    filters.tag !== undefined
      ? { id: 'tt.ticket_id', updated: 'tt.ticket_updated_at' }
      : { id: 't.id', updated: 't.updated_at' };
  let query = withCustomers(db, orgId, filters);
  switch (sort) {
    case 'created_asc':
      query = query.orderBy(sql.ref(source.id), 'asc');
      break;
    case 'created_desc':
      query = query.orderBy(sql.ref(source.id), 'desc');
      break;
    case 'updated_desc':
      query = query.orderBy(sql.ref(source.updated), 'desc').orderBy(sql.ref(source.id), 'desc');
      break;
  }
  return query.limit(limit).offset(offset).execute();
}

export async function countTickets(
  db: Kysely<Database>,
  orgId: string,
  filters: TicketFilters,
): Promise<number> {
  // No customer join: every ticket has exactly one customer, so it can't change the count.
  const row = await matching(db, orgId, filters)
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

export function findTicket(db: Kysely<Database>, orgId: string, id: string): Promise<TicketRow | undefined> {
  return withCustomers(db, orgId, {}).where('t.id', '=', id).executeTakeFirst();
}

/** The ticket's bare row, locked for the rest of the transaction where the dialect needs it. */
export function lockTicket(db: Kysely<Database>, orgId: string, id: string) {
  return forUpdate(
    db as Kysely<unknown>,
    db.selectFrom('tickets').selectAll().where('org_id', '=', orgId).where('id', '=', id),
  ).executeTakeFirst();
}

export function insertTicket(db: Kysely<Database>, row: Insertable<TicketsTable>) {
  return db.insertInto('tickets').values(row).execute();
}

export function updateTicket(
  db: Kysely<Database>,
  orgId: string,
  id: string,
  changes: Updateable<TicketsTable>,
) {
  return db.updateTable('tickets').set(changes).where('org_id', '=', orgId).where('id', '=', id).execute();
}

export function tagsOf(db: Kysely<Database>, orgId: string, ticketIds: string[]) {
  return db
    .selectFrom('ticket_tags')
    .select(['ticket_id', 'tag'])
    .where('org_id', '=', orgId)
    .where('ticket_id', 'in', ticketIds)
    .orderBy('ticket_id')
    .orderBy('position')
    .execute();
}

export async function replaceTags(
  db: Kysely<Database>,
  orgId: string,
  ticketId: string,
  tags: string[],
  ticketUpdatedAt: number,
): Promise<void> {
  await db.deleteFrom('ticket_tags').where('org_id', '=', orgId).where('ticket_id', '=', ticketId).execute();
  if (tags.length === 0) return;
  await db
    .insertInto('ticket_tags')
    .values(
      tags.map((tag, position) => ({
        org_id: orgId,
        ticket_id: ticketId,
        tag,
        position,
        ticket_updated_at: ticketUpdatedAt,
      })),
    )
    .execute();
}

/** Keeps the tag index's copy of updated_at in step with the ticket's. */
export function setTagsUpdatedAt(db: Kysely<Database>, orgId: string, ticketId: string, at: number) {
  return db
    .updateTable('ticket_tags')
    .set({ ticket_updated_at: at })
    .where('org_id', '=', orgId)
    .where('ticket_id', '=', ticketId)
    .execute();
}

export function countByCustomer(db: Kysely<Database>, orgId: string, customerIds: string[]) {
  return db
    .selectFrom('tickets')
    .select((eb) => ['customer_id', eb.fn.countAll<number>().as('count')])
    .where('org_id', '=', orgId)
    .where('customer_id', 'in', customerIds)
    .groupBy('customer_id')
    .execute();
}

export function moveCustomerTickets(
  db: Kysely<Database>,
  orgId: string,
  fromId: string,
  toId: string,
  at: number,
) {
  return db
    .updateTable('tickets')
    .set({ customer_id: toId, updated_at: at })
    .where('org_id', '=', orgId)
    .where('customer_id', '=', fromId)
    .execute();
}

export function addTimeSpent(db: Kysely<Database>, orgId: string, ticketId: string, minutes: number) {
  return db
    .updateTable('tickets')
    .set((eb) => ({ time_spent_minutes: eb('time_spent_minutes', '+', minutes) }))
    .where('org_id', '=', orgId)
    .where('id', '=', ticketId)
    .execute();
}
