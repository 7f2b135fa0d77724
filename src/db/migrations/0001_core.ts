import type { Kysely } from 'kysely';

// Migrations take Kysely<any>: they describe the schema as it was at that version, not as
// the current table types say it is.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('orgs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_lower', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('org_members')
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('org_members_pk', ['org_id', 'agent_id'])
    .execute();
  await db.schema.createIndex('org_members_agent_idx').on('org_members').columns(['agent_id']).execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('public_key', 'text')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('rate_limit', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('api_keys_org_idx').on('api_keys').columns(['org_id', 'id']).execute();

  await db.schema
    .createTable('customers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('name', 'text')
    .addColumn('email', 'text')
    .addColumn('email_lower', 'text')
    .addColumn('user_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // Unique email per org; NULL emails (e.g. a Telegram customer) never collide.
  await db.schema
    .createIndex('customers_org_email_uq')
    .on('customers')
    .columns(['org_id', 'email_lower'])
    .unique()
    .execute();
  await db.schema.createIndex('customers_org_id_idx').on('customers').columns(['org_id', 'id']).execute();
  await db.schema
    .createIndex('customers_org_user_idx')
    .on('customers')
    .columns(['org_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('tickets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('assigned_to', 'text', (c) => c.references('agents.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // One index per documented filter, each ending in the sort key, so every list query reads
  // an index in order: ids are time-sortable, so `id` is the creation order.
  const ticketIndexes: Array<[string, string[]]> = [
    ['tickets_org_id_idx', ['org_id', 'id']],
    ['tickets_org_updated_idx', ['org_id', 'updated_at', 'id']],
    ['tickets_org_status_idx', ['org_id', 'status', 'id']],
    ['tickets_org_status_updated_idx', ['org_id', 'status', 'updated_at', 'id']],
    ['tickets_org_channel_idx', ['org_id', 'channel', 'id']],
    ['tickets_org_assignee_idx', ['org_id', 'assigned_to', 'id']],
    ['tickets_org_customer_idx', ['org_id', 'customer_id', 'id']],
  ];
  for (const [name, columns] of ticketIndexes) {
    await db.schema.createIndex(name).on('tickets').columns(columns).execute();
  }

  await db.schema
    .createTable('ticket_tags')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('tag', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('ticket_updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('ticket_tags_pk', ['ticket_id', 'tag'])
    .execute();
  await db.schema
    .createIndex('ticket_tags_org_tag_idx')
    .on('ticket_tags')
    .columns(['org_id', 'tag', 'ticket_id'])
    .execute();
  await db.schema
    .createIndex('ticket_tags_org_tag_updated_idx')
    .on('ticket_tags')
    .columns(['org_id', 'tag', 'ticket_updated_at', 'ticket_id'])
    .execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('author_name', 'text')
    .addColumn('agent_id', 'text')
    .addColumn('api_key_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('messages_ticket_idx').on('messages').columns(['ticket_id', 'id']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'messages',
    'ticket_tags',
    'tickets',
    'customers',
    'api_keys',
    'org_members',
    'agents',
    'orgs',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
