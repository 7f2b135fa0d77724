import { sql, type Kysely } from 'kysely';

// Customers as a resource of their own: contact fields, the org's custom fields, tombstones for
// deleted customers (their tickets keep pointing at the row), one customer per userId.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('customers').addColumn('phone', 'text').execute();
  await db.schema.alterTable('customers').addColumn('company', 'text').execute();
  await db.schema
    .alterTable('customers')
    .addColumn('custom_fields', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.alterTable('customers').addColumn('deleted_at', 'bigint').execute();

  await keepUserIdOnOldest(db);
  await db.schema.dropIndex('customers_org_user_idx').execute();
  // NULL user ids (and tombstones, whose user_id is cleared) never collide.
  await db.schema
    .createIndex('customers_org_user_uq')
    .on('customers')
    .columns(['org_id', 'user_id'])
    .unique()
    .execute();
  await db.schema
    .createIndex('customers_org_updated_idx')
    .on('customers')
    .columns(['org_id', 'updated_at', 'id'])
    .execute();
  await db.schema
    .createIndex('customers_org_name_idx')
    .on('customers')
    .expression(sql`org_id, lower(name), id`)
    .execute();
}

/**
 * Before 0004 ticket creation could give one userId to customers with different emails. The
 * oldest keeps it; the others keep the value as custom field `duplicateUserId`, so nothing is
 * lost and an agent can find and merge them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function keepUserIdOnOldest(db: Kysely<any>): Promise<void> {
  const groups = (await db
    .selectFrom('customers')
    .select(['org_id', 'user_id'])
    .where('user_id', 'is not', null)
    .groupBy(['org_id', 'user_id'])
    .having((eb) => eb.fn.countAll(), '>', 1)
    .execute()) as Array<{ org_id: string; user_id: string }>;
  for (const group of groups) {
    const rows = (await db
      .selectFrom('customers')
      .select('id')
      .where('org_id', '=', group.org_id)
      .where('user_id', '=', group.user_id)
      .orderBy('id')
      .execute()) as Array<{ id: string }>;
    for (const row of rows.slice(1)) {
      await db
        .updateTable('customers')
        .set({ user_id: null, custom_fields: JSON.stringify({ duplicateUserId: group.user_id }) })
        .where('id', '=', row.id)
        .execute();
    }
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const index of ['customers_org_name_idx', 'customers_org_updated_idx', 'customers_org_user_uq']) {
    await db.schema.dropIndex(index).execute();
  }
  await db.schema
    .createIndex('customers_org_user_idx')
    .on('customers')
    .columns(['org_id', 'user_id'])
    .execute();
  for (const column of ['deleted_at', 'custom_fields', 'company', 'phone']) {
    await db.schema.alterTable('customers').dropColumn(column).execute();
  }
}
