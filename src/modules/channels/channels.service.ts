import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { SecretBox } from '../../channels/secret-box.js';
import {
  newWebhookSecret,
  prepareTelegramChannel,
  teardownTelegramChannel,
  telegramWebhookUrl,
} from '../../channels/telegram/setup.js';
import type { Channel, SecretsOf, SettingsOf } from '../../channels/types.js';
import type { Config } from '../../config.js';
import { isUniqueViolation } from '../../db/database.js';
import type { ChannelType, Database } from '../../db/schema.js';
import type { Caller } from '../../http/caller.js';
import { AppError, invalidField, notFound } from '../../http/errors.js';
import { listPage, pagingOf, type ListPage } from '../../http/pagination.js';
import { isoTime, isPlausibleId, newId } from '../../lib/ids.js';
import { recordEvent } from '../events/events.service.js';
import { channelOf, DEFAULT_WIDGET_SETTINGS } from './channels.lookup.js';
import * as q from './channels.queries.js';
import { hashInboundToken, newInboundToken } from './channels.tokens.js';
import type {
  ChannelView,
  CreateChannelBody,
  ListChannelsQuery,
  UpdateChannelBody,
} from './channels.schemas.js';

/** What channels need from the server: the secret box, settings, and the address the world reaches it at. */
export interface ChannelEnv {
  box: SecretBox;
  config: Pick<Config, 'telegramApiUrl'>;
  /** https://help.example.com — TALKI_PUBLIC_URL, or where the admin's request came in. */
  publicUrl: string;
}

const FIELDS: Record<ChannelType, readonly string[]> = {
  email: ['address', 'displayName', 'smtpUrl', 'smtp'],
  telegram: ['botToken', 'mode', 'webhookSecret'],
  widget: [
    'allowedOrigins',
    'color',
    'title',
    'greeting',
    'requireEmail',
    'requireSignedIdentity',
    'identitySecret',
  ],
};
const COMMON = ['type', 'name', 'enabled'];

/** A setting that belongs to another channel type is a mistake worth naming, not something to drop. */
function rejectForeignFields(type: ChannelType, body: Record<string, unknown>): void {
  for (const field of Object.keys(body)) {
    if (body[field] !== undefined && !COMMON.includes(field) && !FIELDS[type].includes(field)) {
      throw invalidField(field, `is not a setting of ${type} channels`);
    }
  }
}

/**
 * A channel as the API shows it. An email channel's inbound token is stored only as a hash, so
 * it (and the URL that carries it) is shown when it is made: `inboundToken` on create and rotate.
 */
