import { Type, type Static } from 'typebox';
import { Timestamp } from '../../http/schema-helpers.js';

/** Most attachments one message may carry. */
export const MAX_ATTACHMENTS = 10;

const uploadProperties = {
  id: Type.String({ examples: ['upl_01hsxq9d…'] }),
  name: Type.String({
    description: 'The file name as uploaded, without any path.',
    examples: ['screenshot.png'],
  }),
  size: Type.Integer({ description: 'Bytes.', examples: [48213] }),
  contentType: Type.String({
    description: "Detected from the file's bytes, not taken from the client.",
    examples: ['image/png'],
  }),
  type: Type.String({
    description: 'The same as contentType (the name the attachment listing uses).',
    examples: ['image/png'],
  }),
  url: Type.String({
    description: 'Where to download the bytes; needs the same authentication as the API.',
    examples: ['/v1/uploads/upl_01hsxq9d…/content'],
  }),
};

/** A file on a message, as the message shape lists it. Plain (no $id): embed it where needed. */
export const Attachment = Type.Object(uploadProperties, {
  description: 'A file attached to a message.',
});
export type AttachmentView = Static<typeof Attachment>;

export const Upload = Type.Object({
  ...uploadProperties,
  sha256: Type.String({ description: 'SHA-256 of the bytes, hex.', examples: ['9f86d081884c7d65…'] }),
  createdAt: Timestamp,
});
export type UploadView = Static<typeof Upload>;

export const UploadList = Type.Object({ data: Type.Array(Upload) });

export const UploadParams = Type.Object({ id: Type.String({ description: 'Upload id (upl_…).' }) });

/** Documents the multipart form; the parts are read as streams, not validated as a body. */
export const UploadForm = Type.Object(
  {
    file: Type.Array(Type.String({ format: 'binary' }), {
      description: 'One or more files; any field name works, every part must be a file.',
    }),
  },
  { additionalProperties: false },
);

/** The raw bytes of a download, as OpenAPI describes a file body. */
export const FileContent = {
  description: 'The file. Content-Type is the detected type; active types come as attachments.',
  content: { 'application/octet-stream': { schema: Type.String({ format: 'binary' }) } },
};
