import { ApiError } from './api-client';

/** A 400's `details.fields` ([{ field, message }]) as field → message, for showing next to controls. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const details = error.details as { fields?: Array<{ field?: unknown; message?: unknown }> } | null;
  const out: Record<string, string> = {};
  for (const entry of details?.fields ?? []) {
    if (typeof entry.field !== 'string' || typeof entry.message !== 'string') continue;
    // "allowedOrigins.2" belongs to the list as a whole; the first message per field wins.
    const field = entry.field.replace(/\.\d+$/, '');
    out[field] ??= entry.message;
  }
  return out;
}

/** The message for an alert when no field error explains the failure (or null when one does). */
export function formAlert(error: unknown, shownFields: readonly string[]): string | null {
  if (!error) return null;
  const fields = fieldErrors(error);
  if (shownFields.some((field) => fields[field])) return null;
  return error instanceof Error ? error.message : 'Something went wrong';
}