function view(channel: Channel, row: q.ChannelRow, env: ChannelEnv, inboundToken?: string): ChannelView {
  const base = {
    id: channel.id,
    type: channel.type,
    name: channel.name,
    enabled: channel.enabled,
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
  if (channel.type === 'email') {
    const settings = channel.settings as SettingsOf['email'];
    return {
      ...base,
      address: settings.address,
      displayName: settings.displayName,
      smtpUrlSet: Boolean((channel.secrets as SecretsOf['email']).smtpUrl),
      smtp: smtpServerOf((channel.secrets as SecretsOf['email']).smtpUrl),
      ...(inboundToken === undefined
        ? {}
        : { inboundToken, inboundUrl: `${env.publicUrl}/channels/email/inbound/${inboundToken}` }),
    };
  }
  if (channel.type === 'telegram') {
    const settings = channel.settings as SettingsOf['telegram'];
    return {
      ...base,
      mode: settings.mode,
      botUsername: settings.botUsername,
      botTokenSet: true,
      webhookUrl: settings.webhookUrl,
      webhookError: settings.webhookError,
    };
  }
  const settings = channel.settings as SettingsOf['widget'];
  return {
    ...base,
    ...settings,
    identitySecretSet: Boolean((channel.secrets as SecretsOf['widget']).identitySecret),
  };
}

type SmtpFields = NonNullable<CreateChannelBody['smtp']>;

/** The outbound server as an SMTP URL: given as one, or as fields (credentials URL-encoded). */
function smtpUrlOf(body: { smtpUrl?: string | null; smtp?: SmtpFields | null }): string | null | undefined {
  if (body.smtpUrl !== undefined && body.smtp !== undefined) {
    throw invalidField('smtp', 'give the outbound server as smtpUrl or as smtp, not both');
  }
  if (body.smtp === undefined) {
    if (typeof body.smtpUrl === 'string' && !hostOf(body.smtpUrl)) {
      throw invalidField('smtpUrl', 'needs a host: smtp://user:pass@host:587');
    }
    return body.smtpUrl;
  }
  if (body.smtp === null) return null;
  const { host, username, password } = body.smtp;
  const secure = body.smtp.secure ?? body.smtp.port === 465;
  const port = body.smtp.port ?? (secure ? 465 : 587);
  if (password !== undefined && username === undefined)
    throw invalidField('smtp.username', 'is required with a password');
  const auth =
    username === undefined
      ? ''
      : `${encodeURIComponent(username)}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@`;
  const url = `${secure ? 'smtps' : 'smtp'}://${auth}${host}:${port}`;
  try {
    new URL(url);
  } catch {
    throw invalidField('smtp.host', 'is not a host name or address');
  }
  return url;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}

/** What the API shows of a stored SMTP URL: everything but the password. */
function smtpServerOf(url: string | undefined): ChannelView['smtp'] {
  if (!url) return null;
  const parsed = new URL(url);
  const secure = parsed.protocol === 'smtps:';
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : secure ? 465 : 587,
    secure,
    username: parsed.username ? decodeURIComponent(parsed.username) : null,
  };
}

/** An origin as browsers send it (scheme://host[:port]); a trailing slash is forgiven, a path is not. */
function normaliseOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw invalidField('allowedOrigins', `"${value}" is not an origin like https://shop.example`);
  }
  if (
    !['http:', 'https:'].includes(url.protocol) ||
    url.pathname !== '/' ||
    url.search ||
    url.hash ||
    url.username
  ) {
    throw invalidField('allowedOrigins', `"${value}" is not an origin like https://shop.example (no path)`);
  }
  return url.origin;
}

/** Which channel field a unique `address` stands for, for the 409 that names it. */
interface Claim {
  field: 'address' | 'botToken';
  what: string;
}

function conflict(claim: Claim): AppError {
  return new AppError('CONFLICT', 409, `${claim.what} already belongs to a channel`, {
    fields: [{ field: claim.field, message: 'is already another channel’s' }],
  });
}

/** Runs a write; a unique violation on `address` (someone saved the same claim meanwhile) is a 409. */
async function withAddressConflicts<T>(claim: Claim | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (claim !== undefined && isUniqueViolation(error)) throw conflict(claim);
    throw error;
  }
}

/**
 * A Telegram channel's claim in the unique `address` column: its bot's id (the token's first
 * part). One bot has one webhook, so a second channel on it would silently take over the first.
 */
function botAddress(token: string): string {
  return `telegram:${token.split(':')[0] ?? token}`;
}

async function requireUnclaimed(db: Kysely<Database>, address: string, claim: Claim, exceptId?: string) {
  const holder = await q.findByAddress(db, address);
  if (holder && holder.id !== exceptId) throw conflict(claim);
}

const BOT_CLAIM: Claim = { field: 'botToken', what: 'This Telegram bot' };
const addressClaim = (address: string | undefined): Claim | undefined =>
  address === undefined ? undefined : { field: 'address', what: `The address ${address.trim()}` };

/** A channel as events record it: no secret, and not the inbound URL (a credential) either. */
function eventView(channel: ChannelView): ChannelView {
  const rest = { ...channel };
  delete rest.inboundUrl;
  delete rest.inboundToken;
  return rest;
}

