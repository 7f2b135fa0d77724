import type { Kysely } from 'kysely';
import type { Database, TicketStatus } from '../../db/schema.js';
import { reserveTicketNumber } from '../../db/sequences.js';
import { agentIdOf, type Caller } from '../../http/caller.js';
import { invalidField, notFound } from '../../http/errors.js';
import { cursorPage, pagingOf } from '../../http/pagination.js';
import { newId } from '../../lib/ids.js';
import { findOrgAgent } from '../agents/agents.service.js';
import { customerForTicket } from '../customers/customers.service.js';
import { recordEvent } from '../events/events.service.js';
import { listConversation, recordMessage } from '../messages/messages.service.js';
import { ticketCodePrefix } from '../orgs/orgs.service.js';
import { ensureTags } from '../tags/tags.service.js';
import { searchWords } from '../../db/search.js';
import { recordChange, type Change } from './tickets.audit.js';
import { indexTicket, reindexTicket, unindexTicket } from './tickets.search.js';
import * as q from './tickets.queries.js';
import type {
  CreateTicketBody,
  ListTicketsQuery,
  TicketCountsQuery,
  TicketView,
  TicketWithMessagesView,
  UpdateTicketBody,
} from './tickets.schemas.js';
import { mergeCustomFields, normaliseTags, tagsByTicket, ticketView } from './tickets.views.js';

const MAX_CUSTOM_FIELDS = 50;

export interface TicketPage {
  data: TicketView[];
  meta: { total?: number; page?: number; perPage?: number; limit?: number; nextCursor?: string | null };
}

/** An agent who can take tickets: a member of the org and not deactivated. */
async function requireAssignableAgent(db: Kysely<Database>, orgId: string, agentId: string): Promise<void> {
  const agent = await findOrgAgent(db, orgId, agentId);
  if (!agent) throw invalidField('assignedTo', `no agent "${agentId}" in this organization`);
  if (!agent.active) throw invalidField('assignedTo', `agent "${agentId}" is deactivated`);
}

/**
 * The key of the ticket `ref` names — an id, or a code such as ACME-42 whose prefix must be
 * the org's — or undefined when it can name no ticket of this org.
 */
async function keyOf(db: Kysely<Database>, orgId: string, ref: string): Promise<q.TicketKey | undefined> {
  const parsed = q.parseTicketRef(ref);
  if (!parsed || 'id' in parsed) return parsed;
  return parsed.prefix === (await ticketCodePrefix(db, orgId)) ? { number: parsed.number } : undefined;
}

/** The ticket `ref` (an id or a code such as ACME-42) names, as the API shows it, or a 404. */
export async function readTicket(db: Kysely<Database>, orgId: string, ref: string): Promise<TicketView> {
  const key = await keyOf(db, orgId, ref);
  const row = key ? await q.findTicket(db, orgId, key) : undefined;
  if (!row) throw notFound(`Ticket ${ref} not found`);
  const [tags, prefix] = await Promise.all([tagsByTicket(db, orgId, [row.id]), ticketCodePrefix(db, orgId)]);
  return ticketView(row, tags.get(row.id) ?? [], prefix);
}

/** The ticket's row, locked for the caller's transaction, or a 404. */
export async function lockTicket(db: Kysely<Database>, orgId: string, ref: string) {
  const key = await keyOf(db, orgId, ref);
  const row = key ? await q.lockTicket(db, orgId, key) : undefined;
  if (!row) throw notFound(`Ticket ${ref} not found`);
  return row;
}

function instant(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Date.parse(value);
}

/**
 * The list's filters from its query (the inbox's counts use the same, without status).
 * `assignedTo`: an agent id, "unassigned", or "me" for the calling agent.
 */
