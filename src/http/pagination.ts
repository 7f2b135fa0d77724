import { Type } from 'typebox';
import type { IdPrefix } from '../lib/ids.js';
import { badRequest } from './errors.js';

/**
 * Every list takes either `page` + `per_page` (with a total) or `limit` + `startingAfter`
 * (keyset: stable while rows are inserted, no OFFSET scan). Spread these into a query schema.
 */
export const PageParams = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000, description: 'Page number, from 1.' })),
  per_page: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 100, description: 'Results per page, 1–100 (default 25).' }),
  ),
};

/**
 * The one shape of a list position: an id as Talki hands them out (`tkt_01h…`). Anything else is
 * a 400 on every list, rather than a silent empty page from comparing ids with junk.
 */
export const CURSOR_PATTERN = '^[a-z]{2,6}_[0-9a-z]{1,40}$';

/** A `startingAfter`-style query parameter; `pattern` widens it where a list takes more (codes). */
export function cursorParam(description: string, pattern: string = CURSOR_PATTERN) {
  return Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern, description }));
}

export const CursorParams = {
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 100, description: 'Cursor paging: results per page, 1–100.' }),
  ),
  startingAfter: cursorParam(
    'Cursor paging: the id of the last item of the previous page (meta.nextCursor).',
  ),
};

/**
 * `CursorParams` for a list of `prefix`-ids: another list's id is no position in this one, so it
 * gets the same 400 as junk instead of a silent empty or shifted page.
 */
export function cursorParams(prefix: IdPrefix) {
  return {
    ...CursorParams,
    startingAfter: cursorParam(
      'Cursor paging: the id of the last item of the previous page (meta.nextCursor).',
      `^${prefix}_[0-9a-z]{1,40}$`,
    ),
  };
}

const CURSOR_NAMES = ['startingAfter', 'endingBefore'];

interface QuerySchema {
  properties?: Record<string, Record<string, unknown>>;
}

/**
 * A route's query schema with every cursor parameter given the shared shape, so a list that
 * declares its own `startingAfter` (events, a thread, the widget's conversations) still checks
 * it the same way as the rest.
 */
export function withCursorShape<S>(querystring: S): S {
  const properties = (querystring as QuerySchema).properties;
  if (!properties) return querystring;
  const loose = CURSOR_NAMES.filter((name) => properties[name] && properties[name].pattern === undefined);
  if (loose.length === 0) return querystring;
  const shaped = { ...properties };
  for (const name of loose) shaped[name] = { ...properties[name], pattern: CURSOR_PATTERN };
  return { ...querystring, properties: shaped };
}

export const DEFAULT_PER_PAGE = 25;

export type Paging =
  | { mode: 'page'; page: number; perPage: number }
  | { mode: 'cursor'; limit: number; startingAfter: string | undefined };

/** Which paging a request asked for; mixing the two styles is a 400. */
export function pagingOf(query: {
  page?: number | undefined;
  per_page?: number | undefined;
  limit?: number | undefined;
  startingAfter?: string | undefined;
}): Paging {
  const cursor = query.limit !== undefined || query.startingAfter !== undefined;
  if (cursor && (query.page !== undefined || query.per_page !== undefined)) {
    throw badRequest('Use either page/per_page or limit/startingAfter, not both', {
      fields: [
        {
          field: query.limit !== undefined ? 'limit' : 'startingAfter',
          message: 'cannot be combined with page/per_page',
        },
      ],
    });
  }
  if (cursor)
    return { mode: 'cursor', limit: query.limit ?? DEFAULT_PER_PAGE, startingAfter: query.startingAfter };
  return { mode: 'page', page: query.page ?? 1, perPage: query.per_page ?? DEFAULT_PER_PAGE };
}

/** List metadata: page mode keeps v1's {total, page, perPage}; cursor mode gives {limit, nextCursor}. */
export const ListMeta = Type.Object({
  total: Type.Optional(Type.Integer({ description: 'Page paging: matching items in all.' })),
  page: Type.Optional(Type.Integer()),
  perPage: Type.Optional(Type.Integer()),
  limit: Type.Optional(Type.Integer()),
  nextCursor: Type.Optional(
    Type.Union([Type.String(), Type.Null()], {
      description: 'Cursor paging: pass as startingAfter for the next page; null at the end.',
    }),
  ),
});

/**
 * Cursor page from `limit + 1` fetched rows: the extra row only says whether more exist.
 */
export function cursorPage<T extends { id: string }>(
  rows: T[],
  limit: number,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}

/** The slice of a list one request asks for, in either paging style. */
export interface PageWindow {
  limit: number;
  offset: number;
  /** Cursor paging: the id of the last item of the previous page. */
  startingAfter?: string | undefined;
}

export interface ListPage<View> {
  data: View[];
  meta: { total?: number; page?: number; perPage?: number; limit?: number; nextCursor?: string | null };
}

/**
 * One page of a list in the style the request asked for: keyset pages read `limit + 1` rows
 * (the extra one says whether more exist) and skip the count; numbered pages read their
 * window and the total side by side.
 */
export async function listPage<Row extends { id: string }, View>(
  paging: Paging,
  source: { rows(window: PageWindow): Promise<Row[]>; count(): Promise<number> },
  views: (rows: Row[]) => View[] | Promise<View[]>,
): Promise<ListPage<View>> {
  if (paging.mode === 'cursor') {
    const rows = await source.rows({
      limit: paging.limit + 1,
      offset: 0,
      startingAfter: paging.startingAfter,
    });
    const { items, nextCursor } = cursorPage(rows, paging.limit);
    return { data: await views(items), meta: { limit: paging.limit, nextCursor } };
  }
  const [rows, total] = await Promise.all([
    source.rows({ limit: paging.perPage, offset: (paging.page - 1) * paging.perPage }),
    source.count(),
  ]);
  return { data: await views(rows), meta: { total, page: paging.page, perPage: paging.perPage } };
}
