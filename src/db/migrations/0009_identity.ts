import type { Kysely } from 'kysely';

// Who a customer says they are vs. who they are shown to be: the org's support name (shown to
// customers for replies no person wrote), and unverified widget claims (a userId nobody signed,
// an email someone else holds), kept apart from the verified `user_id`/`email` they may not join.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('orgs').addColumn('support_name', 'text').execute();
  await db.schema.alterTable('customers').addColumn('claimed_user_id', 'text').execute();
  await db.schema.alterTable('customers').addColumn('claimed_email', 'text').execute();
  // Not unique: anyone may claim any id, and each claim stays its own customer.
  await db.schema
    .createIndex('customers_org_claimed_user_idx')
    .on('customers')
    .columns(['org_id', 'claimed_user_id'])
    .execute();
  await db.schema.alterTable('widget_visitors').addColumn('claimed_user_id', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('widget_visitors').dropColumn('claimed_user_id').execute();
  await db.schema.dropIndex('customers_org_claimed_user_idx').execute();
  await db.schema.alterTable('customers').dropColumn('claimed_email').execute();
  await db.schema.alterTable('customers').dropColumn('claimed_user_id').execute();
  await db.schema.alterTable('orgs').dropColumn('support_name').execute();
}
