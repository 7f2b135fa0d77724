import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Full-text search documents (tickets, articles, customers), one row per searchable thing.
// The table holds search text already normalised by db/search.ts; the index over it is the
// one place the dialects differ:
// - SQLite: an external-content FTS5 table over search_documents, kept in step by triggers
//   (so every write to search_documents updates the index in the same transaction), ranked
//   with bm25(). Its `scope` column ("<org id> <kind>") lets a query ask FTS5 itself for one
//   org's documents of one kind instead of filtering every org's matches afterwards. Marks
//   (M*) are word characters, as in db/search.ts, so scripts with vowel signs stay whole words.
// - PostgreSQL: a generated tsvector column (title weighted A, body B) with a GIN index,
//   ranked with ts_rank. The 'simple' configuration: no stemming and no stop words, because
//   helpdesk text mixes languages, product names and codes (E1234, 2fa) that an English
//   stemmer would mangle; lower-casing and accent folding are done before the text is stored.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const isPostgres = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await db.schema
      .createTable('search_documents')
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('ref_id', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('search_vector', sql`tsvector`, (c) =>
        c
          .generatedAlwaysAs(
            sql`setweight(to_tsvector('simple'::regconfig, title), 'A') || setweight(to_tsvector('simple'::regconfig, body), 'B')`,
          )
          .stored(),
      )
      .addPrimaryKeyConstraint('search_documents_pk', ['org_id', 'kind', 'ref_id'])
      .execute();
    await db.schema
      .createIndex('search_documents_vector_idx')
      .on('search_documents')
      .using('gin')
      .column('search_vector')
      .execute();
    return;
  }

  // INTEGER PRIMARY KEY: the FTS index refers to rows by rowid, which must never change (VACUUM
  // may renumber an implicit rowid).
  await db.schema
    .createTable('search_documents')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ref_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.generatedAlwaysAs(sql`org_id || ' ' || kind`))
    .execute();
  await db.schema
    .createIndex('search_documents_ref_uq')
    .on('search_documents')
    .columns(['org_id', 'kind', 'ref_id'])
    .unique()
    .execute();
  await sql`CREATE VIRTUAL TABLE search_documents_fts USING fts5(
      scope, title, body,
      content='search_documents', content_rowid='id',
      tokenize="unicode61 remove_diacritics 2 categories 'L* N* Co M*'", prefix='2 3'
    )`.execute(db);
  const remove = sql.raw(
    `INSERT INTO search_documents_fts(search_documents_fts, rowid, scope, title, body)
     VALUES ('delete', old.id, old.scope, old.title, old.body);`,
  );
  const add = sql.raw(
    `INSERT INTO search_documents_fts(rowid, scope, title, body)
     VALUES (new.id, new.scope, new.title, new.body);`,
  );
  await sql`CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN ${add} END`.execute(db);
  await sql`CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN ${remove} END`.execute(
    db,
  );
  await sql`CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN ${remove} ${add} END`.execute(
    db,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) {
    for (const trigger of ['search_documents_au', 'search_documents_ad', 'search_documents_ai']) {
      await sql`DROP TRIGGER IF EXISTS ${sql.raw(trigger)}`.execute(db);
    }
    await sql`DROP TABLE IF EXISTS search_documents_fts`.execute(db);
  }
  await db.schema.dropTable('search_documents').execute();
}
