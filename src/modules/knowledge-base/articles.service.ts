import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import { indexDocument, removeDocument } from '../../db/search.js';
import { requireAdmin, type Caller } from '../../http/caller.js';
import { AppError, badRequest, invalidField, notFound } from '../../http/errors.js';
import { cursorPage, listPage, pagingOf } from '../../http/pagination.js';
import { isoTime, newId } from '../../lib/ids.js';
import { firstFreeSlug, slugify } from '../../lib/slugs.js';
import { recordEvent } from '../events/events.service.js';
import { excerptOf } from './articles.text.js';
import * as q from './articles.queries.js';
import {
  MAX_BODY_BYTES,
  type ArticleListView,
  type ArticleSummaryView,
  type ArticleView,
  type CreateArticleBody,
  type ListArticlesQuery,
  type UpdateArticleBody,
  type WidgetArticleListView,
  type WidgetArticleSummaryView,
  type WidgetArticleView,
  type WidgetListQuery,
} from './articles.schemas.js';
import { collectionExists, lockCollectionForArticle } from './collections.service.js';

const PLAUSIBLE_ID = /^art_[0-9a-z]{1,40}$/;
const PLAUSIBLE_SLUG = /^[a-z0-9-]{1,100}$/;
/** A generated slug can lose a race to another request taking the same one: try again. */
const SLUG_ATTEMPTS = 3;

/** An id (art_…) or a slug; slugs never contain "_", so the two can't be confused. */
function articleRef(ref: string): { id: string } | { slug: string } | undefined {
  if (PLAUSIBLE_ID.test(ref)) return { id: ref };
  return PLAUSIBLE_SLUG.test(ref) ? { slug: ref } : undefined;
}

function summary(row: q.ArticleRow): ArticleSummaryView {
  return {
    id: row.id,
    orgId: row.org_id,
    collectionId: row.collection_id,
    title: row.title,
    slug: row.slug,
    excerpt: excerptOf(row.body),
    status: row.status,
    publishedAt: row.published_at === null ? null : isoTime(row.published_at),
    author: { type: row.author_type, id: row.author_id, name: row.author_name },
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
}

function view(row: q.ArticleRow): ArticleView {
  return { ...summary(row), body: row.body };
}

function widgetSummary(row: q.ArticleRow): WidgetArticleSummaryView {
  return {
    id: row.id,
    collectionId: row.collection_id,
    title: row.title,
    slug: row.slug,
    excerpt: excerptOf(row.body),
    publishedAt: isoTime(row.published_at ?? row.updated_at),
    updatedAt: isoTime(row.updated_at),
  };
}

const slugTaken = (slug: string) =>
  new AppError('CONFLICT', 409, `Another article already uses the slug "${slug}"`, {
    fields: [{ field: 'slug', message: 'is taken' }],
  });

function requireBodySize(body: string): void {
  if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) {
    throw invalidField('body', `must be at most 200 KB (${MAX_BODY_BYTES} bytes) of UTF-8`);
  }
}

/** `search` or its alias `q`; both with different text is ambiguous. */
function searchOf(query: { search?: string | undefined; q?: string | undefined }): string | undefined {
  if (query.search !== undefined && query.q !== undefined && query.search !== query.q) {
    throw badRequest('Use search or q, not both', {
      fields: [{ field: 'q', message: 'cannot be combined with search' }],
    });
  }
  return query.search ?? query.q;
}

async function requireArticle(db: Kysely<Database>, orgId: string, ref: string, lock = false) {
  const parsed = articleRef(ref);
  const row = parsed && (await q.findArticle(db, orgId, parsed, { lock }));
  if (!row) throw notFound(`Article ${ref} not found`);
  return row;
}

export async function listArticles(
  db: Kysely<Database>,
  caller: Caller,
  query: ListArticlesQuery,
): Promise<ArticleListView> {
  const paging = pagingOf(query);
  let collectionId: string | null | undefined;
  if (query.collectionId === 'none') collectionId = null;
  else if (query.collectionId !== undefined) {
    if (!(await collectionExists(db, caller.orgId, query.collectionId))) {
      throw invalidField('collectionId', `no collection "${query.collectionId}" in this organization`);
    }
    collectionId = query.collectionId;
  }
  const filters = { status: query.status, collectionId, search: searchOf(query) };
  if (
    paging.mode === 'cursor' &&
    paging.startingAfter !== undefined &&
    !PLAUSIBLE_ID.test(paging.startingAfter)
  ) {
    throw invalidField('startingAfter', 'is not an article id');
  }
  return listPage(
    paging,
    {
      rows: ({ limit, offset, startingAfter }) =>
        q.listArticles(db, caller.orgId, filters, { after: startingAfter, limit, offset }),
      count: () => q.countArticles(db, caller.orgId, filters),
    },
    (rows) => rows.map(summary),
  );
}

export async function getArticle(db: Kysely<Database>, caller: Caller, ref: string): Promise<ArticleView> {
  return view(await requireArticle(db, caller.orgId, ref));
}

