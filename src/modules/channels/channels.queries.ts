import type { Insertable, Kysely, Updateable } from 'kysely';
import type { ChannelsTable, ChannelType, Database } from '../../db/schema.js';

const COLUMNS = [
  'id',
  'org_id',
  'type',
  'name',
  'enabled',
  'settings',
  'secrets',
  'inbound_token',
  'address',
  'created_at',
  'updated_at',
] as const;

export type ChannelRow = Awaited<ReturnType<typeof findById>> & {};

export function findById(db: Kysely<Database>, id: string) {
  return db.selectFrom('channels').select(COLUMNS).where('id', '=', id).executeTakeFirst();
}

export function findInOrg(db: Kysely<Database>, orgId: string, id: string) {
  return db
    .selectFrom('channels')
    .select(COLUMNS)
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function findWidget(db: Kysely<Database>, orgId: string) {
  return db
    .selectFrom('channels')
    .select(COLUMNS)
    .where('org_id', '=', orgId)
    .where('type', '=', 'widget')
    .executeTakeFirst();
}

/** Email routing crosses orgs: an address belongs to exactly one channel anywhere. */
export function findByAddress(db: Kysely<Database>, addressLower: string) {
  return db.selectFrom('channels').select(COLUMNS).where('address', '=', addressLower).executeTakeFirst();
}

export function findByInboundToken(db: Kysely<Database>, token: string) {
  return db.selectFrom('channels').select(COLUMNS).where('inbound_token', '=', token).executeTakeFirst();
}

export function listOfOrg(db: Kysely<Database>, orgId: string, type?: ChannelType) {
  return db
    .selectFrom('channels')
    .select(COLUMNS)
    .where('org_id', '=', orgId)
    .$if(type !== undefined, (q) => q.where('type', '=', type as ChannelType))
    .orderBy('id')
    .execute();
}

export function listByType(db: Kysely<Database>, type: ChannelType) {
  return db.selectFrom('channels').select(COLUMNS).where('type', '=', type).orderBy('id').execute();
}

export function insertChannel(db: Kysely<Database>, row: Insertable<ChannelsTable>) {
  return db.insertInto('channels').values(row).execute();
}

export function updateChannel(
  db: Kysely<Database>,
  orgId: string,
  id: string,
  changes: Updateable<ChannelsTable>,
) {
  return db.updateTable('channels').set(changes).where('org_id', '=', orgId).where('id', '=', id).execute();
}

export function deleteChannel(db: Kysely<Database>, orgId: string, id: string) {
  return db.deleteFrom('channels').where('org_id', '=', orgId).where('id', '=', id).execute();
}

/** Insert unless a unique index says it exists (the org's one widget row). */
export function insertChannelIfNew(db: Kysely<Database>, row: Insertable<ChannelsTable>) {
  return db
    .insertInto('channels')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .execute();
}
