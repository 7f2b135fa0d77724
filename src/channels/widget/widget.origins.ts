import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { SecretBox } from '../secret-box.js';
import { widgetChannel } from '../../modules/channels/channels.lookup.js';

/** scheme://host[:port] as browsers send it in Origin (default ports dropped), or undefined. */
export function normalizeOrigin(value: string): string | undefined {
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a page at `origin` may use the widget: any when none are listed, else an exact match. */
export function originAllowed(allowed: readonly string[], origin: string): boolean {
  if (allowed.length === 0) return true;
  const normalized = normalizeOrigin(origin);
  return normalized !== undefined && allowed.some((entry) => normalizeOrigin(entry) === normalized);
}

/** The org's allowed origins (empty: any), read at each request so an admin's change applies at once. */
export async function allowedWidgetOrigins(
  db: Kysely<Database>,
  box: SecretBox,
  orgId: string,
): Promise<string[]> {
  return (await widgetChannel(db, box, orgId)).settings.allowedOrigins;
}

/** The check the widget scope runs once it knows the org (see http/widget-auth.ts). */
export function widgetOriginCheck(db: Kysely<Database>, box: SecretBox) {
  return async (orgId: string, origin: string) =>
    originAllowed(await allowedWidgetOrigins(db, box, orgId), origin);
}
