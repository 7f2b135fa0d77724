import { PassThrough, type Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { AppError, badRequest, invalidField } from '../../http/errors.js';
import { sanitizeFilename, tooLarge } from './uploads.content.js';
import type { IncomingFile } from './uploads.service.js';

export interface UploadLimits {
  maxBytes: number;
  maxFiles: number;
}

/** Busboy limits for one upload request: files, their size, and few small non-file parts. */
export function busboyLimits(limits: UploadLimits) {
  return {
    fileSize: limits.maxBytes,
    files: limits.maxFiles,
    fields: 10,
    fieldSize: 1024,
    fieldNameSize: 200,
    parts: limits.maxFiles + 10,
    headerPairs: 100,
  };
}

const malformed = (cause: unknown) =>
  badRequest(`Malformed multipart body: ${cause instanceof Error ? cause.message : String(cause)}`);

/** The failure of a file part's stream: the client's body broke (truncated, malformed), not our storage. */
class BrokenPart extends Error {}

/** A file part went past the size limit: reading stops there rather than draining the rest. */
class OversizedPart extends Error {}

/**
 * A file part's bytes through a stream of our own, so that a break in the client's body is
 * told apart from a storage failure further down the pipeline (a 400, not a 500).
 */
function partContent(file: Readable, name: string): Readable {
  if (file.errored) throw malformed(file.errored);
  const content = new PassThrough();
  file.once('error', (error) => content.destroy(new BrokenPart(error.message)));
  file.once('limit', () => content.destroy(new OversizedPart(name)));
  file.once('close', () => {
    if (!file.readableEnded) content.destroy(new BrokenPart('a file part ended early'));
  });
  file.pipe(content);
  return content;
}

/**
 * The files of a multipart request, one at a time as streams, and a way to turn what went
 * wrong while reading them into the right 4xx (the client's body) or leave it a 5xx (ours).
 */
export function multipartFiles(request: FastifyRequest, limits: UploadLimits) {
  let parsingError: unknown;
  async function* files(): AsyncGenerator<IncomingFile> {
    if (!request.isMultipart()) {
      throw new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        415,
        `Content-Type ${request.headers['content-type'] ?? '(none)'} is not supported here; send multipart/form-data`,
      );
    }
    try {
      for await (const part of request.parts()) {
        if (part.type !== 'file') {
          throw invalidField(part.fieldname, 'is not a file: every part of an upload must be a file');
        }
        yield {
          filename: part.filename,
          declaredType: part.mimetype,
          content: partContent(part.file, sanitizeFilename(part.filename)),
          truncated: () => part.file.truncated,
        };
      }
    } catch (error) {
      parsingError = error;
      throw error;
    }
  }

  function describe(error: unknown): unknown {
    if (error instanceof AppError) return error;
    if (error instanceof BrokenPart) return malformed(error);
    if (error instanceof OversizedPart) return tooLarge(limits.maxBytes, error.message);
    if (error !== parsingError) return error;
    switch ((error as { code?: unknown }).code) {
      case 'FST_FILES_LIMIT':
        return invalidField('file', `too many files: at most ${limits.maxFiles} per request`);
      case 'FST_REQ_FILE_TOO_LARGE':
        return tooLarge(limits.maxBytes);
      case 'FST_PARTS_LIMIT':
      case 'FST_FIELDS_LIMIT':
        return badRequest('Too many parts in the multipart body');
      default:
        return malformed(error);
    }
  }

  return { files: files(), describe };
}
