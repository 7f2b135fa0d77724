import { htmlToText } from 'html-to-text';
import { simpleParser, type AddressObject, type Attachment, type HeaderLines } from 'mailparser';
import type { InboundFile } from '../types.js';
import { assertHtmlWithinLimits } from './html-limits.js';
import { MalformedEmailError } from './parse-errors.js';
import { foldQuotedText } from './quotes.js';
import { sanitizeEmailHtml } from './sanitize.js';

export { MalformedEmailError } from './parse-errors.js';
export { EmailTooComplexError } from './html-limits.js';

/** Header name (lower case) → every value it has, unfolded, in order. */
export type EmailHeaders = ReadonlyMap<string, string[]>;

export interface EmailAddress {
  /** As written; compare lower-cased. */
  address: string;
  name: string | null;
}

export interface ParsedEmail {
  /** `<id@host>`, or null when the mail has none. */
  messageId: string | null;
  /** Message-IDs with their angle brackets, as in the headers. */
  inReplyTo: string[];
  references: string[];
  from: EmailAddress;
  to: string[];
  cc: string[];
  subject: string;
  /** The ticket code in the subject's `[ACME-42]`, upper-cased. */
  subjectCode: string | null;
  /** What the customer wrote this time: the body without trailing quoted history and signature. */
  text: string;
  /** The whole plain-text body (or the text of the HTML when there is no text part). */
  fullText: string;
  /** `Authentication-Results` headers their receiving MTAs added (SPF, DKIM, DMARC verdicts). */
  authenticationResults: string[];
  /** The HTML body, sanitised; null when there is none. */
  html: string | null;
  attachments: InboundFile[];
  /** The top-level headers, for the automation checks. */
  headers: EmailHeaders;
}

/** Long threads carry every ancestor in References; the nearest ones are enough to thread by. */
const MAX_REFERENCES = 50;

const MESSAGE_ID = /<[^<>\s]+>/g;
const ADDRESS = /^[^\s@<>"]+@[^\s@<>"]+$/;
/** `[ACME-42]`: a ticket code as Talki puts it in reply subjects (org prefix, a dash, the number). */
const SUBJECT_CODE = /\[([a-z0-9]{2,10}-\d{1,9})\]/gi;

/** PostgreSQL text cannot hold U+0000, and no mail text needs it. */
const withoutNul = (text: string) => text.replaceAll('\0', '');

function headerMap(lines: HeaderLines): EmailHeaders {
  const headers = new Map<string, string[]>();
  for (const { key, line } of lines) {
    const value = line
      .slice(line.indexOf(':') + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    headers.set(key, [...(headers.get(key) ?? []), value]);
  }
  return headers;
}

function messageIds(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((value) => value.match(MESSAGE_ID) ?? []);
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return objects
    .flatMap((object) => object.value)
    .flatMap((entry) => (entry.group ? entry.group : [entry]))
    .map((entry) => entry.address?.trim().toLowerCase() ?? '')
    .filter((address) => ADDRESS.test(address));
}

function sender(field: AddressObject | undefined): EmailAddress {
  const first = field?.value.find((entry) => entry.address && ADDRESS.test(entry.address.trim()));
  if (!first?.address) throw new MalformedEmailError('no parsable From address');
  const name = withoutNul(first.name).trim();
  return { address: first.address.trim(), name: name === '' ? null : name };
}

/** The last `[CODE-n]` in a subject: replies keep Talki's code at the end. */
export function subjectCodeOf(subject: string): string | null {
  const codes = [...subject.matchAll(SUBJECT_CODE)];
  return codes.at(-1)?.[1]?.toUpperCase() ?? null;
}

/**
 * The files to keep. Images of multipart/related (logos and signatures the HTML shows inline)
 * are dropped, unless the mail has no text: then a pasted picture is the whole message.
 */
function files(attachments: Attachment[], text: string): InboundFile[] {
  const keepInline = text.trim() === '';
  return attachments
    .filter((attachment) => keepInline || !attachment.related)
    .map((attachment) => ({
      filename: attachment.filename === undefined ? undefined : withoutNul(attachment.filename),
      declaredType: attachment.contentType,
      content: attachment.content,
    }));
}

/** Readable text of sanitised HTML: links as `text [url]`, no images (only cid: ones are left). */
function htmlText(html: string): string {
  return htmlToText(html, {
    selectors: [{ selector: 'img', format: 'skip' }],
  }).trimEnd();
}

/** An RFC 822 message as Talki uses it; throws MalformedEmailError when it is not a usable one. */
export async function parseEmail(raw: Buffer): Promise<ParsedEmail> {
  if (raw.toString('latin1').trim() === '') throw new MalformedEmailError('the message is empty');
  // cid: links stay as they are instead of becoming data: URLs inlined into the HTML. Its own
  // html→text recurses over an unbounded tree: text is made below, after the limits are checked.
  const mail = await simpleParser(raw, { keepCidLinks: true, skipHtmlToText: true });
  if (mail.headers.size === 0) throw new MalformedEmailError('the message has no header section');
  const headers = headerMap(mail.headerLines);
  const from = sender(mail.from);
  // The types say `false` when there is no HTML part; mailparser 3.9 leaves it undefined.
  const rawHtml = typeof mail.html === 'string' ? withoutNul(mail.html) : null;
  if (rawHtml !== null) assertHtmlWithinLimits(rawHtml);
  const html = rawHtml === null ? null : sanitizeEmailHtml(rawHtml);
  const plain = withoutNul(mail.text ?? '').trimEnd();
  // From the sanitised HTML, so that tracking pixels and other removed content leave no URL behind.
  const fullText = plain.trim() === '' && html !== null ? htmlText(html) : plain;
  const text = foldQuotedText(fullText);
  const subject = withoutNul(mail.subject ?? '').trim();
  const attachments = files(mail.attachments, fullText);
  if (subject === '' && fullText.trim() === '' && html === null && attachments.length === 0) {
    throw new MalformedEmailError('the message has neither a subject nor any content');
  }
  const messageId = messageIds(headers.get('message-id'))[0] ?? null;
  return {
    messageId,
    inReplyTo: messageIds(headers.get('in-reply-to')),
    references: messageIds(headers.get('references')).slice(-MAX_REFERENCES),
    from,
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    subject,
    subjectCode: subjectCodeOf(subject),
    text,
    fullText,
    authenticationResults: headers.get('authentication-results') ?? [],
    html,
    attachments,
    headers,
  };
}
