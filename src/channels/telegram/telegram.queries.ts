import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/**
 * Takes or renews the right to long-poll a channel until `until`: granted when nobody holds it,
 * we already do, or the holder's lease ran out (a crashed process). One conditional UPDATE, so
 * two processes racing for a free channel cannot both win.
 */
export async function takePollLease(
  db: Kysely<Database>,
  channelId: string,
  owner: string,
  now: number,
  until: number,
): Promise<boolean> {
  const result = await db
    .updateTable('channels')
    .set({ poll_owner: owner, poll_lease_until: until })
    .where('id', '=', channelId)
    .where('type', '=', 'telegram')
    .where((eb) =>
      eb.or([eb('poll_owner', 'is', null), eb('poll_owner', '=', owner), eb('poll_lease_until', '<', now)]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives the channel up at once (a stopping process), so another need not wait for the lease to run out. */
export async function releasePollLease(db: Kysely<Database>, channelId: string, owner: string) {
  await db
    .updateTable('channels')
    .set({ poll_owner: null, poll_lease_until: null })
    .where('id', '=', channelId)
    .where('poll_owner', '=', owner)
    .execute();
}

/** The next update_id to ask for; null before the first update was handled. */
export async function pollOffset(db: Kysely<Database>, channelId: string): Promise<number | null> {
  const row = await db
    .selectFrom('channels')
    .select('poll_offset')
    .where('id', '=', channelId)
    .executeTakeFirst();
  return row?.poll_offset == null ? null : Number(row.poll_offset);
}

/**
 * Records that every update before `offset` was handled, and extends the lease, only while
 * `owner` still holds it: false means another process took the channel over.
 */
export async function storePollOffset(
  db: Kysely<Database>,
  channelId: string,
  owner: string,
  offset: number,
  leaseUntil: number,
): Promise<boolean> {
  const result = await db
    .updateTable('channels')
    .set({ poll_offset: offset, poll_lease_until: leaseUntil })
    .where('id', '=', channelId)
    .where('poll_owner', '=', owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
