import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifySchema, FastifySchemaCompiler } from 'fastify';
import { Type } from 'typebox';
import { AppError, errorResponses, forbidden, notFound } from '../../http/errors.js';
import type { ModuleRoutes } from '../../http/module.js';
import { StringEnum } from '../../http/schema-helpers.js';
import { validatorCompiler } from '../../http/validation.js';
import { findEmailChannelByToken } from '../../modules/channels/channels.lookup.js';
import { ingestEmail } from './ingest.js';
import { MalformedEmailError } from './parse.js';
import { InboundMailThrottled, MailThrottle } from './throttle.js';

const RAW_TYPES = ['message/rfc822', 'text/plain', 'application/octet-stream'];

const InboundParams = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 100, description: "The channel's inbound token." }),
});

const RawEmail = Type.String({ format: 'binary', description: 'The whole message, headers and body.' });

const Received = (description: string, outcomes: readonly string[]) =>
  Type.Object(
    {
      outcome: StringEnum(outcomes),
      ticketId: Type.String({ examples: ['tkt_01hsxq4k…'] }),
      messageId: Type.String({ examples: ['msg_01hsxq5n…'] }),
    },
    { description },
  );

const Ignored = Type.Object(
  {
    outcome: StringEnum(['ignored']),
    reason: Type.String({ examples: ['Auto-Submitted: auto-replied'] }),
  },
  { description: 'Automated mail (auto-reply, list, bounce, loop): nothing was stored.' },
);

/** The body is raw bytes read by the parser below; its schema only documents them. */
const skipBodyValidation: FastifySchemaCompiler<FastifySchema> = (route) =>
  route.httpPart === 'body' ? () => true : validatorCompiler(route);

const unsupported = (type: string | undefined) =>
  new AppError(
    'UNSUPPORTED_MEDIA_TYPE',
    415,
    `Content-Type ${type ?? '(none)'} is not supported here; send the raw message as message/rfc822`,
  );

/** POST /channels/email/inbound/:token: mail handed over by an MTA or a mail service's webhook. */
export const emailInboundRoutes: ModuleRoutes = (deps) =>
  async function register(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    const maxBytes = deps.config.emailMaxBytes;
    const throttle = new MailThrottle(deps.limiter, deps.config);

    // Raw bodies in this scope only; anything else (JSON included) is refused as a 415.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(RAW_TYPES, { parseAs: 'buffer', bodyLimit: maxBytes }, (_request, body, done) =>
      done(null, body),
    );
    app.addContentTypeParser('*', (request, _payload, done) =>
      done(unsupported(request.headers['content-type']), undefined),
    );

    app.post(
      '/email/inbound/:token',
      {
        bodyLimit: maxBytes,
        schema: {
          tags: ['Channels'],
          operationId: 'receiveInboundEmail',
          summary: 'Receive an email',
          description:
            "Hands one inbound email to an email channel, for MTAs (a pipe to curl) and mail services' inbound webhooks. " +
            `The body is the raw RFC 822 message (at most ${maxBytes} bytes) sent as message/rfc822, text/plain or application/octet-stream; ` +
            "the token in the path is the channel's inbound token and is the only credential. " +
            'The mail opens a ticket, or continues the one its In-Reply-To/References or `[CODE-n]` subject tag name; ' +
            'a Message-ID seen before is a duplicate and stores nothing. ' +
            'HTML nested over 200 deep or with over 50,000 elements is refused (400); a sender or client over its mails-a-minute budget gets 429. ' +
            'Auto-replies, mailing lists, bounces and Talki’s own mail are ignored (202).',
          security: [],
          consumes: RAW_TYPES,
          params: InboundParams,
          body: RawEmail,
          response: {
            200: Received('The mail continued a ticket, or was already received.', ['appended', 'duplicate']),
            201: Received('The mail opened a ticket.', ['created']),
            202: Ignored,
            ...errorResponses(400, 403, 404, 413, 415, 429),
          },
        },
        validatorCompiler: skipBodyValidation,
      },
      async (request, reply) => {
        if (!Buffer.isBuffer(request.body)) throw unsupported(request.headers['content-type']);
        const channel = await findEmailChannelByToken(deps.db, deps.box, request.params.token);
        if (!channel) throw notFound('No email channel has this inbound token');
        if (!channel.enabled) throw forbidden('This email channel is disabled');
        const throttled = (error: unknown) => {
          if (!(error instanceof InboundMailThrottled)) throw error;
          reply.header('Retry-After', error.retryAfterSeconds);
          throw new AppError('TOO_MANY_REQUESTS', 429, `Too many mails: ${error.message}`, {
            limit: error.limit,
            retryAfter: error.retryAfterSeconds,
          });
        };
        await throttle.client(request.ip).catch(throttled);
        const result = await ingestEmail(deps, channel, request.body, {
          throttle: (sender) => throttle.sender(sender),
        }).catch((error: unknown) => {
          if (error instanceof MalformedEmailError)
            throw new AppError('INVALID_EMAIL', 400, `Malformed email: ${error.message}`);
          return throttled(error);
        });
        switch (result.outcome) {
          case 'created':
            return reply.code(201).send(result);
          case 'ignored':
            return reply.code(202).send(result);
          case 'appended':
          case 'duplicate':
            return reply.code(200).send(result);
        }
      },
    );
  };
