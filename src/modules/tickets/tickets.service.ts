import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { agentIdOf, type Caller } from '../../http/caller.js';
import { invalidField, notFound } from '../../http/errors.js';
import { isoTime, newId } from '../../lib/ids.js';
import { findOrgAgent } from '../agents/agents.service.js';
import { findOrCreateByEmail } from '../customers/customers.service.js';
import type { MessageView } from '../messages/messages.schemas.js';
import { recordEvent } from '../events/events.service.js';
import { listConversation, recordMessage } from '../messages/messages.service.js';
import * as q from './tickets.queries.js';
import type {
  CreateTicketBody,
  ListTicketsQuery,
  TicketView,
  TicketWithMessagesView,
  UpdateTicketBody,
} from './tickets.schemas.js';

export interface TicketPage {
  data: TicketView[];
  meta: { total: number; page: number; perPage: number };
}

/** Whether a value could be a ticket reference at all; anything else names no ticket (404) without a lookup. */
const PLAUSIBLE_ID = /^[A-Za-z0-9_-]{1,100}$/;

function view(row: q.TicketRow, tags: string[]): TicketView {
  const customer: TicketView['customer'] = {
    id: row.customer_id,
    name: row.customer_name,
    email: row.customer_email,
  };
  if (row.customer_user_id !== null) customer.userId = row.customer_user_id;
  return {
    id: row.id,
    orgId: row.org_id,
    status: row.status,
    channel: row.channel,
    subject: row.subject,
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
    customer,
    assignedTo: row.assigned_to,
    tags,
  };
}

/** Trimmed, first occurrence kept: a tag set, in the order the caller gave it. */
function normaliseTags(tags: string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()))];
}