export async function filtersOf(
  db: Kysely<Database>,
  caller: Caller,
  query: TicketCountsQuery & { status?: TicketStatus | undefined },
): Promise<q.TicketFilters> {
  let assignedTo: string | null | undefined;
  if (query.assignedTo === 'unassigned') assignedTo = null;
  else if (query.assignedTo === 'me') {
    const me = agentIdOf(caller);
    if (me === null) throw invalidField('assignedTo', '"me" needs an agent\'s access token, not an API key');
    assignedTo = me;
  } else if (query.assignedTo !== undefined) {
    if (!(await findOrgAgent(db, caller.orgId, query.assignedTo))) {
      throw invalidField('assignedTo', `no agent "${query.assignedTo}" in this organization`);
    }
    assignedTo = query.assignedTo;
  }
  return {
    status: query.status,
    channel: query.channel,
    assignedTo,
    tag: query.tag,
    priority: query.priority,
    customerId: query.customerId,
    createdAfter: instant(query.createdAfter),
    createdBefore: instant(query.createdBefore),
    updatedAfter: instant(query.updatedAfter),
    search: searchTextOf(query),
  };
}

/** `search` or its alias `q` (not both, unless equal); text without any word is a 400. */
function searchTextOf(query: { search?: string | undefined; q?: string | undefined }): string | undefined {
  if (query.search !== undefined && query.q !== undefined && query.search !== query.q) {
    throw invalidField('q', 'is an alias of search: send one of them');
  }
  const text = query.search ?? query.q;
  if (text === undefined) return undefined;
  if (searchWords(text).length === 0)
    throw invalidField(query.search !== undefined ? 'search' : 'q', 'must contain a word');
  return text;
}

export async function listTickets(
  db: Kysely<Database>,
  caller: Caller,
  query: ListTicketsQuery,
): Promise<TicketPage> {
  const filters = await filtersOf(db, caller, query);
  const sort = query.sort ?? (filters.search !== undefined ? 'relevance' : 'created_desc');
  if (sort === 'relevance' && filters.search === undefined)
    throw invalidField('sort', 'relevance needs a search');
  const paging = pagingOf(query);
  if (paging.mode === 'cursor') {
    if (sort === 'relevance') {
      throw invalidField(
        'limit',
        'search results ranked by relevance page with page/per_page; or pass another sort',
      );
    }
    let after: q.TicketCursor | undefined;
    if (paging.startingAfter !== undefined) {
      const key = await keyOf(db, caller.orgId, paging.startingAfter);
      const start = key ? await q.cursorOf(db, caller.orgId, key) : undefined;
      if (!start) throw invalidField('startingAfter', 'names no ticket of this organization');
      after = { id: start.id, updatedAt: start.updated_at, priorityRank: start.priority_rank };
    }
    const rows = await q.listTickets(db, caller.orgId, filters, sort, paging.limit + 1, 0, after);
    const { items, nextCursor } = cursorPage(rows, paging.limit);
    return { data: await views(db, caller.orgId, items), meta: { limit: paging.limit, nextCursor } };
  }
  const offset = (paging.page - 1) * paging.perPage;
  const [rows, total] = await Promise.all([
    q.listTickets(db, caller.orgId, filters, sort, paging.perPage, offset),
    q.countTickets(db, caller.orgId, filters),
  ]);
  return {
    data: await views(db, caller.orgId, rows),
    meta: { total, page: paging.page, perPage: paging.perPage },
  };
}

async function views(db: Kysely<Database>, orgId: string, rows: q.TicketRow[]): Promise<TicketView[]> {
  if (rows.length === 0) return [];
  const [tags, prefix] = await Promise.all([
    tagsByTicket(
      db,
      orgId,
      rows.map((r) => r.id),
    ),
    ticketCodePrefix(db, orgId),
  ]);
  return rows.map((row) => ticketView(row, tags.get(row.id) ?? [], prefix));
}

export async function getTicket(
  db: Kysely<Database>,
  caller: Caller,
  ref: string,
): Promise<TicketWithMessagesView> {
  const ticket = await readTicket(db, caller.orgId, ref);
  return { ...ticket, messages: await listConversation(db, caller.orgId, ticket.id) };
}

