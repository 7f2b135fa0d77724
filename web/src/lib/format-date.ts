const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const DATE = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** "3 Dec 2026, 12:04" for lists; `never` for a null time. */
export function formatDateTime(iso: string | null, never = 'Never'): string {
  return iso ? DATE_TIME.format(new Date(iso)) : never;
}

export function formatDate(iso: string): string {
  return DATE.format(new Date(iso));
}