export async function createArticle(
  db: Kysely<Database>,
  caller: Caller,
  input: CreateArticleBody,
): Promise<ArticleView> {
  const title = input.title.trim();
  const body = input.body ?? '';
  requireBodySize(body);
  const collectionId = input.collectionId ?? null;
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(async (trx) => {
        if (collectionId !== null) await lockCollectionForArticle(trx, caller.orgId, collectionId);
        const base = slugify(title, 'article');
        const slug = input.slug ?? firstFreeSlug(base, await q.slugsLike(trx, caller.orgId, base));
        const now = Date.now();
        const status = input.status ?? 'draft';
        const row: q.ArticleRow = {
          id: newId('art', now),
          org_id: caller.orgId,
          collection_id: collectionId,
          title,
          slug,
          body,
          status,
          published_at: status === 'published' ? now : null,
          author_type: caller.actorType,
          author_id: caller.actorId,
          author_name: caller.name,
          created_at: now,
          updated_at: now,
        };
        await q.insertArticle(trx, row);
        await indexDocument(trx, { orgId: caller.orgId, kind: 'article', refId: row.id, title, body });
        const article = view(row);
        await recordEvent(trx, caller, caller.orgId, 'article.created', row.id, { article });
        return article;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (input.slug !== undefined) throw slugTaken(input.slug);
      if (attempt >= SLUG_ATTEMPTS) throw slugTaken(slugify(title, 'article'));
    }
  }
}

type Changes = Record<string, { from: unknown; to: unknown }>;

/**
 * Changes the fields sent. The slug stays when the title changes (links keep working);
 * publishing sets publishedAt, going back to draft clears it. The event carries the changed
 * fields' old and new values, except the body's: `bodyChanged` says whether it changed.
 */
export async function updateArticle(
  db: Kysely<Database>,
  caller: Caller,
  ref: string,
  input: UpdateArticleBody,
): Promise<ArticleView> {
  if (input.body !== undefined) requireBodySize(input.body);
  try {
    return await db.transaction().execute(async (trx) => {
      const current = await requireArticle(trx, caller.orgId, ref, true);
      const wanted = {
        title: input.title?.trim() ?? current.title,
        slug: input.slug ?? current.slug,
        status: input.status ?? current.status,
        collection_id: input.collectionId === undefined ? current.collection_id : input.collectionId,
      };
      const fieldNames = { title: 'title', slug: 'slug', status: 'status', collection_id: 'collectionId' };
      const changes: Changes = {};
      for (const field of ['title', 'slug', 'status', 'collection_id'] as const) {
        if (wanted[field] !== current[field]) {
          changes[fieldNames[field]] = { from: current[field], to: wanted[field] };
        }
      }
      const body = input.body ?? current.body;
      const bodyChanged = body !== current.body;
      if (Object.keys(changes).length === 0 && !bodyChanged) return view(current);

      if (wanted.collection_id !== null && wanted.collection_id !== current.collection_id) {
        await lockCollectionForArticle(trx, caller.orgId, wanted.collection_id);
      }
      const now = Math.max(Date.now(), current.updated_at + 1);
      let publishedAt = current.published_at;
      if (wanted.status !== current.status) publishedAt = wanted.status === 'published' ? now : null;
      const updated: q.ArticleRow = {
        ...current,
        ...wanted,
        body,
        published_at: publishedAt,
        updated_at: now,
      };
      await q.updateArticle(trx, caller.orgId, current.id, {
        ...wanted,
        body,
        published_at: publishedAt,
        updated_at: now,
      });
      if (wanted.title !== current.title || bodyChanged) {
        await indexDocument(trx, {
          orgId: caller.orgId,
          kind: 'article',
          refId: current.id,
          title: wanted.title,
          body,
        });
      }
      const article = view(updated);
      await recordEvent(trx, caller, caller.orgId, 'article.updated', current.id, {
        article,
        changes,
        bodyChanged,
      });
      return article;
    });
  } catch (error) {
    if (isUniqueViolation(error) && input.slug !== undefined) throw slugTaken(input.slug);
    throw error;
  }
}

export async function deleteArticle(db: Kysely<Database>, caller: Caller, ref: string): Promise<void> {
  requireAdmin(caller, 'delete knowledge-base articles');
  await db.transaction().execute(async (trx) => {
    const current = await requireArticle(trx, caller.orgId, ref, true);
    await q.deleteArticle(trx, caller.orgId, current.id);
    await removeDocument(trx, caller.orgId, 'article', current.id);
    await recordEvent(trx, caller, caller.orgId, 'article.deleted', current.id, { article: view(current) });
  });
}

/** Published articles for the widget: best match first when searching, else newest first. */
export async function listPublishedArticles(
  db: Kysely<Database>,
  orgId: string,
  query: WidgetListQuery,
): Promise<WidgetArticleListView> {
  const after = query.startingAfter;
  if (after !== undefined && !PLAUSIBLE_ID.test(after))
    throw invalidField('startingAfter', 'is not an article id');
  const filters = { status: 'published' as const, search: searchOf(query) };
  const rows = await q.listArticles(db, orgId, filters, { after, limit: query.limit + 1, offset: 0 });
  const { items, nextCursor } = cursorPage(rows, query.limit);
  return { data: items.map(widgetSummary), meta: { limit: query.limit, nextCursor } };
}

/** A published article by id or slug; drafts are a 404, as if they did not exist. */
export async function getPublishedArticle(
  db: Kysely<Database>,
  orgId: string,
  ref: string,
): Promise<WidgetArticleView> {
  const parsed = articleRef(ref);
  const row = parsed && (await q.findArticle(db, orgId, parsed, { publishedOnly: true }));
  if (!row) throw notFound(`Article ${ref} not found`);
  return { ...widgetSummary(row), body: row.body };
}
