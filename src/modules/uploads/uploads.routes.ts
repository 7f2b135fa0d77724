import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifySchema, FastifySchemaCompiler } from 'fastify';
import { errorResponses } from '../../http/errors.js';
import type { ModuleRoutes } from '../../http/module.js';
import { validatorCompiler } from '../../http/validation.js';
import { openBlobStorage } from '../../storage/index.js';
import { downloadHeaders } from './uploads.content.js';
import { busboyLimits, multipartFiles, type UploadLimits } from './uploads.multipart.js';
import { FileContent, Upload, UploadForm, UploadList, UploadParams } from './uploads.schemas.js';
import * as service from './uploads.service.js';

const tags = ['Uploads'];

/** The multipart body is read part by part in the handler; its schema only documents the form. */
const skipBodyValidation: FastifySchemaCompiler<FastifySchema> = (route) =>
  route.httpPart === 'body' ? () => true : validatorCompiler(route);

export const uploadRoutes: ModuleRoutes = ({ db, config }) =>
  async function register(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    const storage = openBlobStorage(config);
    const limits: UploadLimits = { maxBytes: config.uploadMaxBytes, maxFiles: config.uploadMaxFiles };

    // Multipart is parsed in this scope only: every other route still takes JSON alone.
    await app.register(async (scope) => {
      await scope.register(multipart, { limits: busboyLimits(limits), throwFileSizeLimit: true });
      scope.withTypeProvider<TypeBoxTypeProvider>().post(
        '/uploads',
        {
          schema: {
            tags,
            operationId: 'createUploads',
            summary: 'Upload files',
            description:
              `Uploads one or more files (multipart/form-data, at most ${limits.maxFiles} files of ${limits.maxBytes} bytes each). ` +
              'The content type is detected from the bytes. Attach the returned ids to a new message with `attachments`; uploads no message claims within 24 hours may be deleted.',
            consumes: ['multipart/form-data'],
            body: UploadForm,
            response: { 201: UploadList, ...errorResponses(400, 401, 403, 413, 415, 429) },
          },
          validatorCompiler: skipBodyValidation,
          config: { idempotentResponse: (data) => ({ data }) },
        },
        async (request, reply) => {
          const { files, describe } = multipartFiles(request, limits);
          const data = await service
            .createUploads(db, storage, request.caller, files, limits)
            .catch((error: unknown) => {
              throw describe(error);
            });
          return reply.code(201).send({ data });
        },
      );
    });

    app.get(
      '/uploads/:id',
      {
        schema: {
          tags,
          operationId: 'getUpload',
          summary: 'Get upload',
          description: "An uploaded file's name, size, detected type and checksum.",
          params: UploadParams,
          response: { 200: Upload, ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request) => service.getUpload(db, request.caller, request.params.id),
    );

    app.get(
      '/uploads/:id/content',
      {
        schema: {
          tags,
          operationId: 'downloadUpload',
          summary: 'Download upload',
          description:
            'The bytes of an uploaded file. Images, PDF and plain text are served inline; every other type (HTML, SVG, XML, unknown…) as a download, always with `X-Content-Type-Options: nosniff` and a sandboxing Content-Security-Policy.',
          params: UploadParams,
          response: { 200: FileContent, ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request, reply) => {
        const { upload, content } = await service.openUploadContent(
          db,
          storage,
          request.caller,
          request.params.id,
        );
        return reply.headers(downloadHeaders(upload)).send(content);
      },
    );
  };
