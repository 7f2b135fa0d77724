import { Type, type Static } from 'typebox';
import { cursorParams, ListMeta, PageParams } from '../../http/pagination.js';
import { NonBlank, StringEnum, Timestamp } from '../../http/schema-helpers.js';

export const AGENT_ROLES = ['admin', 'agent'] as const;
export const MIN_PASSWORD_LENGTH = 8;
/** scrypt takes any length; a cap keeps one request from hashing megabytes. */
export const MAX_PASSWORD_LENGTH = 1024;

export const Agent = Type.Object({
  id: Type.String({ examples: ['agent_01hsxq3f8m2v9k4c7b6n5p0r1t'] }),
  email: Type.String({ examples: ['bob@acme.com'] }),
  name: Type.String({ examples: ['Bob'] }),
  role: StringEnum(AGENT_ROLES, {
    description: 'admin: everything, including API keys, agents and settings; agent: tickets and messages.',
  }),
  active: Type.Boolean({ description: 'Deactivated agents can neither log in nor be assigned tickets.' }),
  createdAt: Timestamp,
});
export type AgentView = Static<typeof Agent>;

export const AgentList = Type.Object({ data: Type.Array(Agent), meta: ListMeta });
export interface AgentListView {
  data: AgentView[];
  meta: Static<typeof ListMeta>;
}

export const ListAgentsQuery = Type.Object(
  {
    role: Type.Optional(StringEnum(AGENT_ROLES, { description: 'Only agents with this role.' })),
    active: Type.Optional(
      Type.Boolean({ description: 'true: active agents only; false: deactivated only.' }),
    ),
    ...PageParams,
    ...cursorParams('agent'),
  },
  { additionalProperties: false },
);
export type ListAgentsQuery = Static<typeof ListAgentsQuery>;

export const AgentParams = Type.Object({ id: Type.String({ description: 'Agent id (agent_…).' }) });

const Password = Type.String({
  minLength: MIN_PASSWORD_LENGTH,
  maxLength: MAX_PASSWORD_LENGTH,
  description: `At least ${MIN_PASSWORD_LENGTH} characters.`,
});

export const CreateAgentBody = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 254 }),
    name: Type.Optional(
      NonBlank({ maxLength: 200, description: 'Defaults to the part of the email before @.' }),
    ),
    role: Type.Optional(StringEnum(AGENT_ROLES, { default: 'agent' })),
    password: Type.Optional(Password),
  },
  {
    additionalProperties: false,
    examples: [{ email: 'bob@acme.com', name: 'Bob', role: 'agent', password: 'correct horse battery' }],
  },
);
export type CreateAgentBody = Static<typeof CreateAgentBody>;

export const UpdateAgentBody = Type.Object(
  {
    name: Type.Optional(NonBlank({ maxLength: 200 })),
    role: Type.Optional(StringEnum(AGENT_ROLES, { description: 'Admins only.' })),
    password: Type.Optional(Password),
    currentPassword: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: MAX_PASSWORD_LENGTH,
        description: 'Required when agents change their own password.',
      }),
    ),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    examples: [{ role: 'admin' }, { password: 'a new long passphrase', currentPassword: 'the old one' }],
  },
);
export type UpdateAgentBody = Static<typeof UpdateAgentBody>;
