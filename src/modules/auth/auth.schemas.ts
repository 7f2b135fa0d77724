import { Type, type Static } from 'typebox';
import { StringEnum, Timestamp } from '../../http/schema-helpers.js';
import { MAX_PASSWORD_LENGTH } from '../agents/agents.schemas.js';

export const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH }),
  },
  { additionalProperties: false, examples: [{ email: 'bob@acme.com', password: 'correct horse battery' }] },
);
export type LoginBody = Static<typeof LoginBody>;

export const RefreshBody = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 2000, description: 'The latest refresh token.' }) },
  { additionalProperties: false },
);
export type RefreshBody = Static<typeof RefreshBody>;

export const Session = Type.Object({
  accessToken: Type.String({
    description: 'Send as `Authorization: Bearer <accessToken>` on every /v1 request.',
  }),
  tokenType: StringEnum(['Bearer']),
  expiresIn: Type.Integer({ description: 'Seconds until the access token expires.', examples: [900] }),
  refreshToken: Type.String({
    description:
      'Single use: POST /v1/auth/refresh spends it for a new pair. Presenting a spent one ends the whole session.',
    examples: ['talki_rt_…'],
  }),
  refreshTokenExpiresAt: Timestamp,
  agent: Type.Object({ id: Type.String(), email: Type.String(), name: Type.String() }),
  orgs: Type.Array(
    Type.Object({ id: Type.String(), name: Type.String(), role: StringEnum(['admin', 'agent']) }),
    {
      description:
        'The organizations this agent is active in. With more than one, send `X-Organization-Id` on each request.',
    },
  ),
});
export type SessionView = Static<typeof Session>;