/** The org's widget row, created with the defaults the first time anyone looks at it. */
async function widgetRow(db: Kysely<Database>, orgId: string): Promise<q.ChannelRow> {
  const existing = await q.findWidget(db, orgId);
  if (existing) return existing;
  const now = Date.now();
  await q.insertChannelIfNew(db, {
    id: newId('chn', now),
    org_id: orgId,
    type: 'widget',
    name: 'Website widget',
    settings: JSON.stringify(DEFAULT_WIDGET_SETTINGS),
    secrets: null,
    inbound_token: null,
    address: null,
    created_at: now,
    updated_at: now,
  });
  const row = await q.findWidget(db, orgId);
  if (!row) throw new Error('the widget channel vanished as it was created');
  return row;
}

async function rowOr404(db: Kysely<Database>, orgId: string, id: string): Promise<q.ChannelRow> {
  if (id === 'widget') return widgetRow(db, orgId);
  const row = isPlausibleId(id) ? await q.findInOrg(db, orgId, id) : undefined;
  if (!row) throw notFound(`Channel ${id} not found`);
  return row;
}

export async function listChannels(
  db: Kysely<Database>,
  env: ChannelEnv,
  caller: Caller,
  query: ListChannelsQuery,
): Promise<ListPage<ChannelView>> {
  const paging = pagingOf(query);
  await widgetRow(db, caller.orgId);
  // An org has a handful of channels: read them all, page in memory.
  const rows = await q.listOfOrg(db, caller.orgId, query.type);
  return listPage(
    paging,
    {
      rows: async (window) => {
        const start =
          window.startingAfter === undefined ? 0 : rows.findIndex((r) => r.id === window.startingAfter) + 1;
        if (window.startingAfter !== undefined && start === 0) {
          throw invalidField('startingAfter', 'names no channel of this organization');
        }
        return rows.slice(start + window.offset, start + window.offset + window.limit);
      },
      count: async () => rows.length,
    },
    (page) => page.map((row) => view(channelOf(env.box, row), row, env)),
  );
}

export async function getChannel(db: Kysely<Database>, env: ChannelEnv, caller: Caller, id: string) {
  const row = await rowOr404(db, caller.orgId, id);
  return view(channelOf(env.box, row), row, env);
}

export async function createChannel(
  db: Kysely<Database>,
  env: ChannelEnv,
  caller: Caller,
  body: CreateChannelBody,
): Promise<ChannelView> {
  rejectForeignFields(body.type, body);
  const now = Date.now();
  const id = newId('chn', now);
  let row: q.ChannelRow;
  const inboundToken = body.type === 'email' ? newInboundToken() : undefined;
  if (body.type === 'email') {
    if (body.address === undefined) throw invalidField('address', 'is required for an email channel');
    const address = body.address.trim();
    const settings: SettingsOf['email'] = { address, displayName: body.displayName?.trim() || null };
    const smtpUrl = smtpUrlOf(body);
    const secrets: SecretsOf['email'] = smtpUrl ? { smtpUrl } : {};
    row = {
      id,
      org_id: caller.orgId,
      type: 'email',
      name: body.name?.trim() ?? address,
      enabled: body.enabled === false ? 0 : 1,
      settings: JSON.stringify(settings),
      secrets: env.box.seal(secrets),
      inbound_token: hashInboundToken(inboundToken!),
      address: address.toLowerCase(),
      created_at: now,
      updated_at: now,
    };
  } else {
    if (body.botToken === undefined) throw invalidField('botToken', 'is required for a Telegram channel');
    const secrets: SecretsOf['telegram'] = {
      botToken: body.botToken.trim(),
      webhookSecret: body.webhookSecret ?? newWebhookSecret(),
    };
    const mode = body.mode ?? 'webhook';
    // Before Telegram is told anything: registering the webhook would steal the bot from its channel.
    await requireUnclaimed(db, botAddress(secrets.botToken), BOT_CLAIM);
    const setup = await prepareTelegramChannel({
      config: env.config,
      token: secrets.botToken,
      mode,
      webhookUrl: telegramWebhookUrl(env.publicUrl, id),
      webhookSecret: secrets.webhookSecret,
    });
    const settings: SettingsOf['telegram'] = { mode, ...setup };
    row = {
      id,
      org_id: caller.orgId,
      type: 'telegram',
      name: body.name?.trim() ?? (setup.botUsername ? `@${setup.botUsername}` : 'Telegram bot'),
      enabled: body.enabled === false ? 0 : 1,
      settings: JSON.stringify(settings),
      secrets: env.box.seal(secrets),
      inbound_token: null,
      address: botAddress(secrets.botToken),
      created_at: now,
      updated_at: now,
    };
  }
  const claim = body.type === 'telegram' ? BOT_CLAIM : addressClaim(body.address);
  return withAddressConflicts(claim, () =>
    db.transaction().execute(async (trx) => {
      await q.insertChannel(trx, row);
      const channel = view(channelOf(env.box, row), row, env, inboundToken);
      await recordEvent(trx, caller, caller.orgId, 'channel.created', id, { channel: eventView(channel) });
      return channel;
    }),
  );
}

