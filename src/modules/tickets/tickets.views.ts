import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { isoTime } from '../../lib/ids.js';
import * as q from './tickets.queries.js';
import type { TicketView } from './tickets.schemas.js';

/** A ticket row as the API shows it (snake_case row → camelCase resource). */
export function ticketView(row: q.TicketRow, tags: string[], codePrefix: string): TicketView {
  const customer: TicketView['customer'] = {
    id: row.customer_id,
    name: row.customer_name,
    email: row.customer_email,
  };
  // A verified id wins; a widget visitor's unsigned claim shows too, marked unverified.
  const userId = row.customer_user_id ?? row.customer_claimed_user_id;
  if (userId !== null) {
    customer.userId = userId;
    customer.userIdVerified = row.customer_user_id !== null;
  }
  return {
    id: row.id,
    orgId: row.org_id,
    number: row.number ?? 0,
    code: `${codePrefix}-${row.number ?? 0}`,
    status: row.status,
    priority: row.priority,
    channel: row.channel,
    subject: row.subject,
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
    customer,
    assignedTo: row.assigned_to,
    tags,
    customFields: JSON.parse(row.custom_fields) as Record<string, unknown>,
    mergedInto: row.merged_into,
    timeSpentMinutes: row.time_spent_minutes,
  };
}

/** Trimmed, first occurrence kept: a tag set, in the order the caller gave it. */
export function normaliseTags(tags: string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()))];
}

/** Each ticket's tags in the order they were set; every id is present, tagless ones with []. */
export async function tagsByTicket(
  db: Kysely<Database>,
  orgId: string,
  ids: string[],
): Promise<Map<string, string[]>> {
  const byTicket = new Map<string, string[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byTicket;
  for (const row of await q.tagsOf(db, orgId, ids)) byTicket.get(row.ticket_id)?.push(row.tag);
  return byTicket;
}

/** Custom fields after a PATCH: keys merged, null removes a key. */
export function mergeCustomFields(
  current: Record<string, unknown>,
  patch: Record<string, string | number | boolean | null>,
): Record<string, unknown> {
  const next = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}
