import type { Kysely, Selectable } from 'kysely';
import { isUniqueViolation } from '../../db/database.js';
import type { CannedRepliesTable, Database } from '../../db/schema.js';
import { agentIdOf, type Caller } from '../../http/caller.js';
import { AppError, invalidField, notFound } from '../../http/errors.js';
import { listPage, pagingOf, type ListPage } from '../../http/pagination.js';
import { isoTime, newId } from '../../lib/ids.js';
import { recordEvent } from '../events/events.service.js';
import * as q from './canned-replies.queries.js';
import type {
  CannedReplyView,
  CreateCannedReplyBody,
  ListCannedRepliesQuery,
  UpdateCannedReplyBody,
} from './canned-replies.schemas.js';

const PLAUSIBLE_ID = /^canned_[0-9a-z]{1,40}$/;

function view(row: Selectable<CannedRepliesTable>): CannedReplyView {
  return {
    id: row.id,
    shortcut: row.shortcut,
    title: row.title,
    body: row.body,
    createdBy: row.created_by,
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
}

const shortcutTaken = (shortcut: string) =>
  new AppError('CONFLICT', 409, `A canned reply with the shortcut "${shortcut}" already exists`, {
    fields: [{ field: 'shortcut', message: 'is taken' }],
  });

async function requireCannedReply(db: Kysely<Database>, orgId: string, id: string) {
  const row = PLAUSIBLE_ID.test(id) ? await q.findCannedReply(db, orgId, id) : undefined;
  if (!row) throw notFound(`Canned reply ${id} not found`);
  return row;
}

export async function listCannedReplies(
  db: Kysely<Database>,
  caller: Caller,
  query: ListCannedRepliesQuery,
): Promise<ListPage<CannedReplyView>> {
  const search = query.q;
  return listPage(
    pagingOf(query),
    {
      // Listed by shortcut, so a cursor (an id) is turned into the shortcut to continue after.
      async rows(window) {
        let after: string | undefined;
        if (window.startingAfter !== undefined) {
          const start = PLAUSIBLE_ID.test(window.startingAfter)
            ? await q.findCannedReply(db, caller.orgId, window.startingAfter)
            : undefined;
          if (!start) throw invalidField('startingAfter', 'names no canned reply of this organization');
          after = start.shortcut;
        }
        return q.listCannedReplies(db, caller.orgId, {
          search,
          after,
          limit: window.limit,
          offset: window.offset,
        });
      },
      count: () => q.countCannedReplies(db, caller.orgId, search),
    },
    (rows) => rows.map(view),
  );
}

export async function getCannedReply(
  db: Kysely<Database>,
  caller: Caller,
  id: string,
): Promise<CannedReplyView> {
  return view(await requireCannedReply(db, caller.orgId, id));
}

export async function createCannedReply(
  db: Kysely<Database>,
  caller: Caller,
  input: CreateCannedReplyBody,
): Promise<CannedReplyView> {
  try {
    return await db.transaction().execute(async (trx) => {
      const now = Date.now();
      const row = {
        id: newId('canned', now),
        org_id: caller.orgId,
        shortcut: input.shortcut,
        title: input.title.trim(),
        body: input.body,
        created_by: agentIdOf(caller),
        created_at: now,
        updated_at: now,
      };
      await q.insertCannedReply(trx, row);
      const cannedReply = view(row);
      await recordEvent(trx, caller, caller.orgId, 'canned_reply.created', row.id, { cannedReply });
      return cannedReply;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw shortcutTaken(input.shortcut);
    throw error;
  }
}

export async function updateCannedReply(
  db: Kysely<Database>,
  caller: Caller,
  id: string,
  input: UpdateCannedReplyBody,
): Promise<CannedReplyView> {
  try {
    return await db.transaction().execute(async (trx) => {
      const current = await requireCannedReply(trx, caller.orgId, id);
      const changes = {
        ...(input.shortcut !== undefined ? { shortcut: input.shortcut } : {}),
        ...(input.title !== undefined ? { title: input.title.trim() } : {}),
        ...(input.body !== undefined ? { body: input.body } : {}),
        updated_at: Date.now(),
      };
      await q.updateCannedReply(trx, caller.orgId, id, changes);
      const cannedReply = view({ ...current, ...changes });
      await recordEvent(trx, caller, caller.orgId, 'canned_reply.updated', id, { cannedReply });
      return cannedReply;
    });
  } catch (error) {
    if (isUniqueViolation(error) && input.shortcut !== undefined) throw shortcutTaken(input.shortcut);
    throw error;
  }
}

export async function deleteCannedReply(db: Kysely<Database>, caller: Caller, id: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const current = await requireCannedReply(trx, caller.orgId, id);
    await q.deleteCannedReply(trx, caller.orgId, id);
    await recordEvent(trx, caller, caller.orgId, 'canned_reply.deleted', id, {
      cannedReply: { id, shortcut: current.shortcut },
    });
  });
}
