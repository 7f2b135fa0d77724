/**
 * Folding a reply down to what the customer wrote this time: the quoted history their mail
 * client appended and their signature are dropped from the text agents read (the sanitised
 * HTML and the message's source keep them).
 */

/** `On Mon, 3 Jun 2024 at 10:00, Bob <bob@x.com> wrote:` and its translations (Gmail, Apple Mail, Thunderbird). */
const ATTRIBUTION = [
  /^On\s.+\swrote:\s*$/i,
  /^Am\s.+\sschrieb\s.*:\s*$/i,
  /^Le\s.+\sa\s+écrit\s*:\s*$/i,
  /^El\s.+\sescribió:\s*$/i,
  /^Op\s.+\sschreef\s.*:\s*$/i,
];
/** Outlook and older clients: everything after it is the mail answered. */
const ORIGINAL_MESSAGE =
  /^\s*-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine)\s*-{2,}\s*$/i;
/** Outlook's separator line above its `From:/Sent:` block: underscores, or dashes when its HTML `<hr>` became text. */
const OUTLOOK_RULE = /^\s*(_{20,}|-{20,})\s*$/;
const HEADER_FROM = /^\s*\*?(From|Von|De)\s*:\*?\s+\S/i;
const HEADER_SENT = /^\s*\*?(Sent|Date|Gesendet|Envoyé|Datum)\s*:\*?\s+\S/i;
/** RFC 3676's signature separator ("-- "); many clients drop its trailing space. */
const SIGNATURE = /^-- ?$/;
const QUOTED = /^\s*>/;
/** A forward's headers introduce what the customer is sending on: that text stays. */
const FORWARD = /^\s*(-+\s*Forwarded message\s*-*|Begin forwarded message:)\s*$/i;

const isBlank = (line: string) => line.trim() === '';

/** How many lines the attribution starting at line i takes (0: none there). */
function attributionAt(lines: string[], i: number): number {
  const line = lines[i] ?? '';
  if (ATTRIBUTION.some((pattern) => pattern.test(line))) return 1;
  // Long attributions wrap: "On …, Bob <bob@x.com>" / "wrote:".
  const next = lines[i + 1];
  return /^On\s/i.test(line) && next !== undefined && ATTRIBUTION[0]!.test(`${line} ${next}`) ? 2 : 0;
}

/** `From: …` followed within a few lines by `Sent: …`: a forwarded-header block Outlook quotes under. */
function isOutlookHeaders(lines: string[], i: number): boolean {
  if (!HEADER_FROM.test(lines[i] ?? '')) return false;
  const before = lines.slice(0, i).findLast((line) => !isBlank(line));
  if (before !== undefined && FORWARD.test(before)) return false;
  return lines.slice(i + 1, i + 4).some((line) => HEADER_SENT.test(line));
}

/** Every non-blank line after `from` is quoted with `>`: the history, not an inline answer. */
function onlyQuotedAfter(lines: string[], from: number): boolean {
  return lines.slice(from).every((line) => isBlank(line) || QUOTED.test(line));
}

/** Where the quoted history or signature starts, or -1 when the whole text is the customer's. */
function foldPoint(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (SIGNATURE.test(line) || ORIGINAL_MESSAGE.test(line)) return i;
    if (
      OUTLOOK_RULE.test(line) &&
      lines.slice(i + 1, i + 3).some((_, k) => isOutlookHeaders(lines, i + 1 + k))
    )
      return i;
    if (isOutlookHeaders(lines, i)) return i;
    const attribution = attributionAt(lines, i);
    if (attribution > 0) {
      // Quoted with `>`, the rest must be all quote; an interleaved answer is the customer's text.
      const quoted = lines.slice(i + attribution).some((l) => QUOTED.test(l));
      if (!quoted || onlyQuotedAfter(lines, i + attribution)) return i;
    }
    if (QUOTED.test(line) && onlyQuotedAfter(lines, i)) return i;
  }
  return -1;
}

/** The text without its trailing quoted history and signature; the whole text when that is all it is. */
export function foldQuotedText(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const at = foldPoint(lines);
  if (at < 0) return text;
  const folded = lines.slice(0, at).join('\n').trimEnd();
  return folded.trim() === '' ? text : folded;
}
