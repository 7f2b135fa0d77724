import { AppError, badRequest, invalidField } from '../../http/errors.js';
import {
  MAX_CUSTOM_FIELD_KEY,
  MAX_CUSTOM_FIELDS,
  type CustomFields,
  type CustomFieldValue,
} from './customers.schemas.js';

/** Contact fields as the API names them; a customer needs at least one of the identifying ones. */
export interface Contact {
  name: string | null;
  email: string | null;
  phone: string | null;
  company: string | null;
  userId: string | null;
}

const IDENTIFYING = ['name', 'email', 'phone', 'userId'] as const;

export function requireIdentity(contact: Contact): void {
  if (IDENTIFYING.some((field) => contact[field] !== null)) return;
  throw badRequest('A customer needs at least one of name, email, phone or userId', {
    fields: IDENTIFYING.map((field) => ({
      field,
      message: 'at least one of name, email, phone or userId is required',
    })),
  });
}

const PHONE_CHARACTERS = /^\+?[0-9 ()./-]+$/;

/** Trimmed; only what phone numbers are written with, and enough digits to be one. */
export function normalisePhone(phone: string): string {
  const trimmed = phone.trim();
  if (!PHONE_CHARACTERS.test(trimmed)) {
    throw invalidField('phone', 'may contain only digits, spaces, a leading + and ( ) - . /');
  }
  if ((trimmed.match(/[0-9]/g) ?? []).length < 3)
    throw invalidField('phone', 'must contain at least 3 digits');
  return trimmed;
}

/** Trims optional text; null and absent stay as they are. */
export function trimmed<T extends string | null | undefined>(value: T): T {
  return (typeof value === 'string' ? value.trim() : value) as T;
}

export function parseCustomFields(json: string): CustomFields {
  return JSON.parse(json) as CustomFields;
}

/**
 * `changes` applied to `current`: each key sent is set, a null value removes the key. Keys are
 * checked here because the schema can only say that values are well-typed.
 */
export function applyCustomFields(
  current: CustomFields,
  changes: Record<string, CustomFieldValue | null>,
): CustomFields {
  const next: CustomFields = { ...current };
  for (const [key, value] of Object.entries(changes)) {
    if (key.trim() === '' || key.length > MAX_CUSTOM_FIELD_KEY) {
      throw invalidField(
        `customFields.${key}`,
        `keys must be 1–${MAX_CUSTOM_FIELD_KEY} characters and not blank`,
      );
    }
    if (value === null) delete next[key];
    else next[key] = value;
  }
  if (Object.keys(next).length > MAX_CUSTOM_FIELDS) {
    throw invalidField('customFields', `a customer may have at most ${MAX_CUSTOM_FIELDS} custom fields`);
  }
  return next;
}

/** The target's fields win; the source adds the keys the target lacks. */
export function mergeCustomFields(target: CustomFields, source: CustomFields): CustomFields {
  const merged = { ...source, ...target };
  if (Object.keys(merged).length > MAX_CUSTOM_FIELDS) {
    throw new AppError(
      'CONFLICT',
      409,
      `Together the two customers have ${Object.keys(merged).length} custom fields; a customer may have at most ${MAX_CUSTOM_FIELDS}. Remove some first.`,
      { fields: [{ field: 'customFields', message: `more than ${MAX_CUSTOM_FIELDS} fields after merging` }] },
    );
  }
  return merged;
}

export function sameFields(a: CustomFields, b: CustomFields): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}
