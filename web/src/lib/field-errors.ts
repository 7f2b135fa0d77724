import { ApiError } from './api-client';

/**
 * A form's API error split for display: messages for the fields it names (the standard
 * `details.fields: [{ field, message }]`), and the rest as one message for an alert.
 */
export interface FormErrors {
  fields: Record<string, string>;
  /** Shown in an alert when no field of the form carries the error. */
  general: string | null;
}

export const NO_FORM_ERRORS: FormErrors = { fields: {}, general: null };

/**
 * `labels` maps the form's own API field names to their visible labels; an error naming another
 * field goes to the alert. No error (a mutation's `error` before it failed) gives NO_FORM_ERRORS.
 */
export function formErrorsOf(error: unknown, labels: Record<string, string>): FormErrors {
  if (error === null || error === undefined) return NO_FORM_ERRORS;
  if (!(error instanceof ApiError)) {
    return { fields: {}, general: error instanceof Error ? error.message : 'Something went wrong' };
  }
  const fields: Record<string, string> = {};
  const listed = (error.details as { fields?: unknown } | null)?.fields;
  if (Array.isArray(listed)) {
    for (const item of listed as Array<{ field?: unknown; message?: unknown }>) {
      // "allowedOrigins.2" belongs to the list as a whole; the first message per field wins.
      const field = typeof item.field === 'string' ? item.field.replace(/\.\d+$/, '') : '';
      const label = Object.hasOwn(labels, field) ? labels[field] : undefined;
      if (label && typeof item.message === 'string' && !fields[field]) {
        fields[field] = `${label} ${readable(item.message)}`;
      }
    }
  }
  return { fields, general: Object.keys(fields).length > 0 ? null : error.message };
}

/** A regular expression means nothing to a person: the field's hint says what is expected. */
function readable(message: string): string {
  return message.startsWith('must match pattern') ? 'is not in the expected format' : message;
}
