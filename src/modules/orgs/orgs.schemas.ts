import { Type, type Static } from 'typebox';
import { NonBlank, Nullable, Timestamp } from '../../http/schema-helpers.js';

export const CODE_PREFIX_PATTERN = '^[A-Z0-9]{2,10}$';

export const OrgSettings = Type.Object({
  id: Type.String({ examples: ['org_01hsxq1a2b3c4d5e6f7g8h9j0k'] }),
  name: Type.String({ examples: ['Acme Inc'] }),
  codePrefix: Type.String({
    description: 'Prefix of human ticket codes: ACME in ACME-42.',
    examples: ['ACME'],
  }),
  defaultRateLimit: Nullable(Type.Integer(), {
    description:
      "Requests per rolling minute for this organization's API keys without their own limit and for its agents; null = the server default; 0 = unlimited.",
  }),
  timeZone: Type.String({
    description: 'IANA time zone used for dates shown to people (e.g. time entries, reports).',
    examples: ['Europe/Paris'],
  }),
  supportName: Type.String({
    description:
      "The author customers see (widget `agentName`) on replies no person wrote, such as those posted with an API key: never the key's name. The organization's name unless set.",
    examples: ['Acme Support'],
  }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type OrgSettingsView = Static<typeof OrgSettings>;

export const UpdateOrgBody = Type.Object(
  {
    name: Type.Optional(NonBlank({ maxLength: 200 })),
    codePrefix: Type.Optional(
      Type.String({
        pattern: CODE_PREFIX_PATTERN,
        description:
          '2–10 upper-case letters or digits. Changing it changes the code of every existing ticket (ACME-42 → HELP-42).',
      }),
    ),
    defaultRateLimit: Type.Optional(
      Nullable(Type.Integer({ minimum: 0, maximum: 1_000_000 }), {
        description: 'Requests per rolling minute; null = the server default; 0 = unlimited.',
      }),
    ),
    timeZone: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'An IANA time zone name, e.g. America/New_York.',
      }),
    ),
    supportName: Type.Optional(
      Nullable(NonBlank({ maxLength: 100 }), {
        description: "Shown to customers on replies no person wrote; null = the organization's name.",
      }),
    ),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    examples: [{ name: 'Acme Support', codePrefix: 'ACME', timeZone: 'Europe/Paris' }],
  },
);
export type UpdateOrgBody = Static<typeof UpdateOrgBody>;