/** A ticket on the API channel: its customer (found by email or created), tags and first message. */
export async function createTicket(
  db: Kysely<Database>,
  caller: Caller,
  input: CreateTicketBody,
): Promise<TicketView> {
  const tags = normaliseTags(input.tags ?? []);
  const ticketNumber = await reserveTicketNumber(db, caller.orgId);
  return db.transaction().execute(async (trx) => {
    if (input.assignedTo) await requireAssignableAgent(trx, caller.orgId, input.assignedTo);
    const customer = await customerForTicket(trx, caller, input.customer);
    const number = await ticketNumber(trx);
    const now = Date.now();
    const priority = input.priority ?? 'normal';
    const row = {
      id: newId('tkt', now),
      org_id: caller.orgId,
      number,
      status: input.status ?? 'open',
      priority,
      priority_rank: q.PRIORITY_RANK[priority],
      channel: 'api' as const,
      subject: input.subject.trim(),
      customer_id: customer.id,
      assigned_to: input.assignedTo ?? null,
      custom_fields: JSON.stringify(mergeCustomFields({}, input.customFields ?? {})),
      created_at: now,
      updated_at: now,
    };
    await q.insertTicket(trx, row);
    await q.replaceTags(trx, caller.orgId, row.id, tags, now);
    await ensureTags(trx, caller, tags);
    const message = await recordMessage(trx, {
      orgId: caller.orgId,
      ticketId: row.id,
      role: 'customer',
      text: input.message,
      authorName: customer.name,
      at: now,
    });
    await indexTicket(trx, caller.orgId, row.id, {
      subject: row.subject,
      customerName: customer.name,
      customerEmail: customer.email,
      conversation: input.message,
    });
    // Built from what was just written, not read back: creation is the hot write path.
    const ticket = ticketView(
      {
        ...row,
        customer_name: customer.name,
        customer_email: customer.email,
        customer_user_id: customer.user_id,
        customer_claimed_user_id: customer.claimed_user_id,
        merged_into: null,
        time_spent_minutes: 0,
      },
      tags,
      await ticketCodePrefix(trx, caller.orgId),
    );
    await recordEvent(trx, caller, caller.orgId, 'ticket.created', ticket.id, { ticket });
    await recordEvent(trx, caller, caller.orgId, 'message.created', message.id, { ticket, message });
    return ticket;
  });
}

/** Partial update; each change leaves a system message, and updatedAt moves only when something changed. */
export async function updateTicket(
  db: Kysely<Database>,
  caller: Caller,
  ref: string,
  input: UpdateTicketBody,
): Promise<TicketView> {
  return db.transaction().execute(async (trx) => {
    const current = await lockTicket(trx, caller.orgId, ref);
    const id = current.id;
    const changes: Parameters<typeof q.updateTicket>[3] = {};
    const recorded: Change[] = [];
    if (input.status !== undefined && input.status !== current.status) {
      changes.status = input.status;
      recorded.push({ field: 'status', from: current.status, to: input.status });
    }
    if (input.priority !== undefined && input.priority !== current.priority) {
      changes.priority = input.priority;
      changes.priority_rank = q.PRIORITY_RANK[input.priority];
      recorded.push({ field: 'priority', from: current.priority, to: input.priority });
    }
    if (input.assignedTo !== undefined && input.assignedTo !== current.assigned_to) {
      if (input.assignedTo !== null) await requireAssignableAgent(trx, caller.orgId, input.assignedTo);
      changes.assigned_to = input.assignedTo;
      recorded.push({ field: 'assignedTo', from: current.assigned_to, to: input.assignedTo });
    }
    if (input.subject !== undefined && input.subject.trim() !== current.subject) {
      changes.subject = input.subject.trim();
      recorded.push({ field: 'subject', from: current.subject, to: changes.subject });
    }
    if (input.customFields !== undefined) {
      const before = current.custom_fields;
      const merged = mergeCustomFields(JSON.parse(before) as Record<string, unknown>, input.customFields);
      if (Object.keys(merged).length > MAX_CUSTOM_FIELDS) {
        throw invalidField('customFields', `a ticket holds at most ${MAX_CUSTOM_FIELDS} fields`);
      }
      const after = JSON.stringify(merged);
      if (after !== before) changes.custom_fields = after;
    }
    let tags: string[] | undefined;
    if (input.tags !== undefined) {
      const wanted = normaliseTags(input.tags);
      const existing = (await tagsByTicket(trx, caller.orgId, [id])).get(id) ?? [];
      if (wanted.join('\n') !== existing.join('\n')) {
        tags = wanted;
        recorded.push({ field: 'tags', from: existing, to: wanted });
      }
    }
    if (Object.keys(changes).length === 0 && tags === undefined) return readTicket(trx, caller.orgId, id);

    const now = Math.max(Date.now(), current.updated_at + 1);
    await q.updateTicket(trx, caller.orgId, id, { ...changes, updated_at: now });
    if (tags !== undefined) {
      await q.replaceTags(trx, caller.orgId, id, tags, now);
      await ensureTags(trx, caller, tags);
    } else {
      await q.setTagsUpdatedAt(trx, caller.orgId, id, now);
    }
    for (const change of recorded) await recordChange(trx, caller, id, change, now);
    if (changes.subject !== undefined) await reindexTicket(trx, caller.orgId, id);

    const ticket = await readTicket(trx, caller.orgId, id);
    const changed = Object.fromEntries(recorded.map((c) => [c.field, { from: c.from, to: c.to }]));
    if (changes.custom_fields !== undefined) {
      changed.customFields = { from: JSON.parse(current.custom_fields) as unknown, to: ticket.customFields };
    }
    await recordEvent(trx, caller, caller.orgId, 'ticket.updated', id, { ticket, changes: changed });
    return ticket;
  });
}

