import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { notFound } from '../../http/errors.js';
import { newId } from '../../lib/ids.js';
import { recordEvent } from '../events/events.service.js';
import { findOrCreateByEmail } from './customers.matching.js';
import * as q from './customers.queries.js';
import { view } from './customers.views.js';

/** Who wrote a message that came in on a channel. */
export type CustomerRef =
  /** The org's customer with this email (case-insensitive), created if new. */
  | { email: string; name?: string | null }
  /** The customer behind this chat on the message's channel (a Telegram chat id), created if new. */
  | { contact: { externalId: string; name: string | null; customFields?: Record<string, string> } }
  /** A known customer (a returning widget visitor). */
  | { customerId: string }
  /** The org's customer with this verified userId (a signed widget identity), created if new. */
  | { userId: string; email?: string | null; name?: string | null }
  /**
   * What a widget visitor typed or the page claimed, unverified: always a new customer, never an
   * existing one (anyone can type someone else's address or id). The address goes on it only
   * while no other customer has it; otherwise it is kept as the claimed email, beside the
   * claimed userId, so agents see what the visitor said without it being attributed to anyone.
   */
  | { claimed: { userId: string | null; email: string | null; name: string | null } }
  /** Someone who gave no address: a new customer with at most a name. */
  | { anonymous: { name: string | null } };

const clean = (value: string | null | undefined) => value?.trim() || null;

function newRow(
  orgId: string,
  at: number,
  fields: {
    name?: string | null;
    email?: string | null;
    userId?: string | null;
    claimedUserId?: string | null;
    claimedEmail?: string | null;
  },
) {
  const email = clean(fields.email);
  return {
    id: newId('cus', at),
    org_id: orgId,
    name: clean(fields.name),
    email,
    email_lower: email?.toLowerCase() ?? null,
    user_id: fields.userId ?? null,
    claimed_user_id: clean(fields.claimedUserId),
    claimed_email: clean(fields.claimedEmail),
    created_at: at,
    updated_at: at,
  };
}

/** Inserts a new customer and returns the row as a read would. */
async function insertNew(
  db: Kysely<Database>,
  row: ReturnType<typeof newRow>,
  customFields: Record<string, string> = {},
): Promise<q.CustomerRow> {
  const custom_fields = JSON.stringify(customFields);
  await q.insertCustomer(db, { ...row, custom_fields });
  return { ...row, phone: null, company: null, custom_fields, deleted_at: null };
}

async function byUserId(
  db: Kysely<Database>,
  orgId: string,
  ref: { userId: string; email?: string | null; name?: string | null },
  at: number,
): Promise<q.CustomerRow> {
  const email = clean(ref.email);
  // An email another customer holds stays theirs: the verified user gets one without it.
  const emailFree = email !== null && !(await q.findHolder(db, orgId, { emailLower: email.toLowerCase() }));
  await q.insertCustomerIfNew(db, newRow(orgId, at, { ...ref, email: emailFree ? email : null }));
  const customer = await q.lockCustomerByUserId(db, orgId, ref.userId);
  if (!customer) throw new Error(`no customer for userId ${ref.userId} after inserting one`);
  const name = clean(ref.name);
  const missing = {
    ...(customer.name === null && name !== null ? { name } : {}),
    ...(customer.email === null && emailFree ? { email, email_lower: email?.toLowerCase() ?? null } : {}),
  };
  if (Object.keys(missing).length === 0) return customer;
  await q.updateCustomer(db, orgId, customer.id, { ...missing, updated_at: at });
  return { ...customer, ...missing, updated_at: at };
}

