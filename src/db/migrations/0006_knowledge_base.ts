import type { Kysely } from 'kysely';

// The knowledge base: collections of articles. Articles are searched through search_documents
// (0005); deleting a collection that still holds articles is refused, so the foreign key has
// no ON DELETE action.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('collections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('collections_org_slug_uq')
    .on('collections')
    .columns(['org_id', 'slug'])
    .unique()
    .execute();
  await db.schema
    .createIndex('collections_org_position_idx')
    .on('collections')
    .columns(['org_id', 'position', 'id'])
    .execute();

  await db.schema
    .createTable('articles')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('collection_id', 'text', (c) => c.references('collections.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('published_at', 'bigint')
    .addColumn('author_type', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('articles_org_slug_uq')
    .on('articles')
    .columns(['org_id', 'slug'])
    .unique()
    .execute();
  await db.schema.createIndex('articles_org_idx').on('articles').columns(['org_id', 'id']).execute();
  await db.schema
    .createIndex('articles_org_status_idx')
    .on('articles')
    .columns(['org_id', 'status', 'id'])
    .execute();
  await db.schema
    .createIndex('articles_org_collection_idx')
    .on('articles')
    .columns(['org_id', 'collection_id', 'id'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('articles').execute();
  await db.schema.dropTable('collections').execute();
}
