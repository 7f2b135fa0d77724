import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import type { Caller } from '../../http/caller.js';
import { AppError, forbidden, invalidField, notFound } from '../../http/errors.js';
import { listPage, pagingOf } from '../../http/pagination.js';
import { isoTime, newId, isPlausibleId } from '../../lib/ids.js';
import { recordEvent } from '../events/events.service.js';
import { moveTicketsToCustomer, ticketCounts } from '../tickets/tickets.service.js';
import {
  applyCustomFields,
  mergeCustomFields,
  normalisePhone,
  parseCustomFields,
  requireIdentity,
  sameFields,
  trimmed,
  type Contact,
} from './customers.fields.js';
import * as q from './customers.queries.js';
import { columnsOf, contactOf, view } from './customers.views.js';
import {
  CURSOR_SORTS,
  type CreateCustomerBody,
  type CustomerView,
  type ListCustomersQuery,
  type UpdateCustomerBody,
} from './customers.schemas.js';

export type CustomerRow = q.CustomerRow;
/** Ticket creation's way in: the customer of an email address, created if new. */
export { customerForTicket, findOrCreateByEmail } from './customers.matching.js';

export interface CustomerPage {
  data: CustomerView[];
  meta: { total?: number; page?: number; perPage?: number; limit?: number; nextCursor?: string | null };
}

type Changes = Record<string, { from: unknown; to: unknown }>;

const CONTACT_FIELDS = ['name', 'email', 'phone', 'company', 'userId'] as const;

async function countOf(db: Kysely<Database>, orgId: string, id: string): Promise<number> {
  return (await ticketCounts(db, orgId, [id])).get(id) ?? 0;
}

async function views(db: Kysely<Database>, orgId: string, rows: CustomerRow[]): Promise<CustomerView[]> {
  const counts = await ticketCounts(
    db,
    orgId,
    rows.map((r) => r.id),
  );
  return rows.map((row) => view(row, counts.get(row.id) ?? 0));
}

/** Read-only keys never reach a write (the auth hook stops them); this keeps the rule with the service. */
function requireWrite(caller: Caller): void {
  if (caller.scope !== 'write') throw forbidden('This API key is read-only; use a key with write scope');
}

async function lockLive(db: Kysely<Database>, orgId: string, id: string): Promise<CustomerRow> {
  const row = isPlausibleId(id) ? await q.lockCustomer(db, orgId, id) : undefined;
  if (!row) throw notFound(`Customer ${id} not found`);
  return row;
}

function conflict(field: 'email' | 'userId', value: string, holderId: string): AppError {
  return new AppError('CONFLICT', 409, `Customer ${holderId} already has ${field} ${value}`, {
    fields: [{ field, message: `is already used by customer ${holderId}` }],
    customerId: holderId,
  });
}

/**
 * Runs a write and turns a unique violation into a 409 naming the field. The holder is looked
 * up after the transaction has ended: on PostgreSQL the failed one can't run another query.
 */
async function withConflicts<T>(
  db: Kysely<Database>,
  orgId: string,
  wanted: Partial<Contact>,
  selfId: string | undefined,
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    if (wanted.email) {
      const holder = await q.findHolder(db, orgId, { emailLower: wanted.email.toLowerCase() }, selfId);
      if (holder) throw conflict('email', wanted.email, holder.id);
    }
    if (wanted.userId) {
      const holder = await q.findHolder(db, orgId, { userId: wanted.userId }, selfId);
      if (holder) throw conflict('userId', wanted.userId, holder.id);
    }
    throw new AppError(
      'CONFLICT',
      409,
      'Another change to this email or userId happened at the same time; retry',
    );
  }
}

