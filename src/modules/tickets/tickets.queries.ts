import { sql, type Insertable, type Kysely, type Updateable } from 'kysely';
import type { Database, TicketChannel, TicketPriority, TicketStatus, TicketsTable } from '../../db/schema.js';
import { forUpdate } from '../../db/locking.js';
import { matchingRefs } from '../../db/search.js';
import type { TicketSort } from './tickets.schemas.js';

export interface TicketFilters {
  status?: TicketStatus | undefined;
  channel?: TicketChannel | undefined;
  /** An agent id, or null for unassigned tickets. */
  assignedTo?: string | null | undefined;
  tag?: string | undefined;
  priority?: TicketPriority | undefined;
  customerId?: string | undefined;
  createdAfter?: number | undefined;
  createdBefore?: number | undefined;
  updatedAfter?: number | undefined;
  /** Full-text words over subject, messages and customer name/email. */
  search?: string | undefined;
}

/** How a request names a ticket: its id, or its human code (prefix + per-org number). */
export type TicketRef = { id: string } | { prefix: string; number: number };

const CODE = /^([A-Za-z0-9]{1,10})-(\d{1,15})$/;
const PLAUSIBLE_ID = /^[a-z]{2,6}_[0-9a-z]{1,40}$/;

/** Parses `tkt_…` or `ACME-42`; anything else names no ticket. */
export function parseTicketRef(ref: string): TicketRef | undefined {
  const code = CODE.exec(ref);
  if (code) return { prefix: code[1]!.toUpperCase(), number: Number(code[2]) };
  return PLAUSIBLE_ID.test(ref) ? { id: ref } : undefined;
}

/** A ticket with its customer's fields, as the API shows it. */
export interface TicketRow {
  id: string;
  org_id: string;
  number: number | null;
  status: TicketStatus;
  priority: TicketPriority;
  channel: TicketChannel;
  subject: string;
  assigned_to: string | null;
  custom_fields: string;
  merged_into: string | null;
  time_spent_minutes: number;
  created_at: number;
  updated_at: number;
  customer_id: string;
  customer_name: string | null;
  customer_email: string | null;
  customer_user_id: string | null;
  customer_claimed_user_id: string | null;
}

const TICKET_COLUMNS = [
  't.id',
  't.org_id',
  't.number',
  't.status',
  't.priority',
  't.channel',
  't.subject',
  't.assigned_to',
  't.custom_fields',
  't.merged_into',
  't.time_spent_minutes',
  't.created_at',
  't.updated_at',
  'c.id as customer_id',
  'c.name as customer_name',
  'c.email as customer_email',
  'c.user_id as customer_user_id',
  'c.claimed_user_id as customer_claimed_user_id',
] as const;

export const PRIORITY_RANK: Record<TicketPriority, number> = { low: 1, normal: 2, high: 3, urgent: 4 };

/**
 * Tickets matching `filters`. A tag filter starts from `ticket_tags`, whose index holds the
 * ticket's id and updated_at, so both sort orders walk an index instead of sorting.
 */
function matching(db: Kysely<Database>, orgId: string, filters: TicketFilters) {
  let query = db
    .selectFrom('tickets as t')
    .$if(filters.search !== undefined, (q) =>
      q.innerJoin(matchingRefs(db, orgId, 'ticket', filters.search ?? '').as('s'), 's.ref_id', 't.id'),
    )
    .where('t.org_id', '=', orgId);
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
  if (filters.priority !== undefined)
    query = query.where('t.priority_rank', '=', PRIORITY_RANK[filters.priority]);
  if (filters.customerId !== undefined) query = query.where('t.customer_id', '=', filters.customerId);
  if (filters.createdAfter !== undefined) query = query.where('t.created_at', '>', filters.createdAfter);
  if (filters.createdBefore !== undefined) query = query.where('t.created_at', '<', filters.createdBefore);
  if (filters.updatedAfter !== undefined) query = query.where('t.updated_at', '>', filters.updatedAfter);
  return query;
}

/** Matching tickets with their customer's fields. */
function withCustomers(db: Kysely<Database>, orgId: string, filters: TicketFilters) {
  return matching(db, orgId, filters)
    .innerJoin('customers as c', 'c.id', 't.customer_id')
    .select(TICKET_COLUMNS);
}

/** Where a keyset page starts: the sort key of the last ticket of the previous page. */
export interface TicketCursor {
  id: string;
  updatedAt: number;
  priorityRank: number;
}

