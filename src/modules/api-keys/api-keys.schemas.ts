import { Type, type Static } from 'typebox';
import { cursorParams, ListMeta, PageParams } from '../../http/pagination.js';
import { NonBlank, Nullable, StringEnum, Timestamp } from '../../http/schema-helpers.js';

const apiKeyProperties = {
  id: Type.String({ examples: ['key_01hsxq3f8m2v9k4c7b6n5p0r1t'] }),
  orgId: Type.String({ examples: ['org_01hsxq1a2b3c4d5e6f7g8h9j0k'] }),
  kind: StringEnum(['secret', 'widget'], {
    description: 'secret: server-side REST API key; widget: the public key of the chat widget.',
  }),
  name: Type.String({ examples: ['Zapier integration'] }),
  prefix: Type.String({
    description: 'The first characters of the key, to tell keys apart.',
    examples: ['talki_sk_Ab3x'],
  }),
  scope: StringEnum(['read', 'write'], {
    description: 'read: GET only; write: everything, including admin routes (API keys, agents, settings).',
  }),
  rateLimit: Nullable(Type.Integer(), {
    description:
      "Requests per rolling minute; null = the organization's default (or the server's), 0 = unlimited.",
  }),
  publicKey: Nullable(Type.String(), {
    description: 'The widget key itself (it is public); null for secret keys, which are shown only once.',
  }),
  status: StringEnum(['active', 'expired', 'revoked']),
  expiresAt: Nullable(Timestamp, { description: 'When the key stops working; null = never.' }),
  createdAt: Timestamp,
  lastUsedAt: Nullable(Timestamp, { description: 'Last successful use, to within a minute.' }),
  revokedAt: Nullable(Timestamp),
};

export const ApiKey = Type.Object(apiKeyProperties);

export const CreatedApiKey = Type.Object(
  {
    ...apiKeyProperties,
    key: Type.String({
      description: 'The secret key. Shown in this response only: store it now, it cannot be read again.',
      examples: ['talki_sk_Ab3x…'],
    }),
  },
  { description: 'A new API key, with its secret shown this once.' },
);

export const ApiKeyList = Type.Object({ data: Type.Array(ApiKey), meta: ListMeta });

export interface ApiKeyListView {
  data: Static<typeof ApiKey>[];
  meta: Static<typeof ListMeta>;
}

export const ListApiKeysQuery = Type.Object(
  { ...PageParams, ...cursorParams('key') },
  { additionalProperties: false },
);
export type ListApiKeysQuery = Static<typeof ListApiKeysQuery>;

export const ApiKeyParams = Type.Object({ id: Type.String({ description: 'API key id (key_…).' }) });

export const CreateApiKeyBody = Type.Object(
  {
    name: NonBlank({ maxLength: 100, description: 'What the key is for, shown in the key list.' }),
    scope: Type.Optional(
      StringEnum(['read', 'write'], {
        default: 'write',
        description: 'read: GET only; write (the default): every route, with admin rights.',
      }),
    ),
    rateLimit: Type.Optional(
      Nullable(Type.Integer({ minimum: 0, maximum: 1_000_000 }), {
        description:
          "Requests per rolling minute; omitted or null = the organization's default; 0 = unlimited.",
      }),
    ),
    expiresAt: Type.Optional(
      Nullable(Timestamp, {
        description: 'When the key stops working (must be in the future); null = never.',
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [{ name: 'Reporting', scope: 'read', expiresAt: '2030-01-01T00:00:00.000Z' }],
  },
);
export type CreateApiKeyBody = Static<typeof CreateApiKeyBody>;