async function byContact(
  db: Kysely<Database>,
  orgId: string,
  channelId: string | null,
  contact: { externalId: string; name: string | null; customFields?: Record<string, string> },
  at: number,
): Promise<q.CustomerRow> {
  if (channelId === null) throw new Error('a chat contact needs the channel it writes on');
  const known = await q.findContact(db, channelId, contact.externalId);
  const existing = known ? await q.lockCustomer(db, orgId, known.customer_id) : undefined;
  if (existing) return existing;
  const customer = await insertNew(db, newRow(orgId, at, { name: contact.name }), contact.customFields);
  await q.saveContact(db, {
    channel_id: channelId,
    external_id: contact.externalId,
    org_id: orgId,
    customer_id: customer.id,
    created_at: at,
  });
  return customer;
}

async function byClaim(
  db: Kysely<Database>,
  orgId: string,
  claim: { userId: string | null; email: string | null; name: string | null },
  at: number,
): Promise<q.CustomerRow> {
  const email = clean(claim.email);
  const taken = email !== null && (await q.findHolder(db, orgId, { emailLower: email.toLowerCase() }));
  const row = newRow(orgId, at, {
    name: claim.name,
    email: taken ? null : email,
    claimedEmail: taken ? email : null,
    claimedUserId: claim.userId,
  });
  // Unique on the email: a customer who took the address meanwhile keeps it, this one claims it.
  await q.insertCustomerIfNew(db, row);
  const inserted = await q.lockCustomer(db, orgId, row.id);
  if (inserted) return inserted;
  return insertNew(db, { ...row, email: null, email_lower: null, claimed_email: email });
}

/**
 * The customer a channel message is from, found or created inside the caller's transaction; a
 * new one is recorded as customer.created like any other creation.
 */
export async function customerForInbound(
  db: Kysely<Database>,
  orgId: string,
  channelId: string | null,
  ref: CustomerRef,
): Promise<q.CustomerRow> {
  const at = Date.now();
  let customer: q.CustomerRow;
  if ('userId' in ref) {
    customer = await byUserId(db, orgId, ref, at);
  } else if ('email' in ref) {
    customer = await findOrCreateByEmail(db, orgId, { email: ref.email, name: ref.name ?? undefined });
  } else if ('claimed' in ref) {
    customer = await byClaim(db, orgId, ref.claimed, at);
  } else if ('contact' in ref) {
    customer = await byContact(db, orgId, channelId, ref.contact, at);
  } else if ('customerId' in ref) {
    const found = await q.lockCustomer(db, orgId, ref.customerId);
    if (!found) throw notFound(`Customer ${ref.customerId} not found`);
    customer = found;
  } else {
    customer = await insertNew(db, newRow(orgId, at, { name: ref.anonymous.name }));
  }
  if (customer.created_at >= at) {
    await recordEvent(db, null, orgId, 'customer.created', customer.id, { customer: view(customer, 0) });
  }
  return customer;
}

/** The chat id replies to this customer go to on a chat channel, if they have written there. */
export async function chatOfCustomer(
  db: Kysely<Database>,
  orgId: string,
  channelId: string,
  customerId: string,
): Promise<string | null> {
  return (await q.contactOfCustomer(db, orgId, channelId, customerId))?.external_id ?? null;
}

/** A live customer's contact fields, as channels show them back to the person. */
export interface CustomerContact {
  id: string;
  name: string | null;
  email: string | null;
  /** An address the person typed in the widget that another customer holds (see CustomerRef). */
  claimedEmail: string | null;
  created_at: number;
}

const contactOf = (row: q.CustomerRow | undefined): CustomerContact | undefined =>
  row && {
    id: row.id,
    name: row.name,
    email: row.email,
    claimedEmail: row.claimed_email,
    created_at: row.created_at,
  };

/** The live customer with this id. */
export async function liveCustomer(db: Kysely<Database>, orgId: string, id: string) {
  return contactOf(await q.findCustomer(db, orgId, id));
}

/** The live customer with this (verified) userId. */
export async function customerByUserId(db: Kysely<Database>, orgId: string, userId: string) {
  return contactOf(await q.findCustomerByUserId(db, orgId, userId));
}
