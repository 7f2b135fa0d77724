import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errorResponses } from '../../http/errors.js';
import type { ModuleRoutes } from '../../http/module.js';
import * as service from './articles.service.js';
import { ArticleParams, WidgetArticle, WidgetArticleList, WidgetListQuery } from './articles.schemas.js';

const tags = ['Widget'];

/** How the widget authenticates, shown on each operation (the key is public, not a secret). */
const WidgetHeaders = Type.Object({
  'x-talki-widget-key': Type.Optional(
    Type.String({
      description:
        "The organization's public widget key (talki_pk_…); `Authorization: Bearer <widget key>` works too. Secret keys are refused (403).",
    }),
  ),
});
const NoQuery = Type.Object({}, { additionalProperties: false });

/** Served under /widget/v1 behind the widget key: published articles only. */
export const widgetArticleRoutes: ModuleRoutes = ({ db }) =>
  async function register(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/articles',
      {
        schema: {
          tags,
          operationId: 'listWidgetArticles',
          summary: 'Suggest published articles',
          description:
            'Published knowledge-base articles for the chat widget: with `search`, the best matches first (to suggest answers as the visitor types); without, the newest first. Authenticated by the public widget key; callable from the pages of the widget’s allowed origins (CORS).',
          security: [],
          headers: WidgetHeaders,
          querystring: WidgetListQuery,
          response: { 200: WidgetArticleList, ...errorResponses(400, 401, 403, 429) },
        },
      },
      async (request) => service.listPublishedArticles(db, request.widget.orgId, request.query),
    );

    app.get(
      '/articles/:id',
      {
        schema: {
          tags,
          operationId: 'getWidgetArticle',
          summary: 'Get a published article',
          description: 'A published article by id or slug; drafts are not found (404).',
          security: [],
          headers: WidgetHeaders,
          params: ArticleParams,
          querystring: NoQuery,
          response: { 200: WidgetArticle, ...errorResponses(400, 401, 403, 404, 429) },
        },
      },
      async (request) => service.getPublishedArticle(db, request.widget.orgId, request.params.id),
    );
  };
