/** A slug: lower-case ASCII letters and digits in words joined by single hyphens ("reset-your-password"). */
export const SLUG_PATTERN = '^[a-z0-9]+(?:-[a-z0-9]+)*$';
export const MAX_SLUG_LENGTH = 100;
/** Generated slugs stay shorter, leaving room for a "-2" suffix. */
const GENERATED_SLUG_LENGTH = 80;

/**
 * A slug made from a title: accents dropped, anything else that isn't a letter or digit
 * becomes a hyphen. A title with no Latin letters or digits gives `fallback`.
 */
export function slugify(title: string, fallback: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, GENERATED_SLUG_LENGTH)
    .replace(/^-+|-+$/g, '');
  return slug || fallback;
}

/** `base` if free, else the first free `base-2`, `base-3`, … given the slugs already taken. */
export function firstFreeSlug(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!used.has(candidate)) return candidate;
  }
}
