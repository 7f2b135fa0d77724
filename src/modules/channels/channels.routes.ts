import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errorResponses } from '../../http/errors.js';
import type { ModuleRoutes } from '../../http/module.js';
import { NoContent } from '../../http/schema-helpers.js';
import {
  Channel,
  ChannelList,
  ChannelParams,
  CreateChannelBody,
  IdentitySecret,
  ListChannelsQuery,
  UpdateChannelBody,
} from './channels.schemas.js';
import * as service from './channels.service.js';

const tags = ['Channels'];
const config = { adminOnly: 'manage channels' };

export const channelRoutes: ModuleRoutes = (deps) =>
  async function register(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    const { db } = deps;
    /** Inbound and webhook URLs are shown with the address the world reaches this server at. */
    const env = (request: FastifyRequest): service.ChannelEnv => ({
      box: deps.box,
      config: deps.config,
      publicUrl: deps.config.publicUrl ?? `${request.protocol}://${request.host}`,
    });

    app.get(
      '/channels',
      {
        config,
        schema: {
          tags,
          operationId: 'listChannels',
          summary: 'List channels',
          description:
            'The org’s email addresses, Telegram bots and its website widget (admins only). Secrets (bot tokens, SMTP passwords, the identity secret) are never shown.',
          querystring: ListChannelsQuery,
          response: { 200: ChannelList, ...errorResponses(400, 401, 403, 429) },
        },
      },
      async (request) => service.listChannels(db, env(request), request.caller, request.query),
    );

    app.get(
      '/channels/:id',
      {
        config,
        schema: {
          tags,
          operationId: 'getChannel',
          summary: 'Get a channel',
          params: ChannelParams,
          response: { 200: Channel, ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request) => service.getChannel(db, env(request), request.caller, request.params.id),
    );

    app.post(
      '/channels',
      {
        config,
        schema: {
          tags,
          operationId: 'createChannel',
          summary: 'Add an email address or Telegram bot',
          description:
            'email: mail to `address` (over SMTP when TALKI_SMTP_PORT is set, or POSTed to the returned inboundUrl) opens and continues tickets; replies go out over the channel’s smtpUrl or the server’s SMTP_URL. telegram: the token is checked with getMe; in webhook mode the bot’s webhook is registered at this server (TALKI_PUBLIC_URL) with a secret token, in polling mode the worker asks Telegram for updates.',
          body: CreateChannelBody,
          response: { 201: Channel, ...errorResponses(400, 401, 403, 409, 415, 429) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await service.createChannel(db, env(request), request.caller, request.body)),
    );

    app.patch(
      '/channels/:id',
      {
        config,
        schema: {
          tags,
          operationId: 'updateChannel',
          summary: 'Change a channel',
          description:
            'Partial update. `widget` names the org’s widget (allowed origins, colour, title, greeting, email requirement, identity signing). Secrets may be replaced, never read.',
          params: ChannelParams,
          body: UpdateChannelBody,
          response: { 200: Channel, ...errorResponses(400, 401, 403, 404, 409, 415, 429) },
        },
      },
      async (request) =>
        service.updateChannel(db, env(request), request.caller, request.params.id, request.body),
    );

    app.delete(
      '/channels/:id',
      {
        config,
        schema: {
          tags,
          operationId: 'deleteChannel',
          summary: 'Remove a channel',
          description:
            'Its tickets stay; replies on them can no longer be delivered. A Telegram bot’s webhook is removed. The widget can’t be deleted (409): disable it instead.',
          params: ChannelParams,
          response: { 204: NoContent, ...errorResponses(401, 403, 404, 409, 429) },
        },
      },
      async (request, reply) => {
        await service.deleteChannel(db, env(request), request.caller, request.params.id);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/channels/:id/inbound-token',
      {
        config,
        schema: {
          tags,
          operationId: 'rotateEmailInboundToken',
          summary: 'New inbound URL for an email channel',
          description:
            'Generates a new inbound token and returns the channel with its `inboundToken` and `inboundUrl`, shown this once (only a hash is stored). The previous URL stops working at once. 404 for a channel that is not an email channel.',
          params: ChannelParams,
          response: { 200: Channel, ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request) => service.rotateInboundToken(db, env(request), request.caller, request.params.id),
    );

    app.post(
      '/channels/widget/identity-secret',
      {
        config,
        schema: {
          tags,
          operationId: 'rotateWidgetIdentitySecret',
          summary: 'New identity secret for the widget',
          description:
            'Generates the key your server signs widget identities with — `signature = hex(HMAC-SHA256(identitySecret, userId))`, passed as `identity: { userId, signature }` — and shows it this once. The previous secret stops working.',
          response: { 200: IdentitySecret, ...errorResponses(401, 403, 429) },
        },
      },
      async (request) => service.rotateIdentitySecret(db, env(request), request.caller),
    );
  };
