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

/** `known` are the form's own field names: an error naming another field goes to the alert. */
export function formErrorsOf(error: unknown, known: readonly string[]): FormErrors {
  if (!(error instanceof ApiError)) {
    return { fields: {}, general: error instanceof Error ? error.message : 'Something went wrong' };
  }
  const fields: Record<string, string> = {};
  const listed = (error.details as { fields?: unknown } | null)?.fields;
  if (Array.isArray(listed)) {
    for (const item of listed as Array<{ field?: unknown; message?: unknown }>) {
      const field = typeof item.field === 'string' ? item.field : '';
      if (known.includes(field) && typeof item.message === 'string' && !fields[field]) {
        fields[field] = `${capitalise(field)} ${item.message}`;
      }
    }
  }
  return { fields, general: Object.keys(fields).length > 0 ? null : error.message };
}

function capitalise(field: string): string {
  const words = field.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
