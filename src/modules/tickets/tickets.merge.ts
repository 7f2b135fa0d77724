import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Caller } from '../../http/caller.js';
import { AppError, invalidField } from '../../http/errors.js';
import { recordEvent } from '../events/events.service.js';
import { moveTimeEntries } from '../time-entries/time-entries.service.js';
import { recordChange } from './tickets.audit.js';
import * as q from './tickets.queries.js';
import type { TicketView } from './tickets.schemas.js';
import { reindexTicket } from './tickets.search.js';
import { lockTicket, readTicket } from './tickets.service.js';
import { normaliseTags, tagsByTicket } from './tickets.views.js';

// Its own file: merging reaches into time entries, whose service itself builds on the tickets service.

/**
 * Merges `sourceRef` into `targetRef`: the source's messages move to the target, its tags are
 * added there, and the source is resolved with mergedInto pointing at the target.
 */
export async function mergeTickets(
  db: Kysely<Database>,
  caller: Caller,
  targetRef: string,
  sourceRef: string,
): Promise<TicketView> {
  return db.transaction().execute(async (trx) => {
    const target = await lockTicket(trx, caller.orgId, targetRef);
    const source = await lockTicket(trx, caller.orgId, sourceRef).catch(() => {
      throw invalidField('sourceId', `no ticket "${sourceRef}" in this organization`);
    });
    if (source.id === target.id) throw invalidField('sourceId', 'a ticket cannot be merged into itself');
    if (target.merged_into !== null) {
      throw new AppError(
        'CONFLICT',
        409,
        `Ticket ${targetRef} was merged into ${target.merged_into}; merge into that ticket instead`,
      );
    }
    if (source.merged_into !== null) throw invalidField('sourceId', `ticket ${sourceRef} was already merged`);

    const now = Math.max(Date.now(), target.updated_at + 1, source.updated_at + 1);
    await q.moveMessages(trx, caller.orgId, source.id, target.id);
    await moveTimeEntries(trx, caller.orgId, source.id, target.id);
    const tagSets = await tagsByTicket(trx, caller.orgId, [target.id, source.id]);
    const targetTags = tagSets.get(target.id) ?? [];
    const mergedTags = normaliseTags([...targetTags, ...(tagSets.get(source.id) ?? [])]);
    await q.replaceTags(trx, caller.orgId, target.id, mergedTags, now);
    await q.updateTicket(trx, caller.orgId, target.id, {
      updated_at: now,
      time_spent_minutes: target.time_spent_minutes + source.time_spent_minutes,
    });
    await q.updateTicket(trx, caller.orgId, source.id, {
      status: 'resolved',
      merged_into: target.id,
      time_spent_minutes: 0,
      updated_at: now,
    });
    await q.setTagsUpdatedAt(trx, caller.orgId, source.id, now);
    await recordChange(trx, caller, target.id, { field: 'mergedFrom', from: null, to: source.id }, now);
    await recordChange(trx, caller, source.id, { field: 'mergedInto', from: null, to: target.id }, now);
    await reindexTicket(trx, caller.orgId, target.id);
    await reindexTicket(trx, caller.orgId, source.id);

    const ticket = await readTicket(trx, caller.orgId, target.id);
    const merged = await readTicket(trx, caller.orgId, source.id);
    await recordEvent(trx, caller, caller.orgId, 'ticket.merged', target.id, { ticket, source: merged });
    return ticket;
  });
}
