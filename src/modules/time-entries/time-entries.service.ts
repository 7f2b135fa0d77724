import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Caller } from '../../http/caller.js';
import { forbidden, invalidField, notFound } from '../../http/errors.js';
import { listPage, pagingOf } from '../../http/pagination.js';
import { isoTime, newId, isPlausibleId } from '../../lib/ids.js';
import { findOrgAgent } from '../agents/agents.service.js';
import { recordEvent } from '../events/events.service.js';
import { adjustTimeSpent, resolveTicketId } from '../tickets/tickets.service.js';
import * as q from './time-entries.queries.js';
import type {
  CreateTimeEntryBody,
  ListTimeEntriesQuery,
  TimeEntryView,
  UpdateTimeEntryBody,
} from './time-entries.schemas.js';

export interface TimeEntryPage {
  data: TimeEntryView[];
  meta: { total?: number; page?: number; perPage?: number; limit?: number; nextCursor?: string | null };
}

function view(row: q.TimeEntryRow): TimeEntryView {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    agentId: row.agent_id,
    minutes: row.minutes,
    note: row.note,
    date: row.date,
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
}

/** Stored trimmed; a blank note is no note. */
function normaliseNote(note: string | null | undefined): string | null {
  const trimmed = note?.trim();
  return trimmed ? trimmed : null;
}

/** YYYY-MM-DD of `now` in `timeZone`; an unknown zone counts as UTC rather than failing the request. */
export function dayIn(timeZone: string, now: number): string {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).formatToParts(now);
  } catch {
    return new Date(now).toISOString().slice(0, 10);
  }
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** Agents (the role) log and edit their own time only; admins and write keys act for anyone. */
function requireMayActFor(caller: Caller, agentId: string | null): void {
  if (caller.role === 'admin') return;
  if (caller.actorType !== 'agent' || agentId !== caller.actorId) {
    throw forbidden("Only admins can log or change other agents' time");
  }
}

async function requireOrgAgent(db: Kysely<Database>, orgId: string, agentId: string): Promise<void> {
  if (!(await findOrgAgent(db, orgId, agentId))) {
    throw invalidField('agentId', `no agent "${agentId}" in this organization`);
  }
}

async function findEntryOr404(db: Kysely<Database>, orgId: string, ticketId: string, entryId: string) {
  const row = isPlausibleId(entryId) ? await q.findEntry(db, orgId, ticketId, entryId) : undefined;
  if (!row) throw notFound(`Time entry ${entryId} not found`);
  return row;
}

export async function listTimeEntries(
  db: Kysely<Database>,
  caller: Caller,
  ticketRef: string,
  query: ListTimeEntriesQuery,
): Promise<TimeEntryPage> {
  const paging = pagingOf(query);
  const ticketId = await resolveTicketId(db, caller, ticketRef);
  return listPage(
    paging,
    {
      rows: (window) => q.listEntries(db, caller.orgId, ticketId, window),
      count: () => q.countEntries(db, caller.orgId, ticketId),
    },
    (rows) => rows.map(view),
  );
}

/** Logs time on a ticket; the ticket's timeSpentMinutes grows in the same transaction. */
export async function createTimeEntry(
  db: Kysely<Database>,
  caller: Caller,
  ticketRef: string,
  input: CreateTimeEntryBody,
): Promise<TimeEntryView> {
  return db.transaction().execute(async (trx) => {
    const ticketId = await resolveTicketId(trx, caller, ticketRef);
    // An API key logging time for no particular agent leaves agentId null (created_by records the key).
    const agentId = input.agentId ?? (caller.actorType === 'agent' ? caller.actorId : null);
    if (agentId !== null) {
      requireMayActFor(caller, agentId);
      await requireOrgAgent(trx, caller.orgId, agentId);
    }
    const now = Date.now();
    const row: q.TimeEntryRow = {
      id: newId('time', now),
      org_id: caller.orgId,
      ticket_id: ticketId,
      agent_id: agentId,
      minutes: input.minutes,
      note: normaliseNote(input.note),
      date: input.date ?? dayIn((await q.orgTimeZone(trx, caller.orgId)) ?? 'UTC', now),
      created_by_type: caller.actorType,
      created_by_id: caller.actorId,
      created_at: now,
      updated_at: now,
    };
    await q.insertEntry(trx, row);
    await adjustTimeSpent(trx, caller.orgId, ticketId, row.minutes);
    const timeEntry = view(row);
    await recordEvent(trx, caller, caller.orgId, 'time_entry.created', row.id, { timeEntry });
    return timeEntry;
  });
}

