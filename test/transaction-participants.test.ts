import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWithParticipant } from '../src/db/transaction-participants.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './support/databases.js';

describe.each(DIALECTS)('transaction participants (%s)', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(() => database.drop());

  const secretNamed = (name: string) =>
    database.db.kysely
      .selectFrom('server_secrets')
      .select('name')
      .where('name', '=', name)
      .executeTakeFirst();
  const insert = (name: string) =>
    database.db.kysely.transaction().execute(async (trx) => {
      await trx.insertInto('server_secrets').values({ name, value: 'v', created_at: Date.now() }).execute();
      return name;
    });

  it('joins each transaction in scope with its result, and its failure rolls the transaction back', async () => {
    const seen: unknown[] = [];
    await runWithParticipant({ beforeCommit: async (_trx, result) => void seen.push(result) }, () =>
      insert('joined'),
    );
    expect(seen).toEqual(['joined']);
    expect(await secretNamed('joined')).toBeDefined();

    const refused = runWithParticipant(
      {
        beforeCommit: () => Promise.reject(new Error('refused')),
      },
      () => insert('refused'),
    );
    await expect(refused).rejects.toThrow('refused');
    expect(await secretNamed('refused')).toBeUndefined();
  });

  it('leaves transactions outside any scope alone', async () => {
    expect(await insert('alone')).toBe('alone');
    expect(await secretNamed('alone')).toBeDefined();
  });
});
