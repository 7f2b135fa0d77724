import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import { requireAdmin, type Caller } from '../../http/caller.js';
import { AppError, invalidField, notFound } from '../../http/errors.js';
import { cursorPage, pagingOf } from '../../http/pagination.js';
import { isoTime, newId } from '../../lib/ids.js';
import { firstFreeSlug, slugify } from '../../lib/slugs.js';
import { recordEvent } from '../events/events.service.js';
import { countArticlesIn } from './articles.queries.js';
import * as q from './collections.queries.js';
import type {
  CollectionListView,
  CollectionView,
  CreateCollectionBody,
  ListCollectionsQuery,
  UpdateCollectionBody,
} from './collections.schemas.js';

const PLAUSIBLE_ID = /^col_[0-9a-z]{1,40}$/;
const PLAUSIBLE_SLUG = /^[a-z0-9-]{1,100}$/;
/** A generated slug can lose a race to another request taking the same one: try again. */
const SLUG_ATTEMPTS = 3;

function view(row: q.CollectionRow): CollectionView {
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    slug: row.slug,
    description: row.description,
    position: row.position,
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
}

/** An id (col_…) or a slug; slugs never contain "_", so the two can't be confused. */
export function collectionRef(ref: string): { id: string } | { slug: string } | undefined {
  if (PLAUSIBLE_ID.test(ref)) return { id: ref };
  return PLAUSIBLE_SLUG.test(ref) ? { slug: ref } : undefined;
}

const slugTaken = (slug: string) =>
  new AppError('CONFLICT', 409, `Another collection already uses the slug "${slug}"`, {
    fields: [{ field: 'slug', message: 'is taken' }],
  });

async function requireCollection(db: Kysely<Database>, orgId: string, ref: string, lock = false) {
  const parsed = collectionRef(ref);
  const row =
    parsed && (lock ? await q.lockCollection(db, orgId, parsed) : await q.findCollection(db, orgId, parsed));
  if (!row) throw notFound(`Collection ${ref} not found`);
  return row;
}

/**
 * The org's collection `id`, locked until the transaction ends, for an article about to be
 * filed in it: a concurrent delete of the collection waits, then sees the article (409).
 */
export async function lockCollectionForArticle(
  db: Kysely<Database>,
  orgId: string,
  id: string,
): Promise<void> {
  const row = PLAUSIBLE_ID.test(id) ? await q.lockCollection(db, orgId, { id }) : undefined;
  if (!row) throw invalidField('collectionId', `no collection "${id}" in this organization`);
}

/** Whether `id` is a collection of the org (list filters). */
export async function collectionExists(db: Kysely<Database>, orgId: string, id: string): Promise<boolean> {
  return PLAUSIBLE_ID.test(id) && (await q.findCollection(db, orgId, { id })) !== undefined;
}

export async function listCollections(
  db: Kysely<Database>,
  caller: Caller,
  query: ListCollectionsQuery,
): Promise<CollectionListView> {
  const paging = pagingOf(query);
  if (paging.mode === 'cursor') {
    // Listed by position, so the cursor is a collection whose place we continue after.
    let after: q.CollectionAnchor | undefined;
    if (paging.startingAfter !== undefined) {
      const start = PLAUSIBLE_ID.test(paging.startingAfter)
        ? await q.findCollection(db, caller.orgId, { id: paging.startingAfter })
        : undefined;
      if (!start) throw invalidField('startingAfter', 'names no collection of this organization');
      after = { position: start.position, id: start.id };
    }
    const rows = await q.listCollections(db, caller.orgId, { after, limit: paging.limit + 1, offset: 0 });
    const { items, nextCursor } = cursorPage(rows, paging.limit);
    return { data: items.map(view), meta: { limit: paging.limit, nextCursor } };
  }
  const [rows, total] = await Promise.all([
    q.listCollections(db, caller.orgId, {
      limit: paging.perPage,
      offset: (paging.page - 1) * paging.perPage,
    }),
    q.countCollections(db, caller.orgId),
  ]);
  return { data: rows.map(view), meta: { total, page: paging.page, perPage: paging.perPage } };
}

export async function getCollection(
  db: Kysely<Database>,
  caller: Caller,
  ref: string,
): Promise<CollectionView> {
  return view(await requireCollection(db, caller.orgId, ref));
}

export async function createCollection(
  db: Kysely<Database>,
  caller: Caller,
  input: CreateCollectionBody,
): Promise<CollectionView> {
  requireAdmin(caller, 'manage knowledge-base collections');
  const name = input.name.trim();
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(async (trx) => {
        const now = Date.now();
        const base = slugify(name, 'collection');
        const slug = input.slug ?? firstFreeSlug(base, await q.slugsLike(trx, caller.orgId, base));
        const row = {
          id: newId('col', now),
          org_id: caller.orgId,
          name,
          slug,
          description: input.description ?? null,
          position: input.position ?? (await q.nextPosition(trx, caller.orgId)),
          created_at: now,
          updated_at: now,
        };
        await q.insertCollection(trx, row);
        const collection = view(row);
        await recordEvent(trx, caller, caller.orgId, 'collection.created', row.id, { collection });
        return collection;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (input.slug !== undefined) throw slugTaken(input.slug);
      if (attempt >= SLUG_ATTEMPTS) throw slugTaken(slugify(name, 'collection'));
    }
  }
}

type Changes = Record<string, { from: unknown; to: unknown }>;

export async function updateCollection(
  db: Kysely<Database>,
  caller: Caller,
  ref: string,
  input: UpdateCollectionBody,
): Promise<CollectionView> {
  requireAdmin(caller, 'manage knowledge-base collections');
  try {
    return await db.transaction().execute(async (trx) => {
      const current = await requireCollection(trx, caller.orgId, ref, true);
      const wanted = {
        name: input.name?.trim() ?? current.name,
        slug: input.slug ?? current.slug,
        description: input.description === undefined ? current.description : input.description,
        position: input.position ?? current.position,
      };
      const changes: Changes = {};
      for (const field of ['name', 'slug', 'description', 'position'] as const) {
        if (wanted[field] !== current[field]) changes[field] = { from: current[field], to: wanted[field] };
      }
      if (Object.keys(changes).length === 0) return view(current);
      const now = Math.max(Date.now(), current.updated_at + 1);
      await q.updateCollection(trx, caller.orgId, current.id, { ...wanted, updated_at: now });
      const collection = view({ ...current, ...wanted, updated_at: now });
      await recordEvent(trx, caller, caller.orgId, 'collection.updated', current.id, { collection, changes });
      return collection;
    });
  } catch (error) {
    if (isUniqueViolation(error) && input.slug !== undefined) throw slugTaken(input.slug);
    throw error;
  }
}

/** Deletes an empty collection; one that still holds articles is a 409 (move or delete them first). */
export async function deleteCollection(db: Kysely<Database>, caller: Caller, ref: string): Promise<void> {
  requireAdmin(caller, 'manage knowledge-base collections');
  await db.transaction().execute(async (trx) => {
    const current = await requireCollection(trx, caller.orgId, ref, true);
    const articleCount = await countArticlesIn(trx, caller.orgId, current.id);
    if (articleCount > 0) {
      throw new AppError(
        'CONFLICT',
        409,
        `Collection ${current.id} still holds ${articleCount} article(s); move or delete them first`,
        { articleCount },
      );
    }
    await q.deleteCollection(trx, caller.orgId, current.id);
    await recordEvent(trx, caller, caller.orgId, 'collection.deleted', current.id, {
      collection: view(current),
    });
  });
}
