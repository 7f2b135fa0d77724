import type { Kysely, Selectable } from 'kysely';
import type { CustomersTable, Database } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';
import * as q from './customers.queries.js';

export type CustomerRow = Selectable<CustomersTable>;

/**
 * The org's customer with this email (compared case-insensitively), created if new. A name or
 * userId fills in a customer that had none; known values are not overwritten by whatever a
 * later caller typed.
 */
export async function findOrCreateByEmail(
  db: Kysely<Database>,
  orgId: string,
  input: { email: string; name?: string | undefined; userId?: string | undefined },
): Promise<CustomerRow> {
  const email = input.email.trim();
  const emailLower = email.toLowerCase();
  const name = input.name?.trim() || null;
  const now = Date.now();
  // Insert-or-nothing, then read: concurrent first tickets from one address share one customer.
  await q.insertCustomerIfNew(db, {
    id: newId('cus', now),
    org_id: orgId,
    name,
    email,
    email_lower: emailLower,
    user_id: input.userId ?? null,
    created_at: now,
    updated_at: now,
  });
  const customer = (await q.findCustomerByEmail(db, orgId, emailLower))!;
  const missing = {
    ...(customer.name === null && name !== null ? { name } : {}),
    ...(customer.user_id === null && input.userId ? { user_id: input.userId } : {}),
  };
  if (Object.keys(missing).length === 0) return customer;
  await q.fillCustomer(db, orgId, customer.id, { ...missing, updated_at: now });
  return { ...customer, ...missing, updated_at: now };
}
