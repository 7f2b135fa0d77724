const EXCERPT_CHARS = 200;
/** Only the start of a body can reach an excerpt; the regular expressions never see more. */
const SCANNED_CHARS = 2_000;

/** The start of a markdown body as plain text, cut at a word, for lists and suggestions. */
export function excerptOf(markdown: string): string {
  const text = markdown
    .slice(0, SCANNED_CHARS)
    .replace(/!\[([^\]\n]*)\]\([^)\n]*\)/g, '$1')
    .replace(/\[([^\]\n]*)\]\([^)\n]*\)/g, '$1')
    .replace(/<[^>\n]*>/g, ' ')
    .replace(/[#>*_`~|]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...text];
  if (chars.length <= EXCERPT_CHARS) return text;
  const cut = chars.slice(0, EXCERPT_CHARS).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > EXCERPT_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
