import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../../http/errors.js';
import type { ModuleRoutes } from '../../http/module.js';
import { NoContent } from '../../http/schema-helpers.js';
import * as service from './collections.service.js';
import {
  Collection,
  CollectionList,
  CollectionParams,
  CreateCollectionBody,
  ListCollectionsQuery,
  UpdateCollectionBody,
} from './collections.schemas.js';

const tags = ['Knowledge base'];

export const collectionRoutes: ModuleRoutes = ({ db }) =>
  async function register(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/collections',
      {
        schema: {
          tags,
          operationId: 'listCollections',
          summary: 'List collections',
          description: 'Knowledge-base collections by position, then oldest first.',
          querystring: ListCollectionsQuery,
          response: { 200: CollectionList, ...errorResponses(400, 401, 403, 429) },
        },
      },
      async (request) => service.listCollections(db, request.caller, request.query),
    );

    app.get(
      '/collections/:id',
      {
        schema: {
          tags,
          operationId: 'getCollection',
          summary: 'Get collection',
          description: 'A collection by id or slug.',
          params: CollectionParams,
          response: { 200: Collection, ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request) => service.getCollection(db, request.caller, request.params.id),
    );

    app.post(
      '/collections',
      {
        schema: {
          tags,
          operationId: 'createCollection',
          summary: 'Create collection',
          description: 'Admins only. A slug given explicitly that is already used is a 409.',
          body: CreateCollectionBody,
          response: { 201: Collection, ...errorResponses(400, 401, 403, 409, 413, 415, 429) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await service.createCollection(db, request.caller, request.body)),
    );

    app.patch(
      '/collections/:id',
      {
        schema: {
          tags,
          operationId: 'updateCollection',
          summary: 'Update collection',
          description: 'Admins only. Only the fields sent change.',
          params: CollectionParams,
          body: UpdateCollectionBody,
          response: { 200: Collection, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429) },
        },
      },
      async (request) => service.updateCollection(db, request.caller, request.params.id, request.body),
    );

    app.delete(
      '/collections/:id',
      {
        schema: {
          tags,
          operationId: 'deleteCollection',
          summary: 'Delete collection',
          description:
            'Admins only. A collection that still holds articles is not deleted (409, `details.articleCount`): move its articles elsewhere (`collectionId`) or delete them first.',
          params: CollectionParams,
          response: { 204: NoContent, ...errorResponses(401, 403, 404, 409, 429) },
        },
      },
      async (request, reply) => {
        await service.deleteCollection(db, request.caller, request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
