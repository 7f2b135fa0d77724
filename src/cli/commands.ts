import type { ApiKeyScope } from '../db/schema.js';
import { addAgent } from '../modules/agents/agents.service.js';
import { createApiKey, listApiKeys, revokeApiKey } from '../modules/api-keys/api-keys.service.js';
import { createOrg, requireOrg } from '../modules/orgs/orgs.service.js';
import { withContext } from './context.js';
import { email, oneOf, optionalInteger, optionalString, requireString, type Options } from './options.js';

/** What a command returns: the JSON object for --json, and the lines a person reads otherwise. */
export interface CommandResult {
  json: unknown;
  text: string[];
}

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'org'
  );
}

export async function orgCreate(options: Options): Promise<CommandResult> {
  const name = requireString(options, 'name');
  const adminEmail = email(
    optionalString(options, 'admin-email') ?? `admin@${slug(name)}.localhost`,
    'admin-email',
  );
  const adminPassword = optionalString(options, 'admin-password');
  const adminName = optionalString(options, 'admin-name') ?? 'Admin';
  const created = await withContext(({ db }) =>
    createOrg(db.kysely, { name, adminEmail, adminName, adminPassword }),
  );
  return {
    json: {
      ...created,
      admin: { id: created.admin.id, email: created.admin.email, name: created.admin.name },
    },
    text: [
      `Created org ${created.org.name} (${created.org.id})`,
      `Admin agent:  ${created.admin.email} (${created.admin.id})${adminPassword ? '' : ' — no password set'}`,
      `Secret API key (shown once, keep it private): ${created.apiKey}`,
      `Widget key (public, for the chat snippet):     ${created.widgetKey}`,
    ],
  };
}

export async function apikeyCreate(options: Options): Promise<CommandResult> {
  const orgId = requireString(options, 'org');
  const name = optionalString(options, 'name') ?? 'API key';
  const scope = oneOf<ApiKeyScope>(options, 'scope', ['read', 'write'], 'write');
  const rateLimit = optionalInteger(options, 'rate-limit', 0, 1_000_000);
  const key = await withContext(async ({ db }) => {
    await requireOrg(db.kysely, orgId);
    return createApiKey(db.kysely, { orgId, kind: 'secret', name, scope, rateLimit: rateLimit ?? null });
  });
  return {
    json: { id: key.id, key: key.key, prefix: key.prefix, scope: key.scope, rateLimit: key.rateLimit },
    text: [
      `Created API key ${key.name} (${key.id}), scope ${key.scope}, ${describeLimit(key.rateLimit)}`,
      `Key (shown once, keep it private): ${key.key}`,
    ],
  };
}

function describeLimit(limit: number | null): string {
  if (limit === null) return 'default rate limit';
  return limit === 0 ? 'no rate limit' : `${limit} requests/min`;
}

export async function apikeyList(options: Options): Promise<CommandResult> {
  const orgId = requireString(options, 'org');
  const keys = await withContext(async ({ db }) => {
    await requireOrg(db.kysely, orgId);
    return listApiKeys(db.kysely, orgId);
  });
  return {
    json: { data: keys },
    text: keys.map(
      (k) =>
        `${k.id}  ${k.prefix}…  ${k.kind.padEnd(6)}  ${k.scope.padEnd(5)}  ${k.revokedAt ? 'revoked' : 'active '}  ${k.name}`,
    ),
  };
}

export async function apikeyRevoke(options: Options, positional: string[]): Promise<CommandResult> {
  const id = positional[0] ?? requireString(options, 'id');
  const orgId = optionalString(options, 'org');
  const key = await withContext(({ db }) => revokeApiKey(db.kysely, id, orgId));
  return { json: key, text: [`Revoked API key ${key.name} (${key.id})`] };
}

export async function agentCreate(options: Options): Promise<CommandResult> {
  const orgId = requireString(options, 'org');
  const agentEmail = email(requireString(options, 'email'), 'email');
  const name = optionalString(options, 'name') ?? agentEmail.split('@')[0]!;
  const role = oneOf(options, 'role', ['admin', 'agent'] as const, 'agent');
  const password = optionalString(options, 'password');
  const agent = await withContext(async ({ db }) => {
    await requireOrg(db.kysely, orgId);
    return addAgent(db.kysely, { orgId, email: agentEmail, name, role, password });
  });
  return {
    json: agent,
    text: [`Agent ${agent.name} <${agent.email}> (${agent.id}) is ${agent.role} of ${orgId}`],
  };
}
