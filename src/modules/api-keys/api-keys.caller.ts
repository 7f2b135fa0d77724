import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Caller } from '../../http/caller.js';
import { forbidden, notFound, unauthorized } from '../../http/errors.js';
import { authenticateKey, type AuthenticatedKey } from './api-keys.service.js';

/**
 * The caller a secret API key stands for, by the REST API's rules: expired and revoked keys are a
 * 401, the public widget key a 403 (`surface` names what needed a secret key), a key of another
 * org than `orgId` a 404. The REST API and the event stream both sign keys in here.
 */
export async function apiKeyCaller(
  db: Kysely<Database>,
  token: string,
  orgId: string | undefined,
  surface: string,
): Promise<{ caller: Caller; key: AuthenticatedKey }> {
  const result = await authenticateKey(db, token);
  if (!result.ok) {
    throw unauthorized(
      result.reason === 'expired'
        ? `This API key expired at ${new Date(result.expiredAt).toISOString()}`
        : 'Invalid or revoked API key',
    );
  }
  const key = result.key;
  if (key.kind === 'widget') {
    throw forbidden(`This is the public widget key; ${surface} needs a secret API key`);
  }
  if (orgId && orgId !== key.org_id) {
    throw notFound(`Organization ${orgId} not found: this API key belongs to another organization`);
  }
  const caller: Caller = {
    orgId: key.org_id,
    actorType: 'api_key',
    actorId: key.id,
    name: key.name,
    role: key.scope === 'write' ? 'admin' : 'agent',
    scope: key.scope,
  };
  return { caller, key };
}