/** The row after a PATCH: settings merged, secrets re-sealed, Telegram set up again when its bot or mode changed. */
async function patched(
  db: Kysely<Database>,
  env: ChannelEnv,
  row: q.ChannelRow,
  body: UpdateChannelBody,
  now: number,
): Promise<q.ChannelRow> {
  const channel = channelOf(env.box, row);
  const next: q.ChannelRow = {
    ...row,
    name: body.name?.trim() ?? row.name,
    enabled: body.enabled === undefined ? row.enabled : body.enabled ? 1 : 0,
    updated_at: now,
  };
  if (channel.type === 'email') {
    const settings = { ...(channel.settings as SettingsOf['email']) };
    const secrets = { ...(channel.secrets as SecretsOf['email']) };
    if (body.address !== undefined) settings.address = body.address.trim();
    if (body.displayName !== undefined) settings.displayName = body.displayName?.trim() || null;
    const smtpUrl = smtpUrlOf(body);
    if (smtpUrl === null) delete secrets.smtpUrl;
    else if (smtpUrl !== undefined) secrets.smtpUrl = smtpUrl;
    return {
      ...next,
      settings: JSON.stringify(settings),
      secrets: env.box.seal(secrets),
      address: settings.address.toLowerCase(),
    };
  }
  if (channel.type === 'telegram') {
    const settings = { ...(channel.settings as SettingsOf['telegram']) };
    const secrets = { ...(channel.secrets as SecretsOf['telegram']) };
    const token = body.botToken?.trim() ?? secrets.botToken;
    const mode = body.mode ?? settings.mode;
    const webhookSecret = body.webhookSecret ?? secrets.webhookSecret;
    if (token !== secrets.botToken || mode !== settings.mode || webhookSecret !== secrets.webhookSecret) {
      secrets.webhookSecret = webhookSecret;
      if (token !== secrets.botToken) {
        await requireUnclaimed(db, botAddress(token), BOT_CLAIM, row.id);
        await teardownTelegramChannel(env.config, secrets.botToken);
      }
      const setup = await prepareTelegramChannel({
        config: env.config,
        token,
        mode,
        webhookUrl: telegramWebhookUrl(env.publicUrl, row.id),
        webhookSecret: secrets.webhookSecret,
      });
      Object.assign(settings, setup, { mode });
      secrets.botToken = token;
    }
    return {
      ...next,
      settings: JSON.stringify(settings),
      secrets: env.box.seal(secrets),
      address: botAddress(secrets.botToken),
    };
  }
  const settings = { ...(channel.settings as SettingsOf['widget']) };
  const secrets = { ...(channel.secrets as SecretsOf['widget']) };
  if (body.allowedOrigins !== undefined)
    settings.allowedOrigins = [...new Set(body.allowedOrigins.map(normaliseOrigin))];
  if (body.color !== undefined) settings.color = body.color.toLowerCase();
  if (body.title !== undefined) settings.title = body.title.trim();
  if (body.greeting !== undefined) settings.greeting = body.greeting.trim();
  if (body.requireEmail !== undefined) settings.requireEmail = body.requireEmail;
  if (body.requireSignedIdentity !== undefined) settings.requireSignedIdentity = body.requireSignedIdentity;
  if (body.identitySecret === null) delete secrets.identitySecret;
  else if (body.identitySecret !== undefined) secrets.identitySecret = body.identitySecret;
  if (settings.requireSignedIdentity && !secrets.identitySecret) {
    throw invalidField('requireSignedIdentity', 'needs an identitySecret to check signatures with');
  }
  return { ...next, settings: JSON.stringify(settings), secrets: env.box.seal(secrets) };
}