/** Deletes a ticket with its messages, tags and time entries. */
export async function deleteTicket(db: Kysely<Database>, caller: Caller, ref: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const ticket = await readTicket(trx, caller.orgId, ref);
    await q.deleteTicket(trx, caller.orgId, ticket.id);
    await unindexTicket(trx, caller.orgId, ticket.id);
    await recordEvent(trx, caller, caller.orgId, 'ticket.deleted', ticket.id, { ticket });
  });
}

/** The id of the org's ticket that `ref` names (an id or a code such as ACME-42), or a 404. */
export async function resolveTicketId(db: Kysely<Database>, caller: Caller, ref: string): Promise<string> {
  return (await lockTicket(db, caller.orgId, ref)).id;
}

/** How many tickets each customer has (customers with none are absent from the map). */
export async function ticketCounts(
  db: Kysely<Database>,
  orgId: string,
  customerIds: string[],
): Promise<Map<string, number>> {
  if (customerIds.length === 0) return new Map();
  const rows = await q.countByCustomer(db, orgId, customerIds);
  return new Map(rows.map((r) => [r.customer_id, Number(r.count)]));
}

/** Hands every ticket of one customer to another (customer merge); call inside the merge's transaction. */
export async function moveTicketsToCustomer(
  db: Kysely<Database>,
  orgId: string,
  fromId: string,
  toId: string,
): Promise<void> {
  await q.moveCustomerTickets(db, orgId, fromId, toId);
}

/** Keeps a ticket's timeSpentMinutes equal to the sum of its time entries; call in the entry's transaction. */
export async function adjustTimeSpent(
  db: Kysely<Database>,
  orgId: string,
  ticketId: string,
  deltaMinutes: number,
): Promise<void> {
  if (deltaMinutes !== 0) await q.addTimeSpent(db, orgId, ticketId, deltaMinutes);
}

/** Where replies on a ticket go: its channel, customer and the code mail subjects carry. */
export async function deliveryTargetOf(db: Kysely<Database>, orgId: string, ticketId: string) {
  const row = await q.deliveryTargetOf(db, orgId, ticketId);
  if (!row) return undefined;
  return {
    id: row.id,
    code: `${await ticketCodePrefix(db, orgId)}-${row.number}`,
    subject: row.subject,
    channel: row.channel,
    channelId: row.channel_id,
    customerId: row.customer_id,
  };
}
