import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import { forUpdate } from '../../db/locking.js';
import type { CustomersTable, Database } from '../../db/schema.js';
import { containsText } from '../../db/text-match.js';
import type { CustomerSort } from './customers.schemas.js';

export type CustomerRow = Selectable<CustomersTable>;

export interface CustomerFilters {
  emailLower?: string | undefined;
  userId?: string | undefined;
  search?: string | undefined;
}

/** Live (not deleted) customers of the org matching `filters`. */
function matching(db: Kysely<Database>, orgId: string, filters: CustomerFilters) {
  let query = db.selectFrom('customers').where('org_id', '=', orgId).where('deleted_at', 'is', null);
  if (filters.emailLower !== undefined) query = query.where('email_lower', '=', filters.emailLower);
  if (filters.userId !== undefined) query = query.where('user_id', '=', filters.userId);
  const search = filters.search;
  if (search !== undefined) {
    query = query.where((eb) =>
      eb.or([
        containsText('name', search),
        containsText('email_lower', search),
        containsText('phone', search),
      ]),
    );
  }
  return query;
}

/** One page: `offset` for page paging, `after` (an id, in the sort's direction) for cursor paging. */
export function listCustomers(
  db: Kysely<Database>,
  orgId: string,
  filters: CustomerFilters,
  sort: CustomerSort,
  page: { limit: number; offset?: number; after?: string | undefined },
): Promise<CustomerRow[]> {
  let query = matching(db, orgId, filters).selectAll();
  switch (sort) {
    case 'created_desc':
      if (page.after !== undefined) query = query.where('id', '<', page.after);
      query = query.orderBy('id', 'desc');
      break;
    case 'created_asc':
      if (page.after !== undefined) query = query.where('id', '>', page.after);
      query = query.orderBy('id', 'asc');
      break;
    case 'name_asc':
      // NULLS LAST explicitly: the two dialects disagree on where NULL sorts by default.
      query = query.orderBy(sql`lower(name)`, (ob) => ob.asc().nullsLast()).orderBy('id', 'asc');
      break;
    case 'updated_desc':
      query = query.orderBy('updated_at', 'desc').orderBy('id', 'desc');
      break;
  }
  if (page.offset) query = query.offset(page.offset);
  return query.limit(page.limit).execute();
}

export async function countCustomers(
  db: Kysely<Database>,
  orgId: string,
  filters: CustomerFilters,
): Promise<number> {
  const row = await matching(db, orgId, filters)
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

export function findCustomer(db: Kysely<Database>, orgId: string, id: string) {
  return matching(db, orgId, {}).selectAll().where('id', '=', id).executeTakeFirst();
}

/** A live customer's row, locked for the rest of the transaction where the dialect needs it. */
export function lockCustomer(db: Kysely<Database>, orgId: string, id: string) {
  return forUpdate(
    db as Kysely<unknown>,
    matching(db, orgId, {}).selectAll().where('id', '=', id),
  ).executeTakeFirst();
}

/** The live customer holding this email or userId (other than `exceptId`): who a 409 is about. */
export function findHolder(
  db: Kysely<Database>,
  orgId: string,
  by: { emailLower: string } | { userId: string },
  exceptId?: string,
) {
  let query = matching(db, orgId, 'emailLower' in by ? { emailLower: by.emailLower } : { userId: by.userId });
  if (exceptId !== undefined) query = query.where('id', '<>', exceptId);
  return query.select('id').executeTakeFirst();
}

export function insertCustomer(db: Kysely<Database>, row: Insertable<CustomersTable>) {
  return db.insertInto('customers').values(row).execute();
}

export function updateCustomer(
  db: Kysely<Database>,
  orgId: string,
  id: string,
  changes: Updateable<CustomersTable>,
) {
  return db.updateTable('customers').set(changes).where('org_id', '=', orgId).where('id', '=', id).execute();
}

/** Clears everything that says who the customer was; the row stays for the tickets that name it. */
export function tombstoneCustomer(db: Kysely<Database>, orgId: string, id: string, at: number) {
  return updateCustomer(db, orgId, id, {
    name: null,
    email: null,
    email_lower: null,
    phone: null,
    company: null,
    user_id: null,
    claimed_user_id: null,
    claimed_email: null,
    custom_fields: '{}',
    deleted_at: at,
    updated_at: at,
  });
}

/**
 * Ticket creation's insert: does nothing when the email (or the userId) is already a customer's,
 * so concurrent first tickets from one address end up with one customer.
 */
export function insertCustomerIfNew(db: Kysely<Database>, row: Insertable<CustomersTable>) {
  return db
    .insertInto('customers')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** The live customer with this email, locked: a merge or delete waits for the ticket that picked it. */
export function lockCustomerByEmail(db: Kysely<Database>, orgId: string, emailLower: string) {
  return forUpdate(db as Kysely<unknown>, matching(db, orgId, { emailLower }).selectAll()).executeTakeFirst();
}

/** The live customer with this userId, locked like lockCustomerByEmail. */
export function lockCustomerByUserId(db: Kysely<Database>, orgId: string, userId: string) {
  return forUpdate(db as Kysely<unknown>, matching(db, orgId, { userId }).selectAll()).executeTakeFirst();
}

/** The customer behind a chat on a channel (Telegram chat id → customer). */
export function findContact(db: Kysely<Database>, channelId: string, externalId: string) {
  return db
    .selectFrom('channel_contacts')
    .select(['customer_id'])
    .where('channel_id', '=', channelId)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}

/** Points a chat at a customer (first message, or its customer was deleted). */
export async function saveContact(
  db: Kysely<Database>,
  row: { channel_id: string; external_id: string; org_id: string; customer_id: string; created_at: number },
) {
  await db
    .insertInto('channel_contacts')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['channel_id', 'external_id']).doUpdateSet({ customer_id: row.customer_id }),
    )
    .execute();
}

/** The chat a customer writes from on a channel (where replies to them go). */
export function contactOfCustomer(
  db: Kysely<Database>,
  orgId: string,
  channelId: string,
  customerId: string,
) {
  return db
    .selectFrom('channel_contacts')
    .select(['external_id'])
    .where('org_id', '=', orgId)
    .where('channel_id', '=', channelId)
    .where('customer_id', '=', customerId)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

export function findCustomerByUserId(db: Kysely<Database>, orgId: string, userId: string) {
  return matching(db, orgId, { userId }).selectAll().executeTakeFirst();
}
