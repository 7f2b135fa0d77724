import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { customerCaller, type Caller } from '../../http/caller.js';
import { invalidField, notFound } from '../../http/errors.js';
import { isoTime, newId, isPlausibleId } from '../../lib/ids.js';
import { BlobNotFoundError, type BlobStorage } from '../../storage/storage.js';
import { recordEvent } from '../events/events.service.js';
import { HeadCapture, SNIFF_BYTES, sanitizeFilename, sniffContentType, tooLarge } from './uploads.content.js';
import * as q from './uploads.queries.js';
import { MAX_ATTACHMENTS, type AttachmentView, type UploadView } from './uploads.schemas.js';

/** One file of an upload request, as the HTTP layer hands it over. */
export interface IncomingFile {
  /** The client's filename: display only, sanitised before it is stored. */
  filename: string | undefined;
  /** The client's Content-Type for the part: recorded, never trusted. */
  declaredType: string | undefined;
  content: Readable;
  /** Whether the content was cut off at the size limit (known once it has been read). */
  truncated(): boolean;
}

const contentUrl = (id: string) => `/v1/uploads/${id}/content`;

function view(row: q.UploadRow): UploadView {
  return {
    id: row.id,
    name: row.name,
    size: Number(row.size),
    contentType: row.content_type,
    type: row.content_type,
    url: contentUrl(row.id),
    sha256: row.sha256,
    createdAt: isoTime(row.created_at),
  };
}

async function storeOne(
  storage: BlobStorage,
  caller: Caller,
  file: IncomingFile,
  maxBytes: number,
): Promise<q.UploadRow> {
  const now = Date.now();
  const id = newId('upl', now);
  const key = `${caller.orgId}/${id}`;
  const name = sanitizeFilename(file.filename);
  const capture = new HeadCapture(SNIFF_BYTES);
  const [, stored] = await Promise.all([pipeline(file.content, capture), storage.put(key, capture)]);
  if (file.truncated()) {
    await storage.delete(key);
    throw tooLarge(maxBytes, name);
  }
  const head = capture.head();
  return {
    id,
    org_id: caller.orgId,
    message_id: null,
    uploader_type: caller.actorType,
    uploader_id: caller.actorId,
    name,
    size: stored.size,
    content_type: await sniffContentType(head, stored.size > head.length),
    declared_type: file.declaredType?.slice(0, 255) || null,
    sha256: stored.sha256,
    storage_key: key,
    created_at: now,
  };
}

/**
 * Stores every file of one request, then records them all in one transaction: either every
 * file becomes an upload or none does (stored bytes are removed again on any failure).
 * Uploads no message claims are meant to be swept after 24 hours.
 */
export async function createUploads(
  db: Kysely<Database>,
  storage: BlobStorage,
  caller: Caller,
  files: AsyncIterable<IncomingFile>,
  limits: { maxBytes: number },
): Promise<UploadView[]> {
  const rows: q.UploadRow[] = [];
  try {
    for await (const file of files) rows.push(await storeOne(storage, caller, file, limits.maxBytes));
    if (rows.length === 0) {
      throw invalidField('file', 'is required: send one or more files as multipart/form-data');
    }
    return await db.transaction().execute(async (trx) => {
      await q.insertUploads(trx, rows);
      const uploads = rows.map(view);
      for (const upload of uploads) {
        await recordEvent(trx, caller, caller.orgId, 'upload.created', upload.id, { upload });
      }
      return uploads;
    });
  } catch (error) {
    await Promise.allSettled(rows.map((row) => storage.delete(row.storage_key)));
    throw error;
  }
}

/** A file that came in with a channel message, before it is stored. */
export interface ReceivedFile {
  filename: string | undefined;
  declaredType: string | undefined;
  content: Buffer;
}

/** Files stored for a message that is not recorded yet: recordReceivedFiles or discardReceivedFiles them. */
export type StoredFiles = q.UploadRow[];

/**
 * Stores a channel message's files (an email's attachments, a Telegram photo) ahead of the
 * message's transaction, which then records them with recordReceivedFiles — under the customer
 * it finds, who is not known yet; if the message is not recorded, discardReceivedFiles removes
 * the bytes again.
 */
export async function storeReceivedFiles(
  storage: BlobStorage,
  orgId: string,
  files: ReceivedFile[],
): Promise<StoredFiles> {
  const caller = customerCaller(orgId, { id: 'unknown', name: null, email: null });
  const rows: q.UploadRow[] = [];
  try {
    for (const file of files.slice(0, MAX_ATTACHMENTS)) {
      const incoming: IncomingFile = {
        filename: file.filename,
        declaredType: file.declaredType,
        content: Readable.from([file.content]),
        truncated: () => false,
      };
      rows.push(await storeOne(storage, caller, incoming, Number.MAX_SAFE_INTEGER));
    }
    return rows;
  } catch (error) {
    await discardReceivedFiles(storage, rows);
    throw error;
  }
}

