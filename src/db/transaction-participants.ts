import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely, Transaction, TransactionBuilder } from 'kysely';
import type { Database } from './schema.js';

/**
 * Work that must commit or roll back together with every transaction opened while it is in
 * scope — an Idempotency-Key's outcome is the one today — without each service knowing of it.
 */
export interface TransactionParticipant {
  /** Runs inside the transaction, after its callback returned `result` and before COMMIT; a throw rolls it all back. */
  beforeCommit(trx: Transaction<Database>, result: unknown): Promise<void>;
}

const scope = new AsyncLocalStorage<TransactionParticipant>();

/** Runs `fn` (and all it starts) with `participant` joining each transaction it opens. */
export function runWithParticipant<T>(participant: TransactionParticipant, fn: () => T): T {
  return scope.run(participant, fn);
}

/** Makes `db.transaction().execute(...)` call the participant in scope, if any, before committing. */
export function withTransactionParticipants(db: Kysely<Database>): Kysely<Database> {
  const begin = db.transaction.bind(db);
  // Kysely has no commit hook; wrapping the builder keeps every service's plain db.transaction() call.
  db.transaction = () => participating(begin());
  return db;
}

function participating(builder: TransactionBuilder<Database>): TransactionBuilder<Database> {
  const execute = builder.execute.bind(builder);
  const setIsolationLevel = builder.setIsolationLevel.bind(builder);
  const setAccessMode = builder.setAccessMode.bind(builder);
  return Object.assign(builder, {
    execute: <T>(callback: (trx: Transaction<Database>) => Promise<T>): Promise<T> =>
      execute(async (trx) => {
        const result = await callback(trx);
        await scope.getStore()?.beforeCommit(trx, result);
        return result;
      }),
    setIsolationLevel: (level: Parameters<typeof setIsolationLevel>[0]) =>
      participating(setIsolationLevel(level)),
    setAccessMode: (mode: Parameters<typeof setAccessMode>[0]) => participating(setAccessMode(mode)),
  });
}
