import { sql, type Kysely } from 'kysely';

// The helpdesk model beyond the v1 core: ticket numbers, priority and custom fields, internal
// notes and system messages, tags with colours, the event log and idempotency records.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('orgs')
    .addColumn('code_prefix', 'text', (c) => c.notNull().defaultTo('TKT'))
    .execute();
  await db.schema
    .alterTable('orgs')
    .addColumn('ticket_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('orgs').addColumn('default_rate_limit', 'integer').execute();
  await db.schema
    .alterTable('orgs')
    .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('UTC'))
    .execute();

  await db.schema.alterTable('tickets').addColumn('number', 'bigint').execute();
  await db.schema
    .alterTable('tickets')
    .addColumn('priority', 'text', (c) => c.notNull().defaultTo('normal'))
    .execute();
  // low 1 … urgent 4: sorting by priority reads an index instead of a CASE over every row.
  await db.schema
    .alterTable('tickets')
    .addColumn('priority_rank', 'integer', (c) => c.notNull().defaultTo(2))
    .execute();
  await db.schema
    .alterTable('tickets')
    .addColumn('custom_fields', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.alterTable('tickets').addColumn('merged_into', 'text').execute();
  await db.schema
    .alterTable('tickets')
    .addColumn('time_spent_minutes', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('tickets_org_number_uq')
    .on('tickets')
    .columns(['org_id', 'number'])
    .unique()
    .execute();
  await db.schema
    .createIndex('tickets_org_priority_idx')
    .on('tickets')
    .columns(['org_id', 'priority_rank', 'id'])
    .execute();
  // Recent activity per channel and per assignee, and the unassigned queue in both orders.
  await db.schema
    .createIndex('tickets_org_channel_updated_idx')
    .on('tickets')
    .columns(['org_id', 'channel', 'updated_at', 'id'])
    .execute();
  await db.schema
    .createIndex('tickets_org_assignee_updated_idx')
    .on('tickets')
    .columns(['org_id', 'assigned_to', 'updated_at', 'id'])
    .execute();
  await db.schema
    .createIndex('tickets_org_unassigned_idx')
    .on('tickets')
    .columns(['org_id', 'id'])
    .where(sql.ref('assigned_to'), 'is', null)
    .execute();
  await db.schema
    .createIndex('tickets_org_unassigned_updated_idx')
    .on('tickets')
    .columns(['org_id', 'updated_at', 'id'])
    .where(sql.ref('assigned_to'), 'is', null)
    .execute();

  await db.schema
    .alterTable('messages')
    .addColumn('internal', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // System messages (status, assignment, tag changes) carry what changed as JSON.
  await db.schema.alterTable('messages').addColumn('data', 'text').execute();

  await db.schema
    .createTable('tags')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('color', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tags_org_name_uq').on('tags').columns(['org_id', 'name']).unique().execute();

  await db.schema
    .createTable('events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text')
    .addColumn('actor_type', 'text')
    .addColumn('actor_id', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_org_idx').on('events').columns(['org_id', 'id']).execute();
  await db.schema.createIndex('events_org_type_idx').on('events').columns(['org_id', 'type', 'id']).execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['org_id', 'key'])
    .execute();
  await db.schema
    .createIndex('idempotency_keys_created_idx')
    .on('idempotency_keys')
    .columns(['created_at'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['idempotency_keys', 'events', 'tags']) await db.schema.dropTable(table).execute();
  for (const index of [
    'tickets_org_unassigned_updated_idx',
    'tickets_org_unassigned_idx',
    'tickets_org_assignee_updated_idx',
    'tickets_org_channel_updated_idx',
    'tickets_org_priority_idx',
  ]) {
    await db.schema.dropIndex(index).execute();
  }
  await db.schema.dropIndex('tickets_org_number_uq').execute();
  for (const column of [
    'time_spent_minutes',
    'merged_into',
    'custom_fields',
    'priority_rank',
    'priority',
    'number',
  ]) {
    await db.schema.alterTable('tickets').dropColumn(column).execute();
  }
  for (const column of ['data', 'internal'])
    await db.schema.alterTable('messages').dropColumn(column).execute();
  for (const column of ['time_zone', 'default_rate_limit', 'ticket_seq', 'code_prefix']) {
    await db.schema.alterTable('orgs').dropColumn(column).execute();
  }
}
