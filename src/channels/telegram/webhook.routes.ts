import { createHash, timingSafeEqual } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifySchema, FastifySchemaCompiler } from 'fastify';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Database } from '../../db/schema.js';
import { errorResponses, forbidden, invalidField, notFound, unauthorized } from '../../http/errors.js';
import type { ModuleRoutes } from '../../http/module.js';
import { validatorCompiler } from '../../http/validation.js';
import { findTelegramChannel } from '../../modules/channels/channels.lookup.js';
import type { SecretBox } from '../secret-box.js';
import { BotApi } from './bot-api.js';
import type { TelegramUpdate } from './telegram.types.js';
import { handleUpdate } from './updates.js';

const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

const WebhookParams = Type.Object({ channelId: Type.String({ minLength: 1, maxLength: 100 }) });
const WebhookHeaders = Type.Object({
  [SECRET_HEADER]: Type.Optional(
    Type.String({ description: 'The secret Talki gave Telegram when it registered the webhook.' }),
  ),
});
const UpdateBody = Type.Object(
  { update_id: Type.Integer() },
  { description: 'A Telegram Update object (https://core.telegram.org/bots/api#update).' },
);
const Accepted = Type.Object({ ok: Type.Literal(true) });

/** The body is checked in the handler, after the secret: a stranger learns nothing from a 400. */
const skipBodyValidation: FastifySchemaCompiler<FastifySchema> = (route) =>
  route.httpPart === 'body' ? () => true : validatorCompiler(route);

/** Compares digests so that neither the secret's content nor its length shows in the timing. */
function sameSecret(given: string | undefined, expected: string): boolean {
  if (!given || !expected) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

async function authenticate(
  db: Kysely<Database>,
  box: SecretBox,
  channelId: string,
  secret: string | undefined,
) {
  const channel = await findTelegramChannel(db, box, channelId);
  if (!channel) throw notFound(`Telegram channel ${channelId} not found`);
  if (!sameSecret(secret, channel.secrets.webhookSecret)) {
    throw unauthorized(`Missing or wrong ${SECRET_HEADER} header`);
  }
  if (!channel.enabled) throw forbidden('This channel is disabled');
  return channel;
}

function updateOf(body: unknown): TelegramUpdate {
  const candidate = body as { update_id?: unknown } | null | undefined;
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) {
    throw invalidField('(root)', 'must be a JSON object');
  }
  if (!Number.isSafeInteger(candidate.update_id)) throw invalidField('update_id', 'must be an integer');
  return candidate as TelegramUpdate;
}

export const telegramWebhookRoutes: ModuleRoutes = ({ db, config, storage, box }) =>
  async function register(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/telegram/:channelId/webhook',
      {
        schema: {
          tags: ['Channels'],
          operationId: 'receiveTelegramUpdate',
          summary: 'Telegram webhook',
          description:
            "Where Telegram posts a Telegram channel's updates. Authenticated by the `X-Telegram-Bot-Api-Secret-Token` header Talki registered with the webhook. A customer's message becomes a message on their open ticket; a redelivered update is ignored, so a 5xx (which makes Telegram retry) is harmless.",
          security: [],
          params: WebhookParams,
          headers: WebhookHeaders,
          body: UpdateBody,
          response: { 200: Accepted, ...errorResponses(400, 401, 403, 404, 413, 415, 500) },
        },
        validatorCompiler: skipBodyValidation,
      },
      async (request) => {
        const channel = await authenticate(db, box, request.params.channelId, request.headers[SECRET_HEADER]);
        const update = updateOf(request.body);
        const api = new BotApi(config.telegramApiUrl, channel.secrets.botToken);
        await handleUpdate({ db, storage, api, channel, maxFileBytes: config.uploadMaxBytes }, update);
        return { ok: true as const };
      },
    );
  };
