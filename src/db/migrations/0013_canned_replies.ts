import type { Kysely } from 'kysely';

// Canned replies: an org's saved answers, picked by shortcut in the inbox. Also an index for
// the inbox's counts: per assignee (an agent's "mine", and NULL for "unassigned") by status,
// which (org_id, assigned_to, id) can only answer by visiting every ticket row.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('canned_replies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('shortcut', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    // No foreign key: the reply outlives the person who wrote it (like messages.agent_id).
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('canned_replies_org_shortcut_uq')
    .on('canned_replies')
    .columns(['org_id', 'shortcut'])
    .unique()
    .execute();
  await db.schema
    .createIndex('tickets_org_assignee_status_idx')
    .on('tickets')
    .columns(['org_id', 'assigned_to', 'status'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('tickets_org_assignee_status_idx').execute();
  await db.schema.dropTable('canned_replies').execute();
}
