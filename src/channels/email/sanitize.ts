import sanitizeHtml from 'sanitize-html';

/** Formatting an agent needs to read a customer's mail; nothing that runs, loads or submits. */
const ALLOWED_TAGS = [
  ...['p', 'br', 'hr', 'div', 'span', 'blockquote', 'pre', 'code'],
  ...['b', 'strong', 'i', 'em', 'u', 's', 'strike', 'del', 'ins', 'sub', 'sup', 'small', 'mark'],
  ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'],
  ...['ul', 'ol', 'li', 'dl', 'dt', 'dd'],
  ...['table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td'],
  'a',
  'img',
];

/** Elements whose content is not text a reader should see (code, styles, titles, fallbacks). */
const DROPPED_WITH_CONTENT = [
  ...['script', 'style', 'noscript', 'template', 'head', 'title'],
  ...['textarea', 'select', 'option', 'button'],
  ...['iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'svg', 'math'],
];

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  // No style or class attribute: CSS can hide text, overlay the app or load remote content.
  allowedAttributes: {
    a: ['href', 'title', 'rel', 'target'],
    img: ['src', 'alt', 'width', 'height'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan'],
    ol: ['start'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  // Remote images are tracking pixels; inline ones stay as cid: references to the message's parts.
  allowedSchemesByTag: { img: ['cid'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  nonTextTags: DROPPED_WITH_CONTENT,
  transformTags: {
    a: (tagName, attribs) => ({
      tagName,
      attribs: { ...attribs, rel: 'noopener noreferrer nofollow', target: '_blank' },
    }),
  },
  // An image whose source was removed (remote, data:) would render as a broken box.
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
};

/** The HTML of an email made safe to show to agents; null when nothing visible is left. */
export function sanitizeEmailHtml(html: string): string | null {
  const clean = sanitizeHtml(html, OPTIONS).trim();
  return clean === '' ? null : clean;
}
