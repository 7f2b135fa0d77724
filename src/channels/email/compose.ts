/** How many earlier Message-IDs a reply's References carries: enough for any client to thread. */
export const MAX_REFERENCES = 20;

/** The part of an address after the last @, lower-cased. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/**
 * The Message-ID of an agent message's mail: derived from the message id, so every retry of a
 * delivery sends the same one and a duplicate is recognisable (and recognised as Talki's own
 * mail if it ever comes back in).
 */
export function outboundMessageId(messageId: string, channelAddress: string): string {
  return `<${messageId}@${domainOf(channelAddress)}>`;
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
