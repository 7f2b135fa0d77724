import type { Kysely, Selectable } from 'kysely';
import type { Database, OrgsTable } from '../../db/schema.js';
import { requireAdmin, type Caller } from '../../http/caller.js';
import { invalidField, notFound } from '../../http/errors.js';
import { isoTime, newId } from '../../lib/ids.js';
import { addAgent, type AgentView } from '../agents/agents.service.js';
import { createApiKey } from '../api-keys/api-keys.service.js';
import { recordEvent } from '../events/events.service.js';
import * as q from './orgs.queries.js';
import type { OrgSettingsView, UpdateOrgBody } from './orgs.schemas.js';

export interface OrgView {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
}

export interface NewOrg {
  name: string;
  adminEmail: string;
  adminName: string;
  adminPassword?: string | undefined;
}

export interface CreatedOrg {
  org: OrgView;
  /** The secret API key, shown once. */
  apiKey: string;
  /** The public key for the widget snippet. */
  widgetKey: string;
  admin: AgentView;
}

/** The default ticket code prefix: the name's letters and digits, upper-cased ("Acme Inc" → ACME). */
export function codePrefixFor(name: string): string {
  const firstWord = name
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .find((w) => w.length >= 2);
  return (firstWord ?? 'TKT').slice(0, 6);
}

/** A working org in one transaction: the org, its admin agent, a secret key and a widget key. */
export async function createOrg(db: Kysely<Database>, input: NewOrg): Promise<CreatedOrg> {
  return db.transaction().execute(async (trx) => {
    const now = Date.now();
    const org = {
      id: newId('org', now),
      name: input.name,
      code_prefix: codePrefixFor(input.name),
      created_at: now,
      updated_at: now,
    };
    await q.insertOrg(trx, org);
    const admin = await addAgent(trx, {
      orgId: org.id,
      email: input.adminEmail,
      name: input.adminName,
      role: 'admin',
      password: input.adminPassword,
    });
    const apiKey = await createApiKey(trx, {
      orgId: org.id,
      kind: 'secret',
      name: 'Default key',
      scope: 'write',
    });
    const widgetKey = await createApiKey(trx, {
      orgId: org.id,
      kind: 'widget',
      name: 'Widget',
      scope: 'read',
    });
    return {
      org: { id: org.id, name: org.name, createdAt: isoTime(now), updatedAt: isoTime(now) },
      apiKey: apiKey.key,
      widgetKey: widgetKey.key,
      admin,
    };
  });
}

export async function requireOrg(db: Kysely<Database>, id: string): Promise<OrgView> {
  const org = await q.findOrg(db, id);
  if (!org) throw notFound(`Organization ${id} not found`);
  return {
    id: org.id,
    name: org.name,
    createdAt: isoTime(org.created_at),
    updatedAt: isoTime(org.updated_at),
  };
}

function settingsView(row: Selectable<OrgsTable>): OrgSettingsView {
  return {
    id: row.id,
    name: row.name,
    codePrefix: row.code_prefix,
    defaultRateLimit: row.default_rate_limit,
    timeZone: row.time_zone,
    supportName: row.support_name ?? row.name,
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
}

/** The canonical name of an IANA time zone ("europe/paris" → "Europe/Paris"), or undefined if unknown. */
function canonicalTimeZone(name: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** The caller's organization and its settings; every caller may read them. */
export async function getOrgSettings(db: Kysely<Database>, caller: Caller): Promise<OrgSettingsView> {
  const row = await q.findOrg(db, caller.orgId);
  if (!row) throw notFound(`Organization ${caller.orgId} not found`);
  return settingsView(row);
}

export async function updateOrgSettings(
  db: Kysely<Database>,
  caller: Caller,
  input: UpdateOrgBody,
): Promise<OrgSettingsView> {
  requireAdmin(caller, 'change organization settings');
  let timeZone: string | undefined;
  if (input.timeZone !== undefined) {
    timeZone = canonicalTimeZone(input.timeZone.trim());
    if (!timeZone) throw invalidField('timeZone', `"${input.timeZone}" is not an IANA time zone`);
  }
  return db.transaction().execute(async (trx) => {
    const current = await q.lockOrg(trx, caller.orgId);
    if (!current) throw notFound(`Organization ${caller.orgId} not found`);
    const before = settingsView(current);
    const wanted: Partial<OrgSettingsView> = {
      ...(input.name !== undefined && { name: input.name.trim() }),
      ...(input.codePrefix !== undefined && { codePrefix: input.codePrefix }),
      ...(input.defaultRateLimit !== undefined && { defaultRateLimit: input.defaultRateLimit }),
      ...(timeZone !== undefined && { timeZone }),
    };
    // null stored = follow the org's name, so an unset support name follows a renamed org.
    let supportName = current.support_name;
    if (input.supportName !== undefined) supportName = input.supportName?.trim() ?? null;
    wanted.supportName = supportName ?? wanted.name ?? before.name;
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const [field, to] of Object.entries(wanted)) {
      const from = before[field as keyof OrgSettingsView];
      if (from !== to) changes[field] = { from, to };
    }
    if (supportName !== current.support_name) {
      changes.supportName ??= { from: before.supportName, to: wanted.supportName };
    }
    if (Object.keys(changes).length === 0) return before;
    const now = Math.max(Date.now(), current.updated_at + 1);
    const after = { ...before, ...wanted, updatedAt: isoTime(now) };
    await q.updateOrg(trx, caller.orgId, {
      name: after.name,
      code_prefix: after.codePrefix,
      default_rate_limit: after.defaultRateLimit,
      time_zone: after.timeZone,
      support_name: supportName,
      updated_at: now,
    });
    await recordEvent(trx, caller, caller.orgId, 'org.updated', caller.orgId, { org: after, changes });
    return after;
  });
}

/** Who customers see as the author of a reply no person wrote (an API key's, say). */
export async function supportNameOf(db: Kysely<Database>, orgId: string): Promise<string> {
  const row = await q.supportNameOf(db, orgId);
  return row?.support_name ?? row?.name ?? 'Support';
}

/** The prefix of the org's ticket codes (ACME in ACME-42). */
export async function ticketCodePrefix(db: Kysely<Database>, orgId: string): Promise<string> {
  return (await q.codePrefixOf(db, orgId))?.code_prefix ?? 'TKT';
}
