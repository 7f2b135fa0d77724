import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { agentIdOf, type Caller } from '../../http/caller.js';
import * as q from './tickets.queries.js';
import {
  TICKET_STATUSES,
  type StatusCountsView,
  type TicketCountsQuery,
  type TicketCountsView,
} from './tickets.schemas.js';
import { filtersOf } from './tickets.service.js';

function emptyCounts(): StatusCountsView {
  return {
    total: 0,
    ...Object.fromEntries(TICKET_STATUSES.map((status) => [status, 0])),
  } as StatusCountsView;
}

async function countView(
  db: Kysely<Database>,
  orgId: string,
  filters: q.TicketFilters,
): Promise<StatusCountsView> {
  const counts = emptyCounts();
  for (const row of await q.countByStatus(db, orgId, filters)) {
    const count = Number(row.count);
    counts[row.status] = count;
    counts.total += count;
  }
  return counts;
}

/**
 * A view of the inbox narrowed to one assignee (an agent id, or null for unassigned), within the
 * request's own filters: an `assignedTo` filter naming someone else leaves the view empty.
 */
function narrowed(
  db: Kysely<Database>,
  orgId: string,
  filters: q.TicketFilters,
  assignee: string | null,
): Promise<StatusCountsView> {
  if (filters.assignedTo !== undefined && filters.assignedTo !== assignee)
    return Promise.resolve(emptyCounts());
  return countView(db, orgId, { ...filters, assignedTo: assignee });
}

/**
 * Live counts for the inbox's views — all, mine (the calling agent's; null for an API key) and
 * unassigned — in total and per status, under the same filters as the ticket list.
 */
export async function ticketCounts(
  db: Kysely<Database>,
  caller: Caller,
  query: TicketCountsQuery,
): Promise<TicketCountsView> {
  const filters = await filtersOf(db, caller, query);
  const me = agentIdOf(caller);
  const [all, mine, unassigned] = await Promise.all([
    countView(db, caller.orgId, filters),
    me === null ? Promise.resolve(null) : narrowed(db, caller.orgId, filters, me),
    narrowed(db, caller.orgId, filters, null),
  ]);
  return { all, mine, unassigned };
}