async function tagsByTicket(
  db: Kysely<Database>,
  orgId: string,
  ids: string[],
): Promise<Map<string, string[]>> {
  const byTicket = new Map<string, string[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byTicket;
  for (const row of await q.tagsOf(db, orgId, ids)) byTicket.get(row.ticket_id)?.push(row.tag);
  return byTicket;
}

/** An agent who can take tickets: a member of the org and not deactivated. */
async function requireAssignableAgent(db: Kysely<Database>, orgId: string, agentId: string): Promise<void> {
  const agent = await findOrgAgent(db, orgId, agentId);
  if (!agent) throw invalidField('assignedTo', `no agent "${agentId}" in this organization`);
  if (!agent.active) throw invalidField('assignedTo', `agent "${agentId}" is deactivated`);
}

async function readTicket(db: Kysely<Database>, orgId: string, id: string): Promise<TicketView> {
  const row = PLAUSIBLE_ID.test(id) ? await q.findTicket(db, orgId, id) : undefined;
  if (!row) throw notFound(`Ticket ${id} not found`);
  return view(row, (await tagsByTicket(db, orgId, [id])).get(id) ?? []);
}

async function lockTicket(db: Kysely<Database>, orgId: string, id: string) {
  const row = PLAUSIBLE_ID.test(id) ? await q.lockTicket(db, orgId, id) : undefined;
  if (!row) throw notFound(`Ticket ${id} not found`);
  return row;
}

export async function listTickets(
  db: Kysely<Database>,
  caller: Caller,
  query: ListTicketsQuery,
): Promise<TicketPage> {
  let assignedTo: string | null | undefined;
  if (query.assignedTo === 'unassigned') assignedTo = null;
  else if (query.assignedTo !== undefined) {
    if (!(await findOrgAgent(db, caller.orgId, query.assignedTo))) {
      throw invalidField('assignedTo', `no agent "${query.assignedTo}" in this organization`);
    }
    assignedTo = query.assignedTo;
  }
  const filters = { status: query.status, channel: query.channel, assignedTo, tag: query.tag };
  const offset = (query.page - 1) * query.per_page;
  const [rows, total] = await Promise.all([
    q.listTickets(db, caller.orgId, filters, query.sort, query.per_page, offset),
    q.countTickets(db, caller.orgId, filters),
  ]);
  const tags = await tagsByTicket(
    db,
    caller.orgId,
    rows.map((r) => r.id),
  );
  return {
    data: rows.map((row) => view(row, tags.get(row.id) ?? [])),
    meta: { total, page: query.page, perPage: query.per_page },
  };
}

export async function getTicket(
  db: Kysely<Database>,
  caller: Caller,
  id: string,
): Promise<TicketWithMessagesView> {
  const ticket = await readTicket(db, caller.orgId, id);
  return { ...ticket, messages: await listConversation(db, caller.orgId, id) };
}

/** A ticket on the API channel: its customer (found by email or created), tags and first message. */
export async function createTicket(
  db: Kysely<Database>,
  caller: Caller,
  input: CreateTicketBody,
): Promise<TicketView> {
  const tags = normaliseTags(input.tags ?? []);
  return db.transaction().execute(async (trx) => {
    if (input.assignedTo) await requireAssignableAgent(trx, caller.orgId, input.assignedTo);
    const customer = await findOrCreateByEmail(trx, caller.orgId, input.customer);
    const now = Date.now();
    const row = {
      id: newId('tkt', now),
      org_id: caller.orgId,
      status: input.status ?? 'open',
      channel: 'api' as const,
      subject: input.subject.trim(),
      customer_id: customer.id,
      assigned_to: input.assignedTo ?? null,
      created_at: now,
      updated_at: now,
    };
    await q.insertTicket(trx, row);
    await q.replaceTags(trx, caller.orgId, row.id, tags, now);
    const message = await recordMessage(trx, {
      orgId: caller.orgId,
      ticketId: row.id,
      role: 'customer',
      text: input.message,
      authorName: customer.name,
      at: now,
    });
    const ticket = view(
      {
        ...row,
        customer_id: customer.id,
        customer_name: customer.name,
        customer_email: customer.email,
        customer_user_id: customer.user_id,
      },
      tags,
    );
    await recordEvent(trx, caller, caller.orgId, 'ticket.created', ticket.id, { ticket });
    await recordEvent(trx, caller, caller.orgId, 'message.created', message.id, { ticket, message });
    return ticket;
  });
}

type Change = NonNullable<MessageView['change']>;

const CHANGE_TEXT: Record<Change['field'], string> = {
  status: 'status',
  assignedTo: 'assignee',
  tags: 'tags',
  priority: 'priority',
};

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (Array.isArray(value)) return value.length ? value.join(', ') : 'none';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A system message on the ticket's thread: the audit trail of who changed what, from → to. */
async function recordChange(
  db: Kysely<Database>,
  caller: Caller,
  ticketId: string,
  change: Omit<Change, 'by'>,
  at: number,
): Promise<void> {
  await recordMessage(db, {
    orgId: caller.orgId,
    ticketId,
    role: 'system',
    text: `${caller.name} changed ${CHANGE_TEXT[change.field]} from ${describeValue(change.from)} to ${describeValue(change.to)}`,
    authorName: caller.name,
    agentId: agentIdOf(caller),
    apiKeyId: caller.actorType === 'api_key' ? caller.actorId : null,
    change: { ...change, by: { type: caller.actorType, id: caller.actorId, name: caller.name } },
    at,
  });
}

/** Changes status, assignee and/or the tag set; updatedAt moves only when something changed. */
export async function updateTicket(
  db: Kysely<Database>,
  caller: Caller,
  id: string,
  input: UpdateTicketBody,
): Promise<TicketView> {
  return db.transaction().execute(async (trx) => {
    const current = await lockTicket(trx, caller.orgId, id);
    const changes: { status?: typeof current.status; assigned_to?: string | null } = {};
    const recorded: Array<Omit<Change, 'by'>> = [];
    if (input.status !== undefined && input.status !== current.status) {
      changes.status = input.status;
      recorded.push({ field: 'status', from: current.status, to: input.status });
    }
    if (input.assignedTo !== undefined && input.assignedTo !== current.assigned_to) {
      if (input.assignedTo !== null) await requireAssignableAgent(trx, caller.orgId, input.assignedTo);
      changes.assigned_to = input.assignedTo;
      recorded.push({ field: 'assignedTo', from: current.assigned_to, to: input.assignedTo });
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
    if (recorded.length === 0) return readTicket(trx, caller.orgId, id);

    const now = Math.max(Date.now(), current.updated_at + 1);
    await q.updateTicket(trx, caller.orgId, id, { ...changes, updated_at: now });
    if (tags !== undefined) await q.replaceTags(trx, caller.orgId, id, tags, now);
    else await q.setTagsUpdatedAt(trx, caller.orgId, id, now);
    for (const change of recorded) await recordChange(trx, caller, id, change, now);

    const ticket = await readTicket(trx, caller.orgId, id);
    await recordEvent(trx, caller, caller.orgId, 'ticket.updated', id, {
      ticket,
      changes: Object.fromEntries(recorded.map((c) => [c.field, { from: c.from, to: c.to }])),
    });
    return ticket;
  });
}

/** An agent reply from an API caller; the ticket's updatedAt moves with it. */
export async function addAgentMessage(
  db: Kysely<Database>,
  caller: Caller,
  ticketId: string,
  text: string,
): Promise<MessageView> {
  return db.transaction().execute(async (trx) => {
    const ticket = await lockTicket(trx, caller.orgId, ticketId);
    const now = Math.max(Date.now(), ticket.updated_at + 1);
    const message = await recordMessage(trx, {
      orgId: caller.orgId,
      ticketId,
      role: 'agent',
      text,
      authorName: caller.name,
      agentId: agentIdOf(caller),
      apiKeyId: caller.actorType === 'api_key' ? caller.actorId : null,
      at: now,
    });
    await q.updateTicket(trx, caller.orgId, ticketId, { updated_at: now });
    await q.setTagsUpdatedAt(trx, caller.orgId, ticketId, now);
    await recordEvent(trx, caller, caller.orgId, 'message.created', message.id, {
      ticket: { id: ticket.id, status: ticket.status, channel: ticket.channel, subject: ticket.subject },
      message,
    });
    return message;
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
  await q.moveCustomerTickets(db, orgId, fromId, toId, Date.now());
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
