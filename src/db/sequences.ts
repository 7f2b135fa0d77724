import { PostgresAdapter, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * The org's next ticket number (ACME-42's 42). On PostgreSQL the counter is bumped in its own
 * short statement, outside the ticket's transaction, so concurrent creates don't queue on the
 * org row for a whole transaction (a rolled-back create leaves a gap, as ticket numbers may).
 * SQLite has one writer anyway: bumping inside the transaction costs no extra commit.
 */
export async function nextTicketNumber(
  root: Kysely<Database>,
  trx: Kysely<Database>,
  orgId: string,
): Promise<number> {
  const db = root.getExecutor().adapter instanceof PostgresAdapter ? root : trx;
  const row = await db
    .updateTable('orgs')
    .set((eb) => ({ ticket_seq: eb('ticket_seq', '+', 1) }))
    .where('id', '=', orgId)
    .returning('ticket_seq')
    .executeTakeFirstOrThrow();
  return Number(row.ticket_seq);
}
