import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../../http/errors.js';
import type { ModuleRoutes } from '../../http/module.js';
import * as conversations from './widget.conversations.js';
import { newVisitors, spendWidgetBudget, visitorWrites } from './widget.limits.js';
import {
  Conversation,
  ConversationList,
  ConversationParams,
  ListConversationsQuery,
  MessagesQuery,
  NoQuery,
  PublicSettings,
  SendMessageBody,
  Session,
  SessionBody,
  StartConversationBody,
  VisitorHeaders,
  WidgetKeyHeaders,
  WidgetMessage,
  WidgetMessageList,
} from './widget.schemas.js';
import { openSession, publicSettings, registerVisitorAuth } from './widget.visitors.js';

const tags = ['Widget'];
const common = { tags, security: [] };

/** The chat widget's API under /widget/v1, behind the widget key (see http/widget-auth.ts). */
export const widgetRoutes: ModuleRoutes = ({ db, storage, limiter }) =>
  async function register(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/session',
      {
        schema: {
          ...common,
          operationId: 'startWidgetSession',
          summary: 'Start or resume a visitor session',
          description:
            "Returns a visitor token for the calls about the visitor's conversations, and the widget's settings. A valid `visitorToken` is resumed (the same token comes back) when it belongs to the same identity; otherwise a new visitor starts. `identity.userId` counts only with a valid `signature` (hex HMAC-SHA256 of the userId keyed by the widget's identity secret): such a visitor sees that user's conversations from any browser. A wrong signature is a 401 INVALID_IDENTITY; an unsigned userId is ignored, or refused when the widget requires signed identities.",
          headers: WidgetKeyHeaders,
          querystring: NoQuery,
          body: SessionBody,
          response: { 200: Session, ...errorResponses(400, 401, 403, 429) },
        },
        // Every field is optional, so no body at all is a new anonymous visitor too.
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request, reply) => {
        const channel = await request.widget.channel();
        return openSession(db, channel, request.body, () =>
          spendWidgetBudget(limiter, request, reply, newVisitors(request.ip)),
        );
      },
    );

    app.get(
      '/settings',
      {
        schema: {
          ...common,
          operationId: 'getWidgetSettings',
          summary: "Get the widget's settings",
          description: 'Title, greeting, accent colour and whether an email address is asked for.',
          headers: WidgetKeyHeaders,
          querystring: NoQuery,
          response: { 200: PublicSettings, ...errorResponses(401, 403, 429) },
        },
      },
      async (request) => publicSettings(await request.widget.channel()),
    );

    // Everything below is about one visitor's conversations: it needs the visitor token too.
    await app.register(async (scope) => {
      registerVisitorAuth(scope, db);
      const visitorApp = scope.withTypeProvider<TypeBoxTypeProvider>();

      visitorApp.get(
        '/conversations',
        {
          schema: {
            ...common,
            operationId: 'listWidgetConversations',
            summary: "List the visitor's conversations",
            description: 'Newest first, each with its latest message.',
            headers: VisitorHeaders,
            querystring: ListConversationsQuery,
            response: { 200: ConversationList, ...errorResponses(400, 401, 403, 429) },
          },
        },
        async (request) => conversations.listConversations(db, request.visitor, request.query),
      );

      visitorApp.post(
        '/conversations',
        {
          schema: {
            ...common,
            operationId: 'startWidgetConversation',
            summary: 'Start a conversation',
            description:
              "Opens a ticket on the widget channel with the visitor's first message. `email` is required when the widget asks for one.",
            headers: VisitorHeaders,
            querystring: NoQuery,
            body: StartConversationBody,
            response: { 201: Conversation, ...errorResponses(400, 401, 403, 429) },
          },
        },
        async (request, reply) => {
          await spendWidgetBudget(limiter, request, reply, visitorWrites(request.visitor.id));
          const channel = await request.widget.channel();
          const conversation = await conversations.startConversation(
            db,
            storage,
            channel,
            request.visitor,
            request.body,
          );
          return reply.code(201).send(conversation);
        },
      );

      visitorApp.get(
        '/conversations/:id',
        {
          schema: {
            ...common,
            operationId: 'getWidgetConversation',
            summary: 'Get a conversation',
            description:
              'The conversation with its customer and agent messages (never internal notes), oldest first.',
            headers: VisitorHeaders,
            params: ConversationParams,
            querystring: NoQuery,
            response: { 200: Conversation, ...errorResponses(401, 403, 404, 429) },
          },
        },
        async (request) => conversations.getConversation(db, request.visitor, request.params.id),
      );

      visitorApp.get(
        '/conversations/:id/messages',
        {
          schema: {
            ...common,
            operationId: 'listWidgetMessages',
            summary: 'List messages (polling)',
            description:
              'Messages after `after` (the newest the widget has), oldest first: how a widget without a live socket catches up.',
            headers: VisitorHeaders,
            params: ConversationParams,
            querystring: MessagesQuery,
            response: { 200: WidgetMessageList, ...errorResponses(400, 401, 403, 404, 429) },
          },
        },
        async (request) =>
          conversations.listMessages(db, request.visitor, request.params.id, request.query.after),
      );

      visitorApp.post(
        '/conversations/:id/messages',
        {
          schema: {
            ...common,
            operationId: 'sendWidgetMessage',
            summary: 'Send a message',
            description: 'Adds the visitor’s message to the conversation (reopening it if it was resolved).',
            headers: VisitorHeaders,
            params: ConversationParams,
            querystring: NoQuery,
            body: SendMessageBody,
            response: { 201: WidgetMessage, ...errorResponses(400, 401, 403, 404, 429) },
          },
        },
        async (request, reply) => {
          await spendWidgetBudget(limiter, request, reply, visitorWrites(request.visitor.id));
          const channel = await request.widget.channel();
          const message = await conversations.sendMessage(
            db,
            storage,
            channel,
            request.visitor,
            request.params.id,
            request.body,
          );
          return reply.code(201).send(message);
        },
      );
    });
  };
