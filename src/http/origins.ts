/** scheme://host[:port] as browsers send it in Origin (default ports dropped), or undefined. */
export function normalizeOrigin(value: string): string | undefined {
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a page at `origin` may call: any when none are listed, else an exact match. */
export function originAllowed(allowed: readonly string[], origin: string): boolean {
  if (allowed.length === 0) return true;
  const normalized = normalizeOrigin(origin);
  return normalized !== undefined && allowed.some((entry) => normalizeOrigin(entry) === normalized);
}
