import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import { forUpdate } from '../../db/locking.js';
import type { ArticleStatus, ArticlesTable, Database } from '../../db/schema.js';
import { matchingRefs } from '../../db/search.js';

export type ArticleRow = Selectable<ArticlesTable>;

export interface ArticleFilters {
  status?: ArticleStatus | undefined;
  /** A collection id, or null for articles in no collection. */
  collectionId?: string | null | undefined;
  /** Full-text search: results are the matches, best first. */
  search?: string | undefined;
}

function filtered(db: Kysely<Database>, orgId: string, filters: ArticleFilters) {
  let query = db.selectFrom('articles as a').where('a.org_id', '=', orgId);
  if (filters.status !== undefined) query = query.where('a.status', '=', filters.status);
  if (filters.collectionId === null) query = query.where('a.collection_id', 'is', null);
  else if (filters.collectionId !== undefined)
    query = query.where('a.collection_id', '=', filters.collectionId);
  return query;
}

/**
 * A page of matching articles. Without search: newest first; `after` (an id) continues the
 * keyset. With search: best match first, ties newest first; `after` continues after that
 * article's rank, computed in the same statement, so a cursor article that no longer matches
 * ends the listing.
 */
export function listArticles(
  db: Kysely<Database>,
  orgId: string,
  filters: ArticleFilters,
  options: { after?: string | undefined; limit: number; offset: number },
): Promise<ArticleRow[]> {
  const { after, limit, offset } = options;
  const search = filters.search;
  if (search === undefined) {
    let query = filtered(db, orgId, filters).selectAll('a');
    if (after !== undefined) query = query.where('a.id', '<', after);
    return query.orderBy('a.id', 'desc').limit(limit).offset(offset).execute();
  }
  let query = filtered(db, orgId, filters)
    .innerJoin(matchingRefs(db, orgId, 'article', search).as('s'), 's.ref_id', 'a.id')
    .selectAll('a');
  if (after !== undefined) {
    query = query.where((eb) => {
      const anchorRank = () =>
        eb
          .selectFrom(matchingRefs(db, orgId, 'article', search).as('anchor'))
          .select('anchor.rank')
          .where('anchor.ref_id', '=', after);
      return eb.or([
        eb('s.rank', '>', anchorRank()),
        eb.and([eb('s.rank', '=', anchorRank()), eb('a.id', '<', after)]),
      ]);
    });
  }
  return query.orderBy('s.rank').orderBy('a.id', 'desc').limit(limit).offset(offset).execute();
}

export async function countArticles(
  db: Kysely<Database>,
  orgId: string,
  filters: ArticleFilters,
): Promise<number> {
  let query = filtered(db, orgId, filters);
  if (filters.search !== undefined) {
    query = query.innerJoin(matchingRefs(db, orgId, 'article', filters.search).as('s'), 's.ref_id', 'a.id');
  }
  const row = await query
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export function findArticle(
  db: Kysely<Database>,
  orgId: string,
  ref: { id: string } | { slug: string },
  options: { publishedOnly?: boolean; lock?: boolean } = {},
): Promise<ArticleRow | undefined> {
  let query = db.selectFrom('articles').selectAll().where('org_id', '=', orgId);
  query = 'id' in ref ? query.where('id', '=', ref.id) : query.where('slug', '=', ref.slug);
  if (options.publishedOnly) query = query.where('status', '=', 'published');
  return (options.lock ? forUpdate(db as Kysely<unknown>, query) : query).executeTakeFirst();
}

/** Slugs in use that `base` or `base-N` could collide with. */
export async function slugsLike(db: Kysely<Database>, orgId: string, base: string): Promise<string[]> {
  // A slug has no % or _, so the pattern matches it literally.
  const rows = await db
    .selectFrom('articles')
    .select('slug')
    .where('org_id', '=', orgId)
    .where((eb) => eb.or([eb('slug', '=', base), eb('slug', 'like', `${base}-%`)]))
    .execute();
  return rows.map((r) => r.slug);
}

export async function countArticlesIn(
  db: Kysely<Database>,
  orgId: string,
  collectionId: string,
): Promise<number> {
  const row = await db
    .selectFrom('articles')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('org_id', '=', orgId)
    .where('collection_id', '=', collectionId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export function insertArticle(db: Kysely<Database>, row: Insertable<ArticlesTable>) {
  return db.insertInto('articles').values(row).execute();
}

export function updateArticle(
  db: Kysely<Database>,
  orgId: string,
  id: string,
  changes: Updateable<ArticlesTable>,
) {
  return db.updateTable('articles').set(changes).where('org_id', '=', orgId).where('id', '=', id).execute();
}

export function deleteArticle(db: Kysely<Database>, orgId: string, id: string) {
  return db.deleteFrom('articles').where('org_id', '=', orgId).where('id', '=', id).execute();
}