export async function updateChannel(
  db: Kysely<Database>,
  env: ChannelEnv,
  caller: Caller,
  id: string,
  body: UpdateChannelBody,
): Promise<ChannelView> {
  const current = await rowOr404(db, caller.orgId, id);
  rejectForeignFields(current.type, body);
  const next = await patched(db, env, current, body, Math.max(Date.now(), current.updated_at + 1));
  const claim = current.type === 'telegram' ? BOT_CLAIM : addressClaim(body.address);
  return withAddressConflicts(claim, () =>
    db.transaction().execute(async (trx) => {
      await q.updateChannel(trx, caller.orgId, current.id, {
        name: next.name,
        enabled: next.enabled,
        settings: next.settings,
        secrets: next.secrets,
        address: next.address,
        updated_at: next.updated_at,
        // A different bot's updates are numbered afresh.
        ...(body.botToken !== undefined ? { poll_offset: null } : {}),
      });
      const channel = view(channelOf(env.box, next), next, env);
      await recordEvent(trx, caller, caller.orgId, 'channel.updated', current.id, {
        channel: eventView(channel),
      });
      return channel;
    }),
  );
}

export async function deleteChannel(
  db: Kysely<Database>,
  env: ChannelEnv,
  caller: Caller,
  id: string,
): Promise<void> {
  const row = await rowOr404(db, caller.orgId, id);
  if (row.type === 'widget') {
    throw new AppError(
      'CONFLICT',
      409,
      'The widget channel can’t be deleted; PATCH it with enabled: false to turn it off',
    );
  }
  const channel = channelOf(env.box, row);
  await db.transaction().execute(async (trx) => {
    await q.deleteChannel(trx, caller.orgId, row.id);
    await recordEvent(trx, caller, caller.orgId, 'channel.deleted', row.id, {
      channel: eventView(view(channel, row, env)),
    });
  });
  if (channel.type === 'telegram') {
    await teardownTelegramChannel(env.config, (channel.secrets as SecretsOf['telegram']).botToken);
  }
}

/**
 * A new inbound token for an email channel, returned this once with its URL: the old URL stops
 * working at once (the way out when it leaked, and to see the URL again).
 */
export async function rotateInboundToken(
  db: Kysely<Database>,
  env: ChannelEnv,
  caller: Caller,
  id: string,
): Promise<ChannelView> {
  const current = await rowOr404(db, caller.orgId, id);
  if (current.type !== 'email') throw notFound(`Email channel ${id} not found`);
  const inboundToken = newInboundToken();
  const next: q.ChannelRow = {
    ...current,
    inbound_token: hashInboundToken(inboundToken),
    updated_at: Math.max(Date.now(), current.updated_at + 1),
  };
  return db.transaction().execute(async (trx) => {
    await q.updateChannel(trx, caller.orgId, current.id, {
      inbound_token: next.inbound_token,
      updated_at: next.updated_at,
    });
    const channel = view(channelOf(env.box, next), next, env, inboundToken);
    await recordEvent(trx, caller, caller.orgId, 'channel.updated', current.id, {
      channel: eventView(channel),
    });
    return channel;
  });
}

/** A new identity secret for signed widget identities, returned this once. */
export async function rotateIdentitySecret(
  db: Kysely<Database>,
  env: ChannelEnv,
  caller: Caller,
): Promise<{ identitySecret: string }> {
  const identitySecret = randomBytes(32).toString('hex');
  await updateChannel(db, env, caller, 'widget', { identitySecret });
  return { identitySecret };
}
