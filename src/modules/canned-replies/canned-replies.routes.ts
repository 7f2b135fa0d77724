import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../../http/errors.js';
import type { ModuleRoutes } from '../../http/module.js';
import { NoContent } from '../../http/schema-helpers.js';
import * as service from './canned-replies.service.js';
import {
  CannedReply,
  CannedReplyList,
  CannedReplyParams,
  CreateCannedReplyBody,
  ListCannedRepliesQuery,
  UpdateCannedReplyBody,
} from './canned-replies.schemas.js';

const tags = ['Canned replies'];

export const cannedReplyRoutes: ModuleRoutes = ({ db }) =>
  async function register(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/canned-replies',
      {
        schema: {
          tags,
          operationId: 'listCannedReplies',
          summary: 'List canned replies',
          description: 'Saved replies by shortcut. Page with `page`/`per_page` or `limit`/`startingAfter`.',
          querystring: ListCannedRepliesQuery,
          response: { 200: CannedReplyList, ...errorResponses(400, 401, 403, 429) },
        },
      },
      async (request) => service.listCannedReplies(db, request.caller, request.query),
    );

    app.get(
      '/canned-replies/:id',
      {
        schema: {
          tags,
          operationId: 'getCannedReply',
          summary: 'Get canned reply',
          params: CannedReplyParams,
          response: { 200: CannedReply, ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request) => service.getCannedReply(db, request.caller, request.params.id),
    );

    app.post(
      '/canned-replies',
      {
        schema: {
          tags,
          operationId: 'createCannedReply',
          summary: 'Create canned reply',
          description: 'The shortcut is unique within the organization (409 when taken).',
          body: CreateCannedReplyBody,
          response: { 201: CannedReply, ...errorResponses(400, 401, 403, 409, 413, 415, 429) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await service.createCannedReply(db, request.caller, request.body)),
    );

    app.patch(
      '/canned-replies/:id',
      {
        schema: {
          tags,
          operationId: 'updateCannedReply',
          summary: 'Update canned reply',
          description: 'Only the fields sent change.',
          params: CannedReplyParams,
          body: UpdateCannedReplyBody,
          response: { 200: CannedReply, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429) },
        },
      },
      async (request) => service.updateCannedReply(db, request.caller, request.params.id, request.body),
    );

    app.delete(
      '/canned-replies/:id',
      {
        schema: {
          tags,
          operationId: 'deleteCannedReply',
          summary: 'Delete canned reply',
          params: CannedReplyParams,
          response: { 204: NoContent, ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request, reply) => {
        await service.deleteCannedReply(db, request.caller, request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