export function listTickets(
  db: Kysely<Database>,
  orgId: string,
  filters: TicketFilters,
  sort: TicketSort,
  limit: number,
  offset: number,
  after?: TicketCursor,
): Promise<TicketRow[]> {
  // With a tag filter, order by ticket_tags' copies so the (org, tag, …) index supplies the order.
  const tagged = filters.tag !== undefined;
  const id = sql.ref<string>(tagged ? 'tt.ticket_id' : 't.id');
  const updated = sql.ref<number>(tagged ? 'tt.ticket_updated_at' : 't.updated_at');
  let query = withCustomers(db, orgId, filters);
  switch (sort) {
    case 'created_asc':
      if (after) query = query.where(id, '>', after.id);
      query = query.orderBy(id, 'asc');
      break;
    case 'created_desc':
      if (after) query = query.where(id, '<', after.id);
      query = query.orderBy(id, 'desc');
      break;
    case 'updated_desc':
      if (after) {
        query = query.where((eb) =>
          eb.or([
            eb(updated, '<', after.updatedAt),
            eb.and([eb(updated, '=', after.updatedAt), eb(id, '<', after.id)]),
          ]),
        );
      }
      query = query.orderBy(updated, 'desc').orderBy(id, 'desc');
      break;
    case 'relevance':
      // Best match first (rank ascending); ties newest first. Search results page by offset only.
      query = query.orderBy(sql.ref('s.rank'), 'asc').orderBy('t.id', 'desc');
      break;
    case 'priority_desc':
      if (after) {
        query = query.where((eb) =>
          eb.or([
            eb('t.priority_rank', '<', after.priorityRank),
            eb.and([eb('t.priority_rank', '=', after.priorityRank), eb('t.id', '<', after.id)]),
          ]),
        );
      }
      query = query.orderBy('t.priority_rank', 'desc').orderBy('t.id', 'desc');
      break;
  }
  return query.limit(limit).offset(offset).execute();
}

export async function countTickets(
  db: Kysely<Database>,
  orgId: string,
  filters: TicketFilters,
): Promise<number> {
  const onlyTag = Object.entries(filters).every(([key, value]) => key === 'tag' || value === undefined);
  if (filters.tag !== undefined && onlyTag) {
    // A tag alone is counted from ticket_tags' covering (org_id, tag, …) index, without visiting tickets.
    const row = await db
      .selectFrom('ticket_tags')
      .select((eb) => eb.fn.countAll<number>().as('total'))
      .where('org_id', '=', orgId)
      .where('tag', '=', filters.tag)
      .executeTakeFirstOrThrow();
    return Number(row.total);
  }
  // No customer join: every ticket has exactly one customer, so it can't change the count.
  const row = await matching(db, orgId, filters)
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

/** Matching tickets per status: one grouped query, read from an (org, …, status) index. */
export function countByStatus(db: Kysely<Database>, orgId: string, filters: TicketFilters) {
  return matching(db, orgId, filters)
    .select((eb) => ['t.status', eb.fn.countAll<number>().as('count')])
    .groupBy('t.status')
    .execute();
}

/** A ticket's key within its org: its id or its number (the prefix is checked by the service). */
export type TicketKey = { id: string } | { number: number };

export function findTicket(
  db: Kysely<Database>,
  orgId: string,
  key: TicketKey,
): Promise<TicketRow | undefined> {
  const query = withCustomers(db, orgId, {});
  return (
    'id' in key ? query.where('t.id', '=', key.id) : query.where('t.number', '=', key.number)
  ).executeTakeFirst();
}

/** The ticket's bare row, locked for the rest of the transaction where the dialect needs it. */
export function lockTicket(db: Kysely<Database>, orgId: string, key: TicketKey) {
  const query = db.selectFrom('tickets').selectAll().where('org_id', '=', orgId);
  return forUpdate(
    db as Kysely<unknown>,
    'id' in key ? query.where('id', '=', key.id) : query.where('number', '=', key.number),
  ).executeTakeFirst();
}

export function cursorOf(db: Kysely<Database>, orgId: string, key: TicketKey) {
  const query = db
    .selectFrom('tickets')
    .select(['id', 'updated_at', 'priority_rank'])
    .where('org_id', '=', orgId);
  return (
    'id' in key ? query.where('id', '=', key.id) : query.where('number', '=', key.number)
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

export function deleteTicket(db: Kysely<Database>, orgId: string, id: string) {
  return db.deleteFrom('tickets').where('org_id', '=', orgId).where('id', '=', id).execute();
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

/** Not ticket activity: the tickets' updatedAt stays as it was. */
export function moveCustomerTickets(db: Kysely<Database>, orgId: string, fromId: string, toId: string) {
  return db
    .updateTable('tickets')
    .set({ customer_id: toId })
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

/** Re-parents a merged ticket's messages onto the ticket it was merged into. */
export function moveMessages(db: Kysely<Database>, orgId: string, fromTicketId: string, toTicketId: string) {
  return db
    .updateTable('messages')
    .set({ ticket_id: toTicketId })
    .where('org_id', '=', orgId)
    .where('ticket_id', '=', fromTicketId)
    .execute();
}

/** The customer's most recent unresolved, unmerged ticket on a channel (a chat continues it). */
export function latestOpenOfCustomer(
  db: Kysely<Database>,
  orgId: string,
  customerId: string,
  channel: TicketChannel,
  channelId: string | null,
) {
  return db
    .selectFrom('tickets')
    .select(['id'])
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .where('channel', '=', channel)
    .$if(channelId !== null, (q) => q.where('channel_id', '=', channelId))
    .where('status', '!=', 'resolved')
    .where('merged_into', 'is', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Which channel a ticket answers on and whose it is: what a reply's delivery needs. */
export function deliveryTargetOf(db: Kysely<Database>, orgId: string, ticketId: string) {
  return db
    .selectFrom('tickets')
    .select(['id', 'number', 'subject', 'channel', 'channel_id', 'customer_id'])
    .where('org_id', '=', orgId)
    .where('id', '=', ticketId)
    .executeTakeFirst();
}
