import type { Kysely } from 'kysely';
import type { ApiKeyKind, ApiKeyScope, Database } from '../../db/schema.js';
import { requireAdmin, type Caller } from '../../http/caller.js';
import { AppError, invalidField, notFound } from '../../http/errors.js';
import { listPage, pagingOf } from '../../http/pagination.js';
import { isoTime, newId, isPlausibleId } from '../../lib/ids.js';
import { recordEvent } from '../events/events.service.js';
import * as q from './api-keys.queries.js';
import type { ApiKeyListView, CreateApiKeyBody, ListApiKeysQuery } from './api-keys.schemas.js';
import { generateKey, hashKey, sameHash } from './api-keys.secrets.js';

export type ApiKeyStatus = 'active' | 'expired' | 'revoked';

export interface ApiKeyView {
  id: string;
  orgId: string;
  kind: ApiKeyKind;
  name: string;
  prefix: string;
  scope: ApiKeyScope;
  rateLimit: number | null;
  /** The widget key itself (public by design); null for secret keys, which are never shown again. */
  publicKey: string | null;
  status: ApiKeyStatus;
  expiresAt: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedApiKey extends ApiKeyView {
  /** The whole key: returned once, at creation, and never again. */
  key: string;
}

export interface NewApiKey {
  orgId: string;
  kind: ApiKeyKind;
  name: string;
  scope: ApiKeyScope;
  rateLimit?: number | null;
  /** Epoch ms after which the key stops working; null/undefined = never. */
  expiresAt?: number | null;
}

function statusOf(row: q.ApiKeyRow, now: number): ApiKeyStatus {
  if (row.revoked_at !== null) return 'revoked';
  return row.expires_at !== null && row.expires_at <= now ? 'expired' : 'active';
}

function view(row: q.ApiKeyRow, now = Date.now()): ApiKeyView {
  return {
    id: row.id,
    orgId: row.org_id,
    kind: row.kind,
    name: row.name,
    prefix: row.prefix,
    scope: row.scope,
    rateLimit: row.rate_limit,
    publicKey: row.public_key,
    status: statusOf(row, now),
    expiresAt: row.expires_at === null ? null : isoTime(row.expires_at),
    createdAt: isoTime(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : isoTime(row.last_used_at),
    revokedAt: row.revoked_at === null ? null : isoTime(row.revoked_at),
  };
}

export async function createApiKey(db: Kysely<Database>, input: NewApiKey): Promise<CreatedApiKey> {
  const { shown, key } = await insertKey(db, input);
  return { ...shown, key };
}

async function insertKey(
  db: Kysely<Database>,
  input: NewApiKey,
): Promise<{ shown: ApiKeyView; key: string }> {
  const now = Date.now();
  const secret = generateKey(input.kind);
  const row: q.ApiKeyRow = {
    id: newId('key', now),
    org_id: input.orgId,
    kind: input.kind,
    name: input.name,
    prefix: secret.prefix,
    key_hash: secret.hash,
    public_key: input.kind === 'widget' ? secret.key : null,
    scope: input.scope,
    rate_limit: input.rateLimit ?? null,
    created_at: now,
    last_used_at: null,
    revoked_at: null,
    expires_at: input.expiresAt ?? null,
  };
  await q.insertApiKey(db, row);
  return { shown: view(row, now), key: secret.key };
}

export async function listApiKeys(db: Kysely<Database>, orgId: string): Promise<ApiKeyView[]> {
  const now = Date.now();
  return (await q.listApiKeys(db, orgId)).map((row) => view(row, now));
}

/** Revokes a key; `orgId` undefined means "whichever org owns it" (operator CLI). */
export async function revokeApiKey(db: Kysely<Database>, id: string, orgId?: string): Promise<ApiKeyView> {
  const row = orgId ? await q.findApiKey(db, orgId, id) : await q.findApiKeyAnyOrg(db, id);
  if (!row) throw notFound(`API key ${id} not found`);
  const alreadyRevoked = () => new AppError('CONFLICT', 409, `API key ${id} is already revoked`);
  if (row.revoked_at !== null) throw alreadyRevoked();
  const now = Date.now();
  const result = await q.revokeApiKey(db, row.org_id, id, now);
  // Someone else revoked it between the read and the update.
  if (result.numUpdatedRows === 0n) throw alreadyRevoked();
  return view({ ...row, revoked_at: now }, now);
}

/** The org's keys (secrets never included), newest first, in either paging style. */
export async function listOrgApiKeys(
  db: Kysely<Database>,
  caller: Caller,
  query: ListApiKeysQuery,
): Promise<ApiKeyListView> {
  requireAdmin(caller, 'manage API keys');
  const paging = pagingOf(query);
  const now = Date.now();
  return listPage(
    paging,
    {
      rows: ({ limit, offset, startingAfter }) =>
        paging.mode === 'cursor'
          ? q.apiKeysBefore(db, caller.orgId, startingAfter, limit)
          : q.pageApiKeys(db, caller.orgId, limit, offset),
      count: () => q.countApiKeys(db, caller.orgId),
    },
    (rows) => rows.map((row) => view(row, now)),
  );
}

export async function getOrgApiKey(db: Kysely<Database>, caller: Caller, id: string): Promise<ApiKeyView> {
  requireAdmin(caller, 'manage API keys');
  const row = isPlausibleId(id) ? await q.findApiKey(db, caller.orgId, id) : undefined;
  if (!row) throw notFound(`API key ${id} not found`);
  return view(row);
}

/** A new secret key for the caller's org; the response is the only time the key is shown. */
export async function createOrgApiKey(
  db: Kysely<Database>,
  caller: Caller,
  input: CreateApiKeyBody,
): Promise<CreatedApiKey> {
  requireAdmin(caller, 'manage API keys');
  let expiresAt: number | null = null;
  if (input.expiresAt !== undefined && input.expiresAt !== null) {
    expiresAt = Date.parse(input.expiresAt);
    if (Number.isNaN(expiresAt)) throw invalidField('expiresAt', 'must be an ISO 8601 date-time');
    if (expiresAt <= Date.now()) throw invalidField('expiresAt', 'must be in the future');
  }
  return db.transaction().execute(async (trx) => {
    const { shown, key } = await insertKey(trx, {
      orgId: caller.orgId,
      kind: 'secret',
      name: input.name.trim(),
      scope: input.scope ?? 'write',
      rateLimit: input.rateLimit ?? null,
      expiresAt,
    });
    // The event log never holds the secret: only what the key list shows.
    await recordEvent(trx, caller, caller.orgId, 'api_key.created', shown.id, { ...shown });
    return { ...shown, key };
  });
}

export async function revokeOrgApiKey(db: Kysely<Database>, caller: Caller, id: string): Promise<ApiKeyView> {
  requireAdmin(caller, 'manage API keys');
  if (!isPlausibleId(id)) throw notFound(`API key ${id} not found`);
  return db.transaction().execute(async (trx) => {
    const revoked = await revokeApiKey(trx, id, caller.orgId);
    await recordEvent(trx, caller, caller.orgId, 'api_key.revoked', id, { ...revoked });
    return revoked;
  });
}

/** How often last_used_at is written: often enough for "last used" in the admin, cheap on hot keys. */
const TOUCH_INTERVAL_MS = 60_000;

export type AuthenticatedKey = q.ApiKeyRow & {
  /** The org's default limit for keys without their own; null = the server default. */
  org_rate_limit: number | null;
};

export type KeyAuthentication =
  | { ok: true; key: AuthenticatedKey }
  | { ok: false; reason: 'unknown' | 'revoked' }
  | { ok: false; reason: 'expired'; expiredAt: number };

/** The live key behind a presented secret, or why there is none (unknown, revoked or expired). */
export async function authenticateKey(db: Kysely<Database>, presented: string): Promise<KeyAuthentication> {
  const hash = hashKey(presented);
  const row = await q.findApiKeyByHash(db, hash);
  if (!row || !sameHash(row.key_hash, hash)) return { ok: false, reason: 'unknown' };
  if (row.revoked_at !== null) return { ok: false, reason: 'revoked' };
  const now = Date.now();
  if (row.expires_at !== null && row.expires_at <= now) {
    return { ok: false, reason: 'expired', expiredAt: row.expires_at };
  }
  if (row.last_used_at === null || now - row.last_used_at > TOUCH_INTERVAL_MS) {
    // Not awaited: recording use must never slow down or fail the request it belongs to.
    q.touchApiKey(db, row.id, now).catch(() => {});
  }
  return { ok: true, key: row };
}
