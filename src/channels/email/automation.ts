import { parseTalkiMessageId } from './compose.js';
import type { ParsedEmail } from './parse.js';

/** The header Talki puts on every mail it sends: seeing it come back in means a loop. */
export const TALKI_MESSAGE_HEADER = 'X-Talki-Message-Id';

const BULK_PRECEDENCE = new Set(['bulk', 'junk', 'list', 'auto_reply']);
const BOUNCE_SENDERS = new Set(['mailer-daemon', 'postmaster']);

/** The first value of a header, lower-cased, without parameters (`auto-replied; x=y` → `auto-replied`). */
function token(email: ParsedEmail, name: string): string | undefined {
  const value = email.headers.get(name)?.[0];
  return value?.split(';')[0]?.trim().toLowerCase();
}

const has = (email: ParsedEmail, name: string) => email.headers.has(name);

/**
 * Why this mail must not open or continue a ticket (an auto-reply, a list, a bounce, Talki's
 * own mail coming back), or null for mail a person wrote. Answering automated mail is how
 * helpdesks end up in reply loops with out-of-office responders. `envelopeFrom` is the SMTP
 * MAIL FROM when known: an empty one is the null sender of bounces.
 */
export function automatedReason(email: ParsedEmail, envelopeFrom?: string | null): string | null {
  const autoSubmitted = token(email, 'auto-submitted');
  if (autoSubmitted !== undefined && autoSubmitted !== 'no') return `Auto-Submitted: ${autoSubmitted}`;
  const precedence = token(email, 'precedence');
  if (precedence !== undefined && BULK_PRECEDENCE.has(precedence)) return `Precedence: ${precedence}`;
  if (has(email, 'x-autoreply')) return 'X-Autoreply';
  if (has(email, 'x-autorespond')) return 'X-Autorespond';
  // X-Auto-Response-Suppress is not among these: Outlook puts it on mail people write, asking
  // only that no auto-reply be sent back (Talki sends none).
  if (has(email, 'list-id')) return 'mailing list (List-Id)';
  if (has(email, 'list-unsubscribe')) return 'mailing list (List-Unsubscribe)';
  if (token(email, 'content-type') === 'multipart/report') return 'bounce (multipart/report)';
  const localPart = email.from.address.split('@')[0]?.toLowerCase() ?? '';
  if (BOUNCE_SENDERS.has(localPart)) return `bounce (from ${localPart})`;
  if (email.headers.get('return-path')?.some((value) => value.replace(/\s/g, '') === '<>')) {
    return 'bounce (Return-Path: <>)';
  }
  if (envelopeFrom === '') return 'bounce (null envelope sender)';
  if (has(email, TALKI_MESSAGE_HEADER.toLowerCase())) return `loop (${TALKI_MESSAGE_HEADER})`;
  if (email.messageId !== null && parseTalkiMessageId(email.messageId) !== null) {
    return 'loop (a Message-ID Talki generated)';
  }
  return null;
}
