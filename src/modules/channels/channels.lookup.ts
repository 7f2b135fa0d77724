import type { Kysely } from 'kysely';
import type { ChannelType, Database } from '../../db/schema.js';
import type { SecretBox } from '../../channels/secret-box.js';
import type { Channel, SettingsOf, WidgetSettings } from '../../channels/types.js';
import * as q from './channels.queries.js';
import { hashInboundToken } from './channels.tokens.js';

/** What a widget looks like and allows until the admin changes it. */
export const DEFAULT_WIDGET_SETTINGS: WidgetSettings = {
  allowedOrigins: [],
  color: '#4f46e5',
  title: 'Chat with us',
  greeting: 'Hi! How can we help?',
  requireEmail: false,
  requireSignedIdentity: false,
};

/** A stored row as the server uses it: settings parsed, secrets decrypted. */
export function channelOf<T extends ChannelType = ChannelType>(
  box: SecretBox,
  row: q.ChannelRow,
): Channel<T> {
  const settings = JSON.parse(row.settings) as SettingsOf[T];
  return {
    id: row.id,
    orgId: row.org_id,
    type: row.type as T,
    name: row.name,
    enabled: row.enabled === 1,
    settings: row.type === 'widget' ? { ...DEFAULT_WIDGET_SETTINGS, ...settings } : settings,
    secrets: row.secrets ? box.open(row.secrets) : ({} as Channel<T>['secrets']),
  };
}

function typed<T extends ChannelType>(box: SecretBox, row: q.ChannelRow | undefined, type: T) {
  return row && row.type === type ? channelOf<T>(box, row) : undefined;
}

/** Any channel by id (webhooks and delivery name channels by id across orgs). */
export async function findChannel(db: Kysely<Database>, box: SecretBox, id: string) {
  const row = await q.findById(db, id);
  return row ? channelOf(box, row) : undefined;
}

export async function findTelegramChannel(db: Kysely<Database>, box: SecretBox, id: string) {
  return typed(box, await q.findById(db, id), 'telegram');
}

/** The email channel that receives mail for this address (any org), if one does. */
export async function findEmailChannelByAddress(db: Kysely<Database>, box: SecretBox, address: string) {
  return typed(box, await q.findByAddress(db, address.trim().toLowerCase()), 'email');
}

/** The email channel whose inbound URL carries this token. */
export async function findEmailChannelByToken(db: Kysely<Database>, box: SecretBox, token: string) {
  return typed(box, await q.findByInboundToken(db, hashInboundToken(token)), 'email');
}

/** Enabled Telegram channels in polling mode, across orgs: what pollers serve. */
export async function pollingTelegramChannels(
  db: Kysely<Database>,
  box: SecretBox,
): Promise<Channel<'telegram'>[]> {
  const rows = await q.listByType(db, 'telegram');
  return rows
    .filter((row) => row.enabled === 1)
    .map((row) => channelOf<'telegram'>(box, row))
    .filter((channel) => channel.settings.mode === 'polling');
}

/** The org's widget settings: its stored row, or the defaults when the admin never saved any. */
export async function widgetChannel(
  db: Kysely<Database>,
  box: SecretBox,
  orgId: string,
): Promise<Channel<'widget'>> {
  const row = await q.findWidget(db, orgId);
  if (row) return channelOf<'widget'>(box, row);
  return {
    id: '',
    orgId,
    type: 'widget',
    name: 'Website widget',
    enabled: true,
    settings: { ...DEFAULT_WIDGET_SETTINGS },
    secrets: {},
  };
}

/** The org's channel row with this id, if it still exists (no secrets are opened). */
export async function channelOfOrg(db: Kysely<Database>, orgId: string, id: string) {
  const row = await q.findInOrg(db, orgId, id);
  return row ? { id: row.id, type: row.type, enabled: row.enabled === 1 } : undefined;
}
