import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../../http/errors.js';
import type { ModuleRoutes } from '../../http/module.js';
import { NoContent } from '../../http/schema-helpers.js';
import * as service from './tags.service.js';
import { CreateTagBody, ListTagsQuery, Tag, TagList, TagParams, UpdateTagBody } from './tags.schemas.js';

const tags = ['Tags'];

export const tagRoutes: ModuleRoutes = ({ db }) =>
  async function register(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/tags',
      {
        schema: {
          tags,
          operationId: 'listTags',
          summary: 'List tags',
          description: 'Tags by name, with how many tickets carry each.',
          querystring: ListTagsQuery,
          response: { 200: TagList, ...errorResponses(400, 401, 403, 429) },
        },
      },
      async (request) => service.listTags(db, request.caller, request.query),
    );

    app.get(
      '/tags/:id',
      {
        schema: {
          tags,
          operationId: 'getTag',
          summary: 'Get tag',
          params: TagParams,
          response: { 200: Tag, ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request) => service.getTag(db, request.caller, request.params.id),
    );

    app.post(
      '/tags',
      {
        schema: {
          tags,
          operationId: 'createTag',
          summary: 'Create tag',
          description: 'Tickets may also use names that have no tag yet: those tags are created on use.',
          body: CreateTagBody,
          response: { 201: Tag, ...errorResponses(400, 401, 403, 409, 429) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await service.createTag(db, request.caller, request.body)),
    );

    app.patch(
      '/tags/:id',
      {
        schema: {
          tags,
          operationId: 'updateTag',
          summary: 'Update tag',
          description: 'Change the colour or the name; a new name applies to every ticket carrying the tag.',
          params: TagParams,
          body: UpdateTagBody,
          response: { 200: Tag, ...errorResponses(400, 401, 403, 404, 409, 429) },
        },
      },
      async (request) => service.updateTag(db, request.caller, request.params.id, request.body),
    );

    app.delete(
      '/tags/:id',
      {
        schema: {
          tags,
          operationId: 'deleteTag',
          summary: 'Delete tag',
          description: 'Deletes the tag and removes it from every ticket.',
          params: TagParams,
          response: { 204: NoContent, ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request, reply) => {
        await service.deleteTag(db, request.caller, request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
