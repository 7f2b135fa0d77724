import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Caller } from '../../http/caller.js';
import { invalidField, notFound } from '../../http/errors.js';
import {
  createUploads,
  openUploadContent,
  type IncomingFile,
} from '../../modules/uploads/uploads.service.js';
import type { UploadView } from '../../modules/uploads/uploads.schemas.js';
import type { BlobStorage } from '../../storage/storage.js';
import { canRead } from './widget.access.js';
import * as q from './widget.queries.js';
import type { WidgetFileView } from './widget.schemas.js';
import type { Visitor } from './widget.visitors.js';
import { fileView } from './widget.views.js';

/** The visitor as the uploads module records who uploaded (uploader_type customer, id vis_…). */
function visitorCaller(visitor: Visitor): Caller {
  return {
    orgId: visitor.orgId,
    actorType: 'customer',
    actorId: visitor.id,
    name: 'Visitor',
    role: 'agent',
    scope: 'write',
  };
}

const uploadedBy = (row: { uploader_type: string; uploader_id: string }, visitor: Visitor) =>
  row.uploader_type === 'customer' && row.uploader_id === visitor.id;

export async function createVisitorUploads(
  db: Kysely<Database>,
  storage: BlobStorage,
  visitor: Visitor,
  files: AsyncIterable<IncomingFile>,
  limits: { maxBytes: number },
): Promise<WidgetFileView[]> {
  const uploads = await createUploads(db, storage, visitorCaller(visitor), files, limits);
  return uploads.map(fileView);
}

/**
 * A message may only carry files this visitor uploaded and no message has claimed yet: upload
 * ids are not secrets once shown, and another visitor's file must not be attachable by id.
 */
export async function checkVisitorUploads(
  db: Kysely<Database>,
  visitor: Visitor,
  ids: string[],
): Promise<void> {
  if (ids.length === 0) return;
  const found = new Map((await q.findUploads(db, visitor.orgId, ids)).map((row) => [row.id, row]));
  for (const id of ids) {
    const row = found.get(id);
    if (!row || !uploadedBy(row, visitor)) throw invalidField('attachments', `no upload "${id}" of yours`);
    if (row.message_id !== null)
      throw invalidField('attachments', `upload "${id}" is already attached to a message`);
  }
}

/**
 * A file the visitor may download: one it uploaded, or one on a customer or agent message (never
 * an internal note) of a conversation it may read. Anything else is a 404, as if it did not exist.
 */
export async function openVisitorUpload(
  db: Kysely<Database>,
  storage: BlobStorage,
  visitor: Visitor,
  id: string,
): Promise<{ upload: UploadView; content: Readable }> {
  const row = await q.findUpload(db, visitor.orgId, id);
  let allowed = row !== undefined && uploadedBy(row, visitor);
  if (row && !allowed && row.message_id !== null) {
    const message = await q.findVisibleMessage(db, visitor.orgId, row.message_id);
    allowed = message !== undefined && (await canRead(db, visitor, message.ticket_id));
  }
  if (!allowed) throw notFound(`Upload ${id} not found`);
  return openUploadContent(db, storage, visitorCaller(visitor), id);
}
