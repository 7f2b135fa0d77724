import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { notFound } from '../../http/errors.js';
import { isoTime, newId } from '../../lib/ids.js';
import { addAgent, type AgentView } from '../agents/agents.service.js';
import { createApiKey } from '../api-keys/api-keys.service.js';
import * as q from './orgs.queries.js';

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

/** A working org in one transaction: the org, its admin agent, a secret key and a widget key. */
export async function createOrg(db: Kysely<Database>, input: NewOrg): Promise<CreatedOrg> {
  return db.transaction().execute(async (trx) => {
    const now = Date.now();
    const org = { id: newId('org', now), name: input.name, created_at: now, updated_at: now };
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
