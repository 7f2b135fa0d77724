/** How many earlier Message-IDs a reply's References carries: enough for any client to thread. */
export const MAX_REFERENCES = 20;

/** The part of an address after the last @, lower-cased. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** What the MAC in a Message-ID is for (see SecretBox.mac). */
export const THREAD_TOKEN_PURPOSE = 'email-thread';

/**
 * The Message-ID of an agent message's mail: `<msg_….token@domain>`, derived from the message
 * id, so every retry of a delivery sends the same one and a duplicate is recognisable (and
 * recognised as Talki's own mail if it ever comes back in). The token, a MAC of the message id,
 * makes the id unguessable: a reply naming it may thread into the ticket whoever sends it.
 */
export function outboundMessageId(messageId: string, channelAddress: string, token: string): string {
  return `<${messageId}.${token}@${domainOf(channelAddress)}>`;
}

/** `<msg_….token@…>` (or the token-less ids of earlier Talki versions): the message id and token. */
const TALKI_MESSAGE_ID = /^<(msg_[0-9a-z]{26})(?:\.([0-9a-f]{8,64}))?@[^<>\s]+>$/i;

export function parseTalkiMessageId(id: string): { messageId: string; token: string | null } | null {
  const match = TALKI_MESSAGE_ID.exec(id.trim());
  return match?.[1] ? { messageId: match[1].toLowerCase(), token: match[2] ?? null } : null;
}

const REPLY_PREFIX = /^\s*re\s*:/i;

/** `Re: <subject> [ACME-42]`, without a second "Re:" or code when the subject has them already. */
export function replySubject(subject: string, code: string): string {
  let line = subject.replace(/\s+/g, ' ').trim();
  if (!REPLY_PREFIX.test(line)) line = line === '' ? 'Re:' : `Re: ${line}`;
  if (!line.toUpperCase().includes(`[${code.toUpperCase()}]`)) line = `${line} [${code}]`;
  return line;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** The HTML part of a plain-text reply: escaped, blank lines → paragraphs, newlines → <br>. */
export function textToHtml(text: string): string {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== '')
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>\n')}</p>`);
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n${paragraphs.join('\n')}\n</body></html>\n`;
}
