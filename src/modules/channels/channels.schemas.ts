import { Type, type Static } from 'typebox';
import { cursorParams, ListMeta, PageParams } from '../../http/pagination.js';
import { Nullable, StringEnum, Timestamp } from '../../http/schema-helpers.js';

export const CHANNEL_TYPES = ['email', 'telegram', 'widget'] as const;

const name = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S', description: 'Shown to agents.' });
const enabled = Type.Boolean({
  description:
    'A disabled channel takes no inbound messages and delivers no replies (they fail, and can be retried).',
});

// Settings, flat: each belongs to one channel type, and a setting of another type is a 400.
const emailFields = {
  address: Type.String({
    format: 'email',
    maxLength: 254,
    description: 'Email: the address customers write to; replies come from it. Unique across the server.',
  }),
  displayName: Nullable(Type.String({ maxLength: 100 }), {
    description: 'Email: the name replies come from ("Acme Support").',
  }),
  smtpUrl: Nullable(Type.String({ maxLength: 2000, pattern: '^smtps?://' }), {
    description:
      'Email: outbound SMTP server for this address (smtp://user:pass@host:587 or smtps://…); null uses the server’s SMTP_URL. Never shown again.',
  }),
  smtp: Nullable(
    Type.Object(
      {
        host: Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.:\\[\\]-]+$' }),
        port: Type.Optional(
          Type.Integer({ minimum: 1, maximum: 65535, description: 'Default 465 when secure, else 587.' }),
        ),
        secure: Type.Optional(
          Type.Boolean({
            description: 'TLS from the first byte (port 465); otherwise STARTTLS when offered.',
          }),
        ),
        username: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
        password: Type.Optional(
          Type.String({ minLength: 1, maxLength: 500, description: 'Never shown again.' }),
        ),
      },
      { additionalProperties: false },
    ),
    { description: 'Email: the outbound SMTP server as fields, instead of smtpUrl; null uses SMTP_URL.' },
  ),
};
const telegramFields = {
  botToken: Type.String({
    minLength: 3,
    maxLength: 200,
    description: 'Telegram: the bot token from @BotFather. Stored encrypted; never shown again.',
  }),
  webhookSecret: Type.String({
    pattern: '^[A-Za-z0-9_-]{16,256}$',
    description:
      'Telegram: the secret Telegram sends back in X-Telegram-Bot-Api-Secret-Token (16–256 of A–Z a–z 0–9 _ -). Generated when not given; never shown again.',
  }),
  mode: StringEnum(['webhook', 'polling'], {
    description:
      'Telegram: webhook (Telegram posts updates to this server; needs a public HTTPS URL) or polling (the server asks Telegram with getUpdates; works behind NAT). Default webhook.',
  }),
};
const widgetFields = {
  allowedOrigins: Type.Array(Type.String({ minLength: 1, maxLength: 300 }), {
    maxItems: 100,
    description:
      'Widget: the origins (https://shop.example) whose pages may use the widget. Empty: any origin. Requests from other origins are refused.',
  }),
  color: Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description: 'Widget: accent colour, #rrggbb.' }),
  title: Type.String({ minLength: 1, maxLength: 100, description: 'Widget: the panel’s title.' }),
  greeting: Type.String({ maxLength: 1000, description: 'Widget: the first thing a visitor reads.' }),
  requireEmail: Type.Boolean({ description: 'Widget: ask for an email address before the first message.' }),
  requireSignedIdentity: Type.Boolean({
    description:
      'Widget: refuse a userId that is not signed with the identity secret (instead of ignoring it).',
  }),
  identitySecret: Nullable(Type.String({ minLength: 32, maxLength: 200 }), {
    description:
      'Widget: the key a site signs identities with: signature = hex(HMAC-SHA256(identitySecret, userId)). Never shown again; POST /v1/channels/widget/identity-secret generates one. null turns signing off.',
  }),
};

const optional = <T extends Record<string, Parameters<typeof Type.Optional>[0]>>(fields: T) =>
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Type.Optional(v)])) as {
    [K in keyof T]: ReturnType<typeof Type.Optional<T[K]>>;
  };

