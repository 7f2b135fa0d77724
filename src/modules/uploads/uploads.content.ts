import { Transform, type TransformCallback } from 'node:stream';
import { fileTypeFromBuffer } from 'file-type';
import { AppError } from '../../http/errors.js';

/** How much of a file the sniffer reads: what file-type needs to recognise every format it knows. */
export const SNIFF_BYTES = 4100;

/** Types a browser renders without running anything: the only ones served inline. */
const INLINE_TYPES = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
]);

export const MAX_NAME_LENGTH = 200;

/** Passes a stream through unchanged, keeping a copy of its first bytes for sniffing. */
export class HeadCapture extends Transform {
  private readonly chunks: Buffer[] = [];
  private captured = 0;

  constructor(private readonly limit: number = SNIFF_BYTES) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.captured < this.limit) {
      const part = chunk.subarray(0, this.limit - this.captured);
      this.chunks.push(Buffer.from(part));
      this.captured += part.length;
    }
    callback(null, chunk);
  }

  head(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** Valid UTF-8 without NUL; `partial` allows a character cut off at the end of the sample. */
function isText(head: Buffer, partial: boolean): boolean {
  if (head.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: partial });
    return true;
  } catch {
    return false;
  }
}

// WHATWG MIME sniffing's HTML signatures: what a browser would render as a page.
const HTML_START =
  /^<(?:!doctype html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p)[\s>]|^<!--/;

/** Markup a browser would treat as active content, recognised from the text's first tag. */
function markupType(head: Buffer): string | undefined {
  const text = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()
    .slice(0, 1024)
    .toLowerCase();
  if (text.startsWith('<?xml')) {
    if (text.includes('<svg')) return 'image/svg+xml';
    if (text.includes('<html')) return 'application/xhtml+xml';
    return 'application/xml';
  }
  if (/^<svg[\s>]/.test(text)) return 'image/svg+xml';
  if (HTML_START.test(text)) return 'text/html';
  return undefined;
}

/**
 * The content type of a file from its first bytes, never from what the client declared: a
 * known binary signature, else markup a browser would run, else text/plain for UTF-8 text,
 * else application/octet-stream.
 */
export async function sniffContentType(head: Buffer, partial: boolean): Promise<string> {
  const detected = await fileTypeFromBuffer(head);
  if (detected)
    return detected.mime === 'application/xml' ? (markupType(head) ?? detected.mime) : detected.mime;
  if (!isText(head, partial)) return 'application/octet-stream';
  return markupType(head) ?? 'text/plain';
}

/**
 * A display name that is safe to store and echo: the last path segment only, without control
 * or bidi-override characters or leading dots, at most MAX_NAME_LENGTH characters.
 */
export function sanitizeFilename(raw: string | undefined): string {
  let name = (raw ?? '').normalize('NFC');
  name = name.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  name = name.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');
  name = name.trim().replace(/^\.+/, '').trim();
  const chars = [...name];
  if (chars.length > MAX_NAME_LENGTH) {
    const dot = name.lastIndexOf('.');
    const extension = dot > 0 ? [...name.slice(dot)] : [];
    const keep = extension.length > 0 && extension.length <= 20 ? extension : [];
    name = chars.slice(0, MAX_NAME_LENGTH - keep.length).join('') + keep.join('');
  }
  return name || 'file';
}

/** RFC 5987 encoding for `filename*`. */
function encodeExtValue(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Headers for serving a stored file: active or unknown types only ever as downloads. */
export function downloadHeaders(file: { name: string; size: number; contentType: string }) {
  const inline = INLINE_TYPES.has(file.contentType);
  const fallback = file.name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return {
    'content-type': file.contentType === 'text/plain' ? 'text/plain; charset=utf-8' : file.contentType,
    'content-length': String(file.size),
    'content-disposition': `${inline ? 'inline' : 'attachment'}; filename="${fallback}"; filename*=UTF-8''${encodeExtValue(file.name)}`,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "sandbox; default-src 'none'",
    'cache-control': 'private, no-store',
  };
}

/** The 413 for a file over TALKI_UPLOAD_MAX_BYTES, naming it when known. */
export function tooLarge(limit: number, name?: string): AppError {
  const which = name === undefined ? 'A file' : `File "${name}"`;
  return new AppError('PAYLOAD_TOO_LARGE', 413, `${which} is larger than the limit of ${limit} bytes`, {
    limit,
  });
}
