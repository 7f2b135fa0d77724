import { PostgresAdapter, type Kysely } from 'kysely';

interface Lockable<Q> {
  forUpdate(): Q;
}

/**
 * Locks the selected rows for the rest of the transaction on PostgreSQL. SQLite has one
 * writer at a time, so a write transaction is already exclusive and needs no row lock.
 */
export function forUpdate<Q extends Lockable<Q>>(db: Kysely<unknown>, query: Q): Q {
  return db.getExecutor().adapter instanceof PostgresAdapter ? query.forUpdate() : query;
}
