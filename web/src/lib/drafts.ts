/**
 * Half-written replies and notes, kept per ticket in localStorage: they survive a reload, an
 * expired session and a sign-in again, and are dropped once sent.
 */
export type DraftMode = 'reply' | 'note';

const key = (ticketId: string, mode: DraftMode) => `talki.draft.${ticketId}.${mode}`;

export function loadDraft(ticketId: string, mode: DraftMode): string {
  return localStorage.getItem(key(ticketId, mode)) ?? '';
}

export function saveDraft(ticketId: string, mode: DraftMode, text: string): void {
  if (text.trim() === '') localStorage.removeItem(key(ticketId, mode));
  else localStorage.setItem(key(ticketId, mode), text);
}

export function clearDraft(ticketId: string, mode: DraftMode): void {
  localStorage.removeItem(key(ticketId, mode));
}
