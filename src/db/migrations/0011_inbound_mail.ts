import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';

// Inbound mail: email channels' inbound tokens kept as SHA-256 hashes (the token is shown once,
// on creation or rotation), and each customer mail's source details beside its folded text.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const rows = (await db
    .selectFrom('channels')
    .select(['id', 'inbound_token'])
    .where('inbound_token', 'is not', null)
    .execute()) as { id: string; inbound_token: string }[];
  for (const row of rows) {
    // Already a hash (64 hex digits; tokens were 32 base64url characters): up again after a down.
    if (/^[0-9a-f]{64}$/.test(row.inbound_token)) continue;
    // The same hash as channels.tokens.ts, written out: a migration must not change with the code.
    const hash = createHash('sha256').update(row.inbound_token, 'utf8').digest('hex');
    await db.updateTable('channels').set({ inbound_token: hash }).where('id', '=', row.id).execute();
  }
  // JSON: the whole text before quoted history was folded away, Authentication-Results headers.
  await db.schema.alterTable('messages').addColumn('source', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('messages').dropColumn('source').execute();
}