export async function listCustomers(
  db: Kysely<Database>,
  caller: Caller,
  query: ListCustomersQuery,
): Promise<CustomerPage> {
  const paging = pagingOf(query);
  if (query.search !== undefined && query.q !== undefined && query.search !== query.q) {
    throw invalidField('q', 'is an alias of search: send one of them');
  }
  const search = (query.search ?? query.q)?.trim();
  const filters = {
    emailLower: query.email?.trim().toLowerCase(),
    userId: query.userId,
    search: search === '' ? undefined : search,
  };
  if (paging.mode === 'cursor') {
    // A cursor is an id: it marks a stable position only in an order that is the id's.
    if (!CURSOR_SORTS.includes(query.sort)) {
      throw invalidField(
        'sort',
        `cursor paging (limit/startingAfter) supports ${CURSOR_SORTS.join(' and ')}; use page/per_page for ${query.sort}`,
      );
    }
  }
  return listPage(
    paging,
    {
      rows: ({ limit, offset, startingAfter }) =>
        q.listCustomers(db, caller.orgId, filters, query.sort, { limit, offset, after: startingAfter }),
      count: () => q.countCustomers(db, caller.orgId, filters),
    },
    (rows) => views(db, caller.orgId, rows),
  );
}

export async function getCustomer(db: Kysely<Database>, caller: Caller, id: string): Promise<CustomerView> {
  const row = isPlausibleId(id) ? await q.findCustomer(db, caller.orgId, id) : undefined;
  if (!row) throw notFound(`Customer ${id} not found`);
  return view(row, await countOf(db, caller.orgId, id));
}

export async function createCustomer(
  db: Kysely<Database>,
  caller: Caller,
  input: CreateCustomerBody,
): Promise<CustomerView> {
  requireWrite(caller);
  const contact: Contact = {
    name: trimmed(input.name) ?? null,
    email: input.email ?? null,
    phone: input.phone == null ? null : normalisePhone(input.phone),
    company: trimmed(input.company) ?? null,
    userId: input.userId ?? null,
  };
  requireIdentity(contact);
  const customFields = applyCustomFields({}, input.customFields ?? {});
  const now = Date.now();
  const row: CustomerRow = {
    id: newId('cus', now),
    org_id: caller.orgId,
    ...columnsOf(contact),
    claimed_user_id: null,
    claimed_email: null,
    custom_fields: JSON.stringify(customFields),
    deleted_at: null,
    created_at: now,
    updated_at: now,
  };
  return withConflicts(db, caller.orgId, contact, undefined, () =>
    db.transaction().execute(async (trx) => {
      await q.insertCustomer(trx, row);
      const customer = view(row, 0);
      await recordEvent(trx, caller, caller.orgId, 'customer.created', customer.id, { customer });
      return customer;
    }),
  );
}

/** Only the fields sent change; customFields merge key by key. updatedAt moves only on a change. */
export async function updateCustomer(
  db: Kysely<Database>,
  caller: Caller,
  id: string,
  input: UpdateCustomerBody,
): Promise<CustomerView> {
  requireWrite(caller);
  const wanted: Partial<Contact> = {};
  if (input.name !== undefined) wanted.name = trimmed(input.name);
  if (input.email !== undefined) wanted.email = input.email;
  if (input.phone !== undefined) wanted.phone = input.phone === null ? null : normalisePhone(input.phone);
  if (input.company !== undefined) wanted.company = trimmed(input.company);
  if (input.userId !== undefined) wanted.userId = input.userId;
  return withConflicts(db, caller.orgId, wanted, id, () =>
    db.transaction().execute(async (trx) => {
      const current = await lockLive(trx, caller.orgId, id);
      const before = contactOf(current);
      const after: Contact = { ...before, ...wanted };
      const changes: Changes = {};
      for (const field of CONTACT_FIELDS) {
        if (after[field] !== before[field]) changes[field] = { from: before[field], to: after[field] };
      }
      // A userId set (or cleared) with the API replaces whatever a widget visitor only claimed.
      const dropClaim = wanted.userId !== undefined && current.claimed_user_id !== null;
      if (dropClaim) changes.userId = { from: current.claimed_user_id, to: after.userId };
      const fieldsBefore = parseCustomFields(current.custom_fields);
      const fieldsAfter = applyCustomFields(fieldsBefore, input.customFields ?? {});
      if (!sameFields(fieldsBefore, fieldsAfter))
        changes.customFields = { from: fieldsBefore, to: fieldsAfter };
      if (Object.keys(changes).length === 0) return view(current, await countOf(trx, caller.orgId, id));
      requireIdentity(after);

      const now = Math.max(Date.now(), current.updated_at + 1);
      const columns = {
        ...columnsOf(after),
        ...(dropClaim && { claimed_user_id: null }),
        custom_fields: JSON.stringify(fieldsAfter),
        updated_at: now,
      };
      await q.updateCustomer(trx, caller.orgId, id, columns);
      const customer = view({ ...current, ...columns }, await countOf(trx, caller.orgId, id));
      await recordEvent(trx, caller, caller.orgId, 'customer.updated', id, { customer, changes });
      return customer;
    }),
  );
}