export const CreateChannelBody = Type.Object(
  {
    type: StringEnum(['email', 'telegram'], {
      description: 'email or telegram (the widget is one per org: PATCH /v1/channels/widget).',
    }),
    name: Type.Optional(name),
    enabled: Type.Optional(enabled),
    ...optional(emailFields),
    ...optional(telegramFields),
  },
  {
    additionalProperties: false,
    examples: [
      { type: 'email', name: 'Support', address: 'support@acme.example', displayName: 'Acme Support' },
      { type: 'telegram', name: 'Acme bot', botToken: '123456789:AAH…', mode: 'polling' },
    ],
  },
);
export type CreateChannelBody = Static<typeof CreateChannelBody>;

export const UpdateChannelBody = Type.Object(
  {
    name: Type.Optional(name),
    enabled: Type.Optional(enabled),
    ...optional(emailFields),
    ...optional(telegramFields),
    ...optional(widgetFields),
  },
  {
    additionalProperties: false,
    examples: [{ allowedOrigins: ['https://shop.example'], requireEmail: true }],
  },
);
export type UpdateChannelBody = Static<typeof UpdateChannelBody>;

export const Channel = Type.Object({
  id: Type.String({ examples: ['chn_01hsxq5n…'] }),
  type: StringEnum(CHANNEL_TYPES),
  name: Type.String(),
  enabled: Type.Boolean(),
  address: Type.Optional(Type.String()),
  displayName: Type.Optional(Nullable(Type.String())),
  smtpUrlSet: Type.Optional(
    Type.Boolean({ description: 'Email: whether the channel has its own SMTP server.' }),
  ),
  smtp: Type.Optional(
    Nullable(
      Type.Object({
        host: Type.String(),
        port: Type.Integer(),
        secure: Type.Boolean(),
        username: Nullable(Type.String()),
      }),
      {
        description:
          'Email: the channel’s own SMTP server (never its password); null: the server’s SMTP_URL.',
      },
    ),
  ),
  inboundToken: Type.Optional(
    Type.String({
      description:
        'Email: the token of inboundUrl (POST /channels/email/inbound/:token). Only its hash is stored: it is shown on create and on POST /v1/channels/:id/inbound-token, never again.',
    }),
  ),
  inboundUrl: Type.Optional(
    Type.String({
      description:
        'Email: POST raw RFC 822 mail here (an MTA pipe or a provider’s inbound hook). The URL is the credential: keep it private. Shown with inboundToken only.',
    }),
  ),
  mode: Type.Optional(StringEnum(['webhook', 'polling'])),
  botUsername: Type.Optional(Nullable(Type.String())),
  botTokenSet: Type.Optional(Type.Boolean()),
  webhookUrl: Type.Optional(
    Nullable(Type.String({ description: 'Telegram: where Telegram posts updates.' })),
  ),
  webhookError: Type.Optional(
    Nullable(Type.String({ description: 'Telegram: why registering the webhook failed, if it did.' })),
  ),
  allowedOrigins: Type.Optional(Type.Array(Type.String())),
  color: Type.Optional(Type.String()),
  title: Type.Optional(Type.String()),
  greeting: Type.Optional(Type.String()),
  requireEmail: Type.Optional(Type.Boolean()),
  requireSignedIdentity: Type.Optional(Type.Boolean()),
  identitySecretSet: Type.Optional(Type.Boolean()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type ChannelView = Static<typeof Channel>;

export const ChannelList = Type.Object({ data: Type.Array(Channel), meta: ListMeta });

export const ListChannelsQuery = Type.Object(
  { type: Type.Optional(StringEnum(CHANNEL_TYPES)), ...PageParams, ...cursorParams('chn') },
  { additionalProperties: false },
);
export type ListChannelsQuery = Static<typeof ListChannelsQuery>;

export const ChannelParams = Type.Object({
  id: Type.String({
    minLength: 1,
    maxLength: 100,
    description: 'A channel id (chn_…), or `widget` for the org’s widget.',
  }),
});

export const IdentitySecret = Type.Object({
  identitySecret: Type.String({ description: 'Shown this once: keep it on your server, never in a page.' }),
});
