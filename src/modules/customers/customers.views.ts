import { isoTime } from '../../lib/ids.js';
import { parseCustomFields, type Contact } from './customers.fields.js';
import type { CustomerRow } from './customers.queries.js';
import type { CustomerView } from './customers.schemas.js';

// Rows (snake_case, JSON text) to the API's shape and back.

export function view(row: CustomerRow, ticketCount: number): CustomerView {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    phone: row.phone,
    company: row.company,
    // A verified id wins; else what a widget visitor claimed, marked as such.
    userId: row.user_id ?? row.claimed_user_id,
    userIdVerified: row.user_id !== null,
    claimedEmail: row.claimed_email,
    customFields: parseCustomFields(row.custom_fields),
    ticketCount,
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
}

export function contactOf(row: CustomerRow): Contact {
  return { name: row.name, email: row.email, phone: row.phone, company: row.company, userId: row.user_id };
}

export function columnsOf(contact: Contact) {
  return {
    name: contact.name,
    email: contact.email,
    email_lower: contact.email?.toLowerCase() ?? null,
    phone: contact.phone,
    company: contact.company,
    user_id: contact.userId,
  };
}
