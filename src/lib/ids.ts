import { monotonicFactory, ulid } from 'ulid';

/** Every id Talki hands out: a type prefix and a ULID, so ids sort by creation time. */
export type IdPrefix =
  | 'org'
  | 'agent'
  | 'tkt'
  | 'msg'
  | 'cus'
  | 'key'
  | 'req'
  | 'evt'
  | 'tag'
  | 'col'
  | 'art'
  | 'time'
  | 'upl'
  | 'rtk'
  | 'sess'
  | 'job'
  | 'chn'
  | 'vis'
  | 'canned';

const nextUlid = monotonicFactory();

/** A new time-sortable id; `at` (epoch ms) lets a row's id and createdAt agree exactly. */
export function newId(prefix: IdPrefix, at: number = Date.now()): string {
  return `${prefix}_${nextUlid(at).toLowerCase()}`;
}

/**
 * An id for a row dated `at` in the past (seeded data): unlike newId it is not bumped past ids
 * already handed out, so rows written out of time order still sort by their own time.
 */
export function idAt(prefix: IdPrefix, at: number): string {
  return `${prefix}_${ulid(at).toLowerCase()}`;
}

/** Epoch milliseconds → the API's timestamp format (ISO 8601 UTC with milliseconds). */
export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/**
 * Whether a value could be one of our ids at all; anything else names nothing (a 404) without
 * a lookup, and never reaches a query (NULs, very long strings).
 */
export function isPlausibleId(value: string): boolean {
  return /^[A-Za-z0-9_-]{1,100}$/.test(value);
}
