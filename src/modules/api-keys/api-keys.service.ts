import type { Kysely } from 'kysely';
import type { ApiKeyKind, ApiKeyScope, Database } from '../../db/schema.js';
import { AppError, notFound } from '../../http/errors.js';
import { isoTime, newId } from '../../lib/ids.js';
import * as q from './api-keys.queries.js';
import { generateKey, hashKey, sameHash } from './api-keys.secrets.js';

export interface ApiKeyView {
  id: string;
  orgId: string;
  kind: ApiKeyKind;
  name: string;
  prefix: string;
  scope: ApiKeyScope;
  rateLimit: number | null;
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
}

function view(row: q.ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    orgId: row.org_id,
    kind: row.kind,
    name: row.name,
    prefix: row.prefix,
    scope: row.scope,
    rateLimit: row.rate_limit,
    createdAt: isoTime(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : isoTime(row.last_used_at),
    revokedAt: row.revoked_at === null ? null : isoTime(row.revoked_at),
  };
}

export async function createApiKey(db: Kysely<Database>, input: NewApiKey): Promise<CreatedApiKey> {
  const now = Date.now();
  const secret = generateKey(input.kind);
  const row = {
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
  };
  await q.insertApiKey(db, row);
  return { ...view(row), key: secret.key };
}

export async function listApiKeys(db: Kysely<Database>, orgId: string): Promise<ApiKeyView[]> {
  return (await q.listApiKeys(db, orgId)).map(view);
}

/** Revokes a key; `orgId` undefined means "whichever org owns it" (operator CLI). */
export async function revokeApiKey(db: Kysely<Database>, id: string, orgId?: string): Promise<ApiKeyView> {
  const row = orgId ? await q.findApiKey(db, orgId, id) : await q.findApiKeyAnyOrg(db, id);
  if (!row) throw notFound(`API key ${id} not found`);
  if (row.revoked_at !== null) throw new AppError('CONFLICT', 409, `API key ${id} is already revoked`);
  const now = Date.now();
  await q.revokeApiKey(db, row.org_id, id, now);
  return view({ ...row, revoked_at: now });
}

/** How often last_used_at is written: often enough for "last used" in the admin, cheap on hot keys. */
const TOUCH_INTERVAL_MS = 60_000;

/** The live key behind a presented secret, or undefined for unknown and revoked keys. */
export async function authenticateKey(
  db: Kysely<Database>,
  presented: string,
): Promise<q.ApiKeyRow | undefined> {
  const hash = hashKey(presented);
  const row = await q.findApiKeyByHash(db, hash);
  if (!row || !sameHash(row.key_hash, hash) || row.revoked_at !== null) return undefined;
  const now = Date.now();
  if (row.last_used_at === null || now - row.last_used_at > TOUCH_INTERVAL_MS) {
    // Not awaited: recording use must never slow down or fail the request it belongs to.
    q.touchApiKey(db, row.id, now).catch(() => {});
  }
  return row;
}
