import { Parser } from 'htmlparser2';
import { MalformedEmailError } from './parse-errors.js';

/**
 * Deeper than any mail client writes (Outlook's nested tables stay under ~60 levels), and far
 * below where the DOM walks of the sanitiser and html→text converter recurse out of stack.
 */
export const MAX_HTML_DEPTH = 200;
/** A long newsletter has a few thousand elements; this many costs the sanitiser ~0.1 s. */
export const MAX_HTML_ELEMENTS = 50_000;
/** The scan checks its counters between chunks, so a bomb is given up on early. */
const CHUNK = 64 * 1024;

/** Mail whose HTML is built to exhaust the server (nesting or element count): refused for good. */
export class EmailTooComplexError extends MalformedEmailError {
  constructor(message: string) {
    super(message);
    this.name = 'EmailTooComplexError';
  }
}

/**
 * Refuses HTML nested deeper than MAX_HTML_DEPTH or with more than MAX_HTML_ELEMENTS elements.
 * A streaming tokenizer (no tree, no recursion) counts as htmlparser2 would build the tree,
 * implied end tags included, so the cost stays linear in the size of the mail.
 */
export function assertHtmlWithinLimits(html: string): void {
  let depth = 0;
  let elements = 0;
  let refusal: string | null = null;
  const parser = new Parser(
    {
      onopentag() {
        depth++;
        elements++;
        if (refusal !== null) return;
        if (depth > MAX_HTML_DEPTH) refusal = `its HTML is nested more than ${MAX_HTML_DEPTH} elements deep`;
        else if (elements > MAX_HTML_ELEMENTS)
          refusal = `its HTML has more than ${MAX_HTML_ELEMENTS} elements`;
      },
      onclosetag() {
        depth = Math.max(0, depth - 1);
      },
    },
    { decodeEntities: false },
  );
  for (let start = 0; start < html.length && refusal === null; start += CHUNK) {
    parser.write(html.slice(start, start + CHUNK));
  }
  if (refusal === null) parser.end();
  if (refusal !== null) throw new EmailTooComplexError(refusal);
}
