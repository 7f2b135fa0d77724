import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifySchema, FastifySchemaCompiler } from 'fastify';
import { errorResponses } from '../../http/errors.js';
import type { ModuleRoutes } from '../../http/module.js';
import { validatorCompiler } from '../../http/validation.js';
import { downloadHeaders } from '../../modules/uploads/uploads.content.js';
import { busboyLimits, multipartFiles, type UploadLimits } from '../../modules/uploads/uploads.multipart.js';
import { FileContent, UploadForm } from '../../modules/uploads/uploads.schemas.js';
import { spendWidgetBudget, visitorWrites } from './widget.limits.js';
import { NoQuery, UploadParams, VisitorHeaders, WidgetUploadList } from './widget.schemas.js';
import { createVisitorUploads, openVisitorUpload } from './widget.uploads.js';
import { registerVisitorAuth } from './widget.visitors.js';

const common = { tags: ['Widget'], security: [] };

/** The multipart body is read part by part in the handler; its schema only documents the form. */
const skipBodyValidation: FastifySchemaCompiler<FastifySchema> = (route) =>
  route.httpPart === 'body' ? () => true : validatorCompiler(route);

/** Files a visitor attaches (upload first, then name the ids in `attachments`), and their downloads. */
export const widgetUploadRoutes: ModuleRoutes = ({ db, config, storage, limiter }) =>
  async function register(instance: FastifyInstance): Promise<void> {
    registerVisitorAuth(instance, db);
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    const limits: UploadLimits = { maxBytes: config.uploadMaxBytes, maxFiles: config.uploadMaxFiles };

    // Multipart is parsed in this scope only: every other widget route still takes JSON alone.
    await app.register(async (scope) => {
      await scope.register(multipart, { limits: busboyLimits(limits), throwFileSizeLimit: true });
      scope.withTypeProvider<TypeBoxTypeProvider>().post(
        '/uploads',
        {
          schema: {
            ...common,
            operationId: 'createWidgetUploads',
            summary: 'Upload files',
            description: `Uploads files for the visitor's next message (multipart/form-data, at most ${limits.maxFiles} files of ${limits.maxBytes} bytes each); attach them with \`attachments\`.`,
            consumes: ['multipart/form-data'],
            headers: VisitorHeaders,
            querystring: NoQuery,
            body: UploadForm,
            response: { 201: WidgetUploadList, ...errorResponses(400, 401, 403, 413, 415, 429) },
          },
          validatorCompiler: skipBodyValidation,
        },
        async (request, reply) => {
          await spendWidgetBudget(limiter, request, reply, visitorWrites(request.visitor.id));
          const { files, describe } = multipartFiles(request, limits);
          const data = await createVisitorUploads(db, storage, request.visitor, files, limits).catch(
            (error: unknown) => {
              throw describe(error);
            },
          );
          return reply.code(201).send({ data });
        },
      );
    });

    app.get(
      '/uploads/:id/content',
      {
        schema: {
          ...common,
          operationId: 'downloadWidgetUpload',
          summary: 'Download a file',
          description:
            "A file the visitor uploaded or one on a message of the visitor's conversations, served like GET /v1/uploads/{id}/content (active types only as downloads, nosniff, sandboxing CSP).",
          headers: VisitorHeaders,
          params: UploadParams,
          querystring: NoQuery,
          response: { 200: FileContent, ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request, reply) => {
        const { upload, content } = await openVisitorUpload(db, storage, request.visitor, request.params.id);
        return reply.headers(downloadHeaders(upload)).send(content);
      },
    );
  };
