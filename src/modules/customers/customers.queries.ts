import type { Insertable, Kysely, Updateable } from 'kysely';
import type { CustomersTable, Database } from '../../db/schema.js';

export function insertCustomerIfNew(db: Kysely<Database>, row: Insertable<CustomersTable>) {
  return db
    .insertInto('customers')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'email_lower']).doNothing())
    .execute();
}

export function findCustomerByEmail(db: Kysely<Database>, orgId: string, emailLower: string) {
  return db
    .selectFrom('customers')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('email_lower', '=', emailLower)
    .executeTakeFirst();
}

export function fillCustomer(
  db: Kysely<Database>,
  orgId: string,
  id: string,
  changes: Updateable<CustomersTable>,
) {
  return db.updateTable('customers').set(changes).where('org_id', '=', orgId).where('id', '=', id).execute();
}
