import { sql, type Kysely } from 'kysely';

// Channels: the durable job queue, channel settings (email, Telegram, widget), the customer
// behind a Telegram chat, widget visitors, and per-message delivery state.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.references('orgs.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    // pending → running → done | dead (a failed attempt goes back to pending with a later run_at).
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('run_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute();
  // What a claim scans: due pending jobs in run_at order, and running ones whose lease ran out.
  await db.schema.createIndex('jobs_due_idx').on('jobs').columns(['status', 'run_at']).execute();
  await db.schema
    .createIndex('jobs_lease_idx')
    .on('jobs')
    .columns(['locked_until'])
    .where(sql.ref('status'), '=', 'running')
    .execute();

  await db.schema
    .createTable('job_attempts')
    .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('worker', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('job_attempts_pk', ['job_id', 'attempt'])
    .execute();

  await db.schema
    .createTable('channels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    // Non-secret settings as JSON; secrets (bot token, SMTP password) encrypted in `secrets`.
    .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('secrets', 'text')
    // Capability in the email channel's inbound URL (POST /channels/email/inbound/:token).
    .addColumn('inbound_token', 'text')
    // An email channel's address, lower-cased: inbound SMTP routes by it across all orgs.
    .addColumn('address', 'text')
    // Telegram long polling: which process polls, until when, and the next update to ask for.
    .addColumn('poll_owner', 'text')
    .addColumn('poll_lease_until', 'bigint')
    .addColumn('poll_offset', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('channels_org_idx').on('channels').columns(['org_id', 'id']).execute();
  await db.schema.createIndex('channels_address_uq').on('channels').columns(['address']).unique().execute();
  await db.schema
    .createIndex('channels_inbound_token_uq')
    .on('channels')
    .columns(['inbound_token'])
    .unique()
    .execute();
  await db.schema
    .createIndex('channels_org_widget_uq')
    .on('channels')
    .columns(['org_id'])
    .unique()
    .where(sql.ref('type'), '=', 'widget')
    .execute();

  // Who is behind a chat on a channel that has no email (Telegram chat id → customer).
  await db.schema
    .createTable('channel_contacts')
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_contacts_pk', ['channel_id', 'external_id'])
    .execute();
  await db.schema
    .createIndex('channel_contacts_customer_idx')
    .on('channel_contacts')
    .columns(['org_id', 'customer_id'])
    .execute();

  await db.schema
    .createTable('widget_visitors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    // SHA-256 of the visitor token; the token itself is only ever in the visitor's browser.
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('customer_id', 'text', (c) => c.references('customers.id').onDelete('set null'))
    // Set only from a verified (HMAC-signed) identity.
    .addColumn('user_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('widget_visitors_customer_idx')
    .on('widget_visitors')
    .columns(['org_id', 'customer_id'])
    .execute();

  // Which channel a ticket came in on (the email address or bot it answers from).
  await db.schema
    .alterTable('tickets')
    .addColumn('channel_id', 'text', (c) => c.references('channels.id').onDelete('set null'))
    .execute();
  // queued | sent | failed for agent messages on channels that deliver; null otherwise.
  await db.schema.alterTable('messages').addColumn('delivery_status', 'text').execute();
  await db.schema.alterTable('messages').addColumn('delivery_error', 'text').execute();
  await db.schema.alterTable('messages').addColumn('delivered_at', 'bigint').execute();
  // How many parts of a delivery in several (Telegram: text chunks, files) already went out.
  await db.schema
    .alterTable('messages')
    .addColumn('delivery_parts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // The channel's own id of the message: an email Message-ID, or "chat:message" on Telegram.
  await db.schema.alterTable('messages').addColumn('external_id', 'text').execute();
  // Sanitised HTML of an email body, beside its plain text.
  await db.schema.alterTable('messages').addColumn('html', 'text').execute();
  await db.schema
    .createIndex('messages_org_external_uq')
    .on('messages')
    .columns(['org_id', 'external_id'])
    .unique()
    .where(sql.ref('external_id'), 'is not', null)
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('messages_org_external_uq').execute();
  for (const column of [
    'html',
    'external_id',
    'delivery_parts',
    'delivered_at',
    'delivery_error',
    'delivery_status',
  ]) {
    await db.schema.alterTable('messages').dropColumn(column).execute();
  }
  await db.schema.alterTable('tickets').dropColumn('channel_id').execute();
  await db.schema.dropTable('widget_visitors').execute();
  await db.schema.dropTable('channel_contacts').execute();
  await db.schema.dropTable('channels').execute();
  await db.schema.dropTable('job_attempts').execute();
  await db.schema.dropTable('jobs').execute();
}