/** Records stored files as the attachments of a message, inside the message's transaction. */
export async function recordReceivedFiles(
  trx: Kysely<Database>,
  caller: Caller,
  files: StoredFiles,
  messageId: string,
): Promise<AttachmentView[]> {
  if (files.length === 0) return [];
  await q.insertUploads(
    trx,
    files.map((row) => ({
      ...row,
      message_id: messageId,
      uploader_type: caller.actorType,
      uploader_id: caller.actorId,
    })),
  );
  for (const row of files) {
    await recordEvent(trx, caller, caller.orgId, 'upload.created', row.id, { upload: view(row) });
  }
  return (await attachmentsOf(trx, caller.orgId, [messageId])).get(messageId) ?? [];
}

export async function discardReceivedFiles(storage: BlobStorage, files: StoredFiles): Promise<void> {
  await Promise.allSettled(files.map((row) => storage.delete(row.storage_key)));
}

async function findUploadOr404(db: Kysely<Database>, caller: Caller, id: string): Promise<q.UploadRow> {
  const row = isPlausibleId(id) ? await q.findUpload(db, caller.orgId, id) : undefined;
  if (!row) throw notFound(`Upload ${id} not found`);
  return row;
}

export async function getUpload(db: Kysely<Database>, caller: Caller, id: string): Promise<UploadView> {
  return view(await findUploadOr404(db, caller, id));
}

/** The upload and a stream of its bytes. */
export async function openUploadContent(
  db: Kysely<Database>,
  storage: BlobStorage,
  caller: Caller,
  id: string,
): Promise<{ upload: UploadView; content: Readable }> {
  const row = await findUploadOr404(db, caller, id);
  try {
    return { upload: view(row), content: await storage.get(row.storage_key) };
  } catch (error) {
    if (error instanceof BlobNotFoundError) throw notFound(`The content of upload ${id} is gone`);
    throw error;
  }
}

/** The bytes of an org's stored file, for the server's own use (delivering an attachment). */
export async function openStoredFile(
  db: Kysely<Database>,
  storage: BlobStorage,
  orgId: string,
  id: string,
): Promise<Readable> {
  const row = await q.findUpload(db, orgId, id);
  if (!row) throw new Error(`upload ${id} is gone`);
  return storage.get(row.storage_key);
}

/**
 * Attaches uploads to a new message, inside the message's transaction. Every id must name an
 * unattached upload of the caller's org; at most MAX_ATTACHMENTS; repeated ids count once.
 */
export async function attachUploads(
  trx: Kysely<Database>,
  caller: Caller,
  messageId: string,
  uploadIds: string[],
): Promise<AttachmentView[]> {
  const ids = [...new Set(uploadIds)];
  if (ids.length === 0) return [];
  if (ids.length > MAX_ATTACHMENTS) {
    throw invalidField('attachments', `at most ${MAX_ATTACHMENTS} files per message`);
  }
  const unknown = ids.find((id) => !isPlausibleId(id));
  if (unknown !== undefined) throw invalidField('attachments', `no upload "${unknown}" in this organization`);
  const found = new Map((await q.findUploads(trx, caller.orgId, ids)).map((r) => [r.id, r]));
  for (const id of ids) {
    const row = found.get(id);
    if (!row) throw invalidField('attachments', `no upload "${id}" in this organization`);
    if (row.message_id !== null)
      throw invalidField('attachments', `upload "${id}" is already attached to a message`);
  }
  if ((await q.claimUploads(trx, caller.orgId, messageId, ids)) !== ids.length) {
    // Another message claimed one of them since the check above.
    throw invalidField('attachments', 'an upload is already attached to a message');
  }
  const attached = await attachmentsOf(trx, caller.orgId, [messageId]);
  return attached.get(messageId) ?? [];
}

/** Each message's attachments, in upload order; every id asked for is in the map. */
export async function attachmentsOf(
  db: Kysely<Database>,
  orgId: string,
  messageIds: string[],
): Promise<Map<string, AttachmentView[]>> {
  const byMessage = new Map<string, AttachmentView[]>(messageIds.map((id) => [id, []]));
  if (messageIds.length === 0) return byMessage;
  for (const row of await q.uploadsOfMessages(db, orgId, messageIds)) {
    if (row.message_id === null) continue;
    byMessage.get(row.message_id)?.push({
      id: row.id,
      name: row.name,
      size: Number(row.size),
      contentType: row.content_type,
      type: row.content_type,
      url: contentUrl(row.id),
    });
  }
  return byMessage;
}