/** Changes the fields sent; updatedAt moves only when something changed. */
export async function updateTimeEntry(
  db: Kysely<Database>,
  caller: Caller,
  ticketRef: string,
  entryId: string,
  input: UpdateTimeEntryBody,
): Promise<TimeEntryView> {
  return db.transaction().execute(async (trx) => {
    // The ticket's row lock also serialises changes to its entries (and so to the sum).
    const ticketId = await resolveTicketId(trx, caller, ticketRef);
    const current = await findEntryOr404(trx, caller.orgId, ticketId, entryId);
    requireMayActFor(caller, current.agent_id);
    const next: q.TimeEntryRow = { ...current };
    if (input.agentId !== undefined && input.agentId !== current.agent_id) {
      requireMayActFor(caller, input.agentId);
      await requireOrgAgent(trx, caller.orgId, input.agentId);
      next.agent_id = input.agentId;
    }
    if (input.minutes !== undefined) next.minutes = input.minutes;
    if (input.note !== undefined) next.note = normaliseNote(input.note);
    if (input.date !== undefined) next.date = input.date;

    const fields = ['agent_id', 'minutes', 'note', 'date'] as const;
    const changed = fields.filter((f) => next[f] !== current[f]);
    if (changed.length === 0) return view(current);

    next.updated_at = Math.max(Date.now(), current.updated_at + 1);
    await q.updateEntry(trx, caller.orgId, current.id, {
      ...Object.fromEntries(changed.map((f) => [f, next[f]])),
      updated_at: next.updated_at,
    });
    await adjustTimeSpent(trx, caller.orgId, ticketId, next.minutes - current.minutes);
    const before = view(current);
    const timeEntry = view(next);
    const apiName = { agent_id: 'agentId', minutes: 'minutes', note: 'note', date: 'date' } as const;
    await recordEvent(trx, caller, caller.orgId, 'time_entry.updated', current.id, {
      timeEntry,
      changes: Object.fromEntries(
        changed.map((f) => [apiName[f], { from: before[apiName[f]], to: timeEntry[apiName[f]] }]),
      ),
    });
    return timeEntry;
  });
}

/** Removes an entry; its minutes leave the ticket's timeSpentMinutes in the same transaction. */
export async function deleteTimeEntry(
  db: Kysely<Database>,
  caller: Caller,
  ticketRef: string,
  entryId: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const ticketId = await resolveTicketId(trx, caller, ticketRef);
    const current = await findEntryOr404(trx, caller.orgId, ticketId, entryId);
    requireMayActFor(caller, current.agent_id);
    await q.deleteEntry(trx, caller.orgId, current.id);
    await adjustTimeSpent(trx, caller.orgId, ticketId, -current.minutes);
    await recordEvent(trx, caller, caller.orgId, 'time_entry.deleted', current.id, {
      timeEntry: view(current),
    });
  });
}

/**
 * Hands a ticket's entries to another ticket (ticket merge), inside the merge's transaction;
 * the merge moves the tickets' timeSpentMinutes sums itself.
 */
export async function moveTimeEntries(
  db: Kysely<Database>,
  orgId: string,
  fromTicketId: string,
  toTicketId: string,
): Promise<void> {
  await q.moveEntries(db, orgId, fromTicketId, toTicketId);
}
