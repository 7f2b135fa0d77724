import type { Kysely } from 'kysely';
import type { Caller } from '../../http/caller.js';
import { recordEvent } from '../events/events.service.js';
import { view } from './customers.views.js';
import type { Database } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';
import * as q from './customers.queries.js';

/**
 * The org's customer with this email (compared case-insensitively), created if new. A name or
 * userId fills in a customer that had none; known values are not overwritten by whatever a
 * later caller typed. A userId already another customer's is left out (userIds are unique).
 * Deleted customers have no email, so they are never matched.
 */
export async function findOrCreateByEmail(
  db: Kysely<Database>,
  orgId: string,
  input: { email: string; name?: string | undefined; userId?: string | undefined },
): Promise<q.CustomerRow> {
  const email = input.email.trim();
  const emailLower = email.toLowerCase();
  const name = input.name?.trim() || null;
  const userId = input.userId ?? null;
  const now = Date.now();
  const row = {
    id: newId('cus', now),
    org_id: orgId,
    name,
    email,
    email_lower: emailLower,
    user_id: userId,
    created_at: now,
    updated_at: now,
  };
  // Insert-or-nothing, then read: concurrent first tickets from one address share one customer.
  // The read locks the row, so a merge or delete of it waits for this ticket.
  await q.insertCustomerIfNew(db, row);
  let customer = await q.lockCustomerByEmail(db, orgId, emailLower);
  if (!customer) {
    // Nothing was inserted yet nobody has the email: the userId is someone else's (or a delete
    // freed the email meanwhile). The customer is created without the userId.
    await q.insertCustomerIfNew(db, { ...row, user_id: null });
    customer = await q.lockCustomerByEmail(db, orgId, emailLower);
    if (!customer) throw new Error(`no customer for ${emailLower} after inserting one`);
  }
  const fillUserId =
    customer.user_id === null && userId !== null && !(await q.findHolder(db, orgId, { userId }));
  const missing = {
    ...(customer.name === null && name !== null ? { name } : {}),
    ...(fillUserId ? { user_id: userId } : {}),
  };
  if (Object.keys(missing).length === 0) return customer;
  await q.updateCustomer(db, orgId, customer.id, { ...missing, updated_at: now });
  return { ...customer, ...missing, updated_at: now };
}

/**
 * The org's customer with this email, created if new (see findOrCreateByEmail); a new one is
 * recorded as customer.created in the caller's transaction, like any other creation.
 */
export async function customerForTicket(
  db: Kysely<Database>,
  caller: Caller,
  input: { email: string; name?: string | undefined; userId?: string | undefined },
): Promise<q.CustomerRow> {
  const startedAt = Date.now();
  const customer = await findOrCreateByEmail(db, caller.orgId, input);
  if (customer.created_at >= startedAt) {
    await recordEvent(db, caller, caller.orgId, 'customer.created', customer.id, {
      customer: view(customer, 0),
    });
  }
  return customer;
}
