import type { Kysely, Selectable } from 'kysely';
import { isUniqueViolation } from '../../db/database.js';
import type { Database, TagsTable } from '../../db/schema.js';
import type { Caller } from '../../http/caller.js';
import { AppError, invalidField, notFound } from '../../http/errors.js';
import { cursorPage, pagingOf } from '../../http/pagination.js';
import { isoTime, newId } from '../../lib/ids.js';
import { recordEvent } from '../events/events.service.js';
import * as q from './tags.queries.js';
import type { CreateTagBody, ListTagsQuery, TagView, UpdateTagBody } from './tags.schemas.js';

const PLAUSIBLE_ID = /^tag_[0-9a-z]{1,40}$/;

function view(row: Selectable<TagsTable>, ticketCount: number): TagView {
  return {
    id: row.id,
    name: row.name,
    color: row.color,
    ticketCount,
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
}

async function views(db: Kysely<Database>, orgId: string, rows: Selectable<TagsTable>[]): Promise<TagView[]> {
  if (rows.length === 0) return [];
  const counts = new Map(
    (
      await q.usageCounts(
        db,
        orgId,
        rows.map((r) => r.name),
      )
    ).map((r) => [r.tag, Number(r.count)]),
  );
  return rows.map((row) => view(row, counts.get(row.name) ?? 0));
}

const nameTaken = (name: string) =>
  new AppError('CONFLICT', 409, `A tag named "${name}" already exists`, {
    fields: [{ field: 'name', message: 'is taken' }],
  });

/**
 * Makes sure every name used on a ticket exists as a tag (unknown names are created on use,
 * without a colour). Call in the ticket change's transaction.
 */
export async function ensureTags(db: Kysely<Database>, caller: Caller, names: string[]): Promise<void> {
  if (names.length === 0) return;
  const now = Date.now();
  const rows = names.map((name) => ({
    id: newId('tag', now),
    org_id: caller.orgId,
    name,
    color: null,
    created_at: now,
    updated_at: now,
  }));
  for (const row of await q.insertMissingTags(db, rows)) {
    await recordEvent(db, caller, caller.orgId, 'tag.created', row.id, { tag: view(row, 1) });
  }
}

export async function listTags(db: Kysely<Database>, caller: Caller, query: ListTagsQuery) {
  const paging = pagingOf(query);
  if (paging.mode === 'cursor') {
    // Tags are listed by name, so the cursor is a tag id whose name we continue after.
    let after: string | undefined;
    if (paging.startingAfter !== undefined) {
      const start = PLAUSIBLE_ID.test(paging.startingAfter)
        ? await q.findTag(db, caller.orgId, paging.startingAfter)
        : undefined;
      if (!start) throw invalidField('startingAfter', 'names no tag of this organization');
      after = start.name;
    }
    const rows = await q.listTags(db, caller.orgId, {
      search: query.search,
      after,
      limit: paging.limit + 1,
      offset: 0,
    });
    const { items, nextCursor } = cursorPage(rows, paging.limit);
    return { data: await views(db, caller.orgId, items), meta: { limit: paging.limit, nextCursor } };
  }
  const [rows, total] = await Promise.all([
    q.listTags(db, caller.orgId, {
      search: query.search,
      limit: paging.perPage,
      offset: (paging.page - 1) * paging.perPage,
    }),
    q.countTags(db, caller.orgId, query.search),
  ]);
  return {
    data: await views(db, caller.orgId, rows),
    meta: { total, page: paging.page, perPage: paging.perPage },
  };
}

async function requireTag(db: Kysely<Database>, orgId: string, id: string) {
  const row = PLAUSIBLE_ID.test(id) ? await q.findTag(db, orgId, id) : undefined;
  if (!row) throw notFound(`Tag ${id} not found`);
  return row;
}

export async function getTag(db: Kysely<Database>, caller: Caller, id: string): Promise<TagView> {
  return (await views(db, caller.orgId, [await requireTag(db, caller.orgId, id)]))[0]!;
}

export async function createTag(
  db: Kysely<Database>,
  caller: Caller,
  input: CreateTagBody,
): Promise<TagView> {
  const name = input.name.trim();
  try {
    return await db.transaction().execute(async (trx) => {
      const now = Date.now();
      const row = {
        id: newId('tag', now),
        org_id: caller.orgId,
        name,
        color: input.color ?? null,
        created_at: now,
        updated_at: now,
      };
      await q.insertTag(trx, row);
      const tag = view(row, 0);
      await recordEvent(trx, caller, caller.orgId, 'tag.created', tag.id, { tag });
      return tag;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(name);
    throw error;
  }
}

/** Recolours and/or renames; a rename applies to every ticket carrying the tag, in one transaction. */
export async function updateTag(
  db: Kysely<Database>,
  caller: Caller,
  id: string,
  input: UpdateTagBody,
): Promise<TagView> {
  const name = input.name?.trim();
  try {
    return await db.transaction().execute(async (trx) => {
      const current = await requireTag(trx, caller.orgId, id);
      const now = Date.now();
      const changes = {
        ...(name !== undefined && name !== current.name ? { name } : {}),
        ...(input.color !== undefined ? { color: input.color } : {}),
        updated_at: now,
      };
      await q.updateTag(trx, caller.orgId, id, changes);
      if (changes.name !== undefined) await q.renameOnTickets(trx, caller.orgId, current.name, changes.name);
      const tag = (await views(trx, caller.orgId, [{ ...current, ...changes }]))[0]!;
      await recordEvent(trx, caller, caller.orgId, 'tag.updated', id, {
        tag,
        ...(changes.name !== undefined ? { renamedFrom: current.name } : {}),
      });
      return tag;
    });
  } catch (error) {
    if (isUniqueViolation(error) && name !== undefined) throw nameTaken(name);
    throw error;
  }
}

/** Deletes a tag and removes it from every ticket. */
export async function deleteTag(db: Kysely<Database>, caller: Caller, id: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const current = await requireTag(trx, caller.orgId, id);
    await q.removeFromTickets(trx, caller.orgId, current.name);
    await q.deleteTag(trx, caller.orgId, id);
    await recordEvent(trx, caller, caller.orgId, 'tag.deleted', id, { tag: { id, name: current.name } });
  });
}
