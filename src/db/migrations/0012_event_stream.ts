import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Event stream: each event's position in commit order, so a stream reader resuming after an
// event can never skip one that committed later with a smaller id.
// PostgreSQL: the writing transaction's id (xid8). A reader hands out only events whose
// transaction is older than the oldest one still running, in (stream_pos, id) order.
// SQLite: max + 1, assigned by a trigger under the database's single write lock, which is held
// until commit, so the order of positions is the order of commits.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = isPostgres(db);
  if (postgres) {
    await sql`alter table events add column stream_pos xid8 not null default pg_current_xact_id()`.execute(
      db,
    );
  } else {
    await db.schema.alterTable('events').addColumn('stream_pos', 'integer').execute();
    await sql`update events set stream_pos = ranked.n
      from (select id, row_number() over (order by id) as n from events) as ranked
      where ranked.id = events.id`.execute(db);
    await sql`create trigger events_stream_pos after insert on events for each row
      when new.stream_pos is null
      begin
        update events set stream_pos = (select coalesce(max(stream_pos), 0) + 1 from events)
        where id = new.id;
      end`.execute(db);
  }
  await db.schema.createIndex('events_stream_idx').on('events').columns(['stream_pos', 'id']).execute();
  await db.schema
    .createIndex('events_org_stream_idx')
    .on('events')
    .columns(['org_id', 'stream_pos', 'id'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('events_org_stream_idx').execute();
  await db.schema.dropIndex('events_stream_idx').execute();
  if (!isPostgres(db)) await sql`drop trigger events_stream_pos`.execute(db);
  await db.schema.alterTable('events').dropColumn('stream_pos').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const isPostgres = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter;
