import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../../http/errors.js';
import type { ModuleRoutes } from '../../http/module.js';
import { NoContent } from '../../http/schema-helpers.js';
import * as service from './articles.service.js';
import {
  Article,
  ArticleList,
  ArticleParams,
  CreateArticleBody,
  ListArticlesQuery,
  UpdateArticleBody,
} from './articles.schemas.js';

const tags = ['Knowledge base'];

export const articleRoutes: ModuleRoutes = ({ db }) =>
  async function register(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/articles',
      {
        schema: {
          tags,
          operationId: 'listArticles',
          summary: 'List articles',
          description:
            'Knowledge-base articles, newest first, without bodies. With `search` (or `q`) only matching articles, best match first (title matches above body matches, ties newest first), in either paging mode; a cursor whose article no longer matches ends the list.',
          querystring: ListArticlesQuery,
          response: { 200: ArticleList, ...errorResponses(400, 401, 403, 429) },
        },
      },
      async (request) => service.listArticles(db, request.caller, request.query),
    );

    app.get(
      '/articles/:id',
      {
        schema: {
          tags,
          operationId: 'getArticle',
          summary: 'Get article',
          description: 'An article, drafts included, by id or slug.',
          params: ArticleParams,
          response: { 200: Article, ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request) => service.getArticle(db, request.caller, request.params.id),
    );

    app.post(
      '/articles',
      {
        schema: {
          tags,
          operationId: 'createArticle',
          summary: 'Create article',
          description:
            'A draft unless `status` is published. The caller is recorded as the author. A slug given explicitly that is already used is a 409.',
          body: CreateArticleBody,
          response: { 201: Article, ...errorResponses(400, 401, 403, 409, 413, 415, 429) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await service.createArticle(db, request.caller, request.body)),
    );

    app.patch(
      '/articles/:id',
      {
        schema: {
          tags,
          operationId: 'updateArticle',
          summary: 'Update article',
          description: 'Only the fields sent change; the slug stays when the title changes.',
          params: ArticleParams,
          body: UpdateArticleBody,
          response: { 200: Article, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429) },
        },
      },
      async (request) => service.updateArticle(db, request.caller, request.params.id, request.body),
    );

    app.delete(
      '/articles/:id',
      {
        schema: {
          tags,
          operationId: 'deleteArticle',
          summary: 'Delete article',
          description: 'Admins only.',
          params: ArticleParams,
          response: { 204: NoContent, ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request, reply) => {
        await service.deleteArticle(db, request.caller, request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
