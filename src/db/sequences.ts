import { PostgresAdapter, type Kysely } from 'kysely';
import type { Database } from './schema.js';

function bump(db: Kysely<Database>, orgId: string): Promise<number> {
  return db
    .updateTable('orgs')
    .set((eb) => ({ ticket_seq: eb('ticket_seq', '+', 1) }))
    .where('id', '=', orgId)
    .returning('ticket_seq')
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.ticket_seq));
}

/**
 * Reserves the org's next ticket number (ACME-42's 42). Call it before opening the ticket's
 * transaction and call the result inside it.
 *
 * PostgreSQL: the counter is bumped now, in its own short statement, so concurrent creates
 * don't queue on the org row for a whole transaction (a rolled-back create leaves a gap, as
 * ticket numbers may). It must not run inside the transaction on another pool connection:
 * with every connection held by a transaction waiting for one more, the pool would deadlock.
 * SQLite: one writer anyway, so the bump happens inside the transaction at no extra commit.
 */
export async function reserveTicketNumber(
  db: Kysely<Database>,
  orgId: string,
): Promise<(trx: Kysely<Database>) => Promise<number>> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    const number = await bump(db, orgId);
    return () => Promise.resolve(number);
  }
  return (trx) => bump(trx, orgId);
}

/**
 * The org's next ticket number, taken inside the caller's transaction (on the transaction's own
 * connection, so it cannot deadlock the pool). Channel messages use it: they find out only inside
 * their transaction whether they open a ticket, and they are rare next to API creates, so
 * holding the org's counter until commit costs little.
 */
export function takeTicketNumber(trx: Kysely<Database>, orgId: string): Promise<number> {
  return bump(trx, orgId);
}

/**
 * Reserves `count` consecutive ticket numbers at once (bulk seeding) and returns the first.
 * Its own short statement, like reserveTicketNumber on PostgreSQL: tickets created meanwhile
 * take numbers after the range.
 */
export async function reserveTicketNumbers(
  db: Kysely<Database>,
  orgId: string,
  count: number,
): Promise<number> {
  const row = await db
    .updateTable('orgs')
    .set((eb) => ({ ticket_seq: eb('ticket_seq', '+', count) }))
    .where('id', '=', orgId)
    .returning('ticket_seq')
    .executeTakeFirstOrThrow();
  return Number(row.ticket_seq) - count + 1;
}