/** The customer becomes a tombstone: who they were is gone, their tickets still have a customer. */
export async function deleteCustomer(db: Kysely<Database>, caller: Caller, id: string): Promise<void> {
  requireWrite(caller);
  await db.transaction().execute(async (trx) => {
    const current = await lockLive(trx, caller.orgId, id);
    const now = Math.max(Date.now(), current.updated_at + 1);
    await q.tombstoneCustomer(trx, caller.orgId, id, now);
    await recordEvent(trx, caller, caller.orgId, 'customer.deleted', id, {
      customer: { id },
      deletedAt: isoTime(now),
    });
  });
}

/**
 * Merges `sourceId` into `targetId`: the source's tickets move to the target, the target takes
 * the contact fields it lacks and the custom-field keys it doesn't have (its own values win),
 * and the source becomes a tombstone.
 */
export async function mergeCustomers(
  db: Kysely<Database>,
  caller: Caller,
  targetId: string,
  sourceId: string,
): Promise<CustomerView> {
  requireWrite(caller);
  if (sourceId === targetId)
    throw invalidField('sourceId', 'must be another customer than the one merged into');
  return db.transaction().execute(async (trx) => {
    // Locked in id order, so two merges of the same pair in opposite directions can't deadlock.
    const rows = new Map<string, CustomerRow>();
    for (const id of [targetId, sourceId].sort()) rows.set(id, await lockLive(trx, caller.orgId, id));
    const target = rows.get(targetId)!;
    const source = rows.get(sourceId)!;

    const before = contactOf(target);
    const after: Contact = { ...before };
    const changes: Changes = {};
    const offered = contactOf(source);
    for (const field of CONTACT_FIELDS) {
      if (before[field] === null && offered[field] !== null) {
        after[field] = offered[field];
        changes[field] = { from: null, to: offered[field] };
      }
    }
    const fieldsBefore = parseCustomFields(target.custom_fields);
    const fieldsAfter = mergeCustomFields(fieldsBefore, parseCustomFields(source.custom_fields));
    if (!sameFields(fieldsBefore, fieldsAfter))
      changes.customFields = { from: fieldsBefore, to: fieldsAfter };

    const movedTickets = await countOf(trx, caller.orgId, source.id);
    await moveTicketsToCustomer(trx, caller.orgId, source.id, target.id);
    const now = Math.max(Date.now(), target.updated_at + 1, source.updated_at + 1);
    // The source first: the email and userId the target takes over must be free by then.
    await q.tombstoneCustomer(trx, caller.orgId, source.id, now);
    const columns = {
      ...columnsOf(after),
      // What the source only claimed stays on record where the target has no claim of its own.
      claimed_user_id: target.claimed_user_id ?? source.claimed_user_id,
      claimed_email: target.claimed_email ?? source.claimed_email,
      custom_fields: JSON.stringify(fieldsAfter),
      updated_at: now,
    };
    await q.updateCustomer(trx, caller.orgId, target.id, columns);

    const customer = view({ ...target, ...columns }, await countOf(trx, caller.orgId, target.id));
    await recordEvent(trx, caller, caller.orgId, 'customer.merged', target.id, {
      customer,
      sourceId: source.id,
      movedTickets,
      changes,
    });
    return customer;
  });
}
