import { Type, type Static } from 'typebox';
import { cursorParams, ListMeta, PageParams } from '../../http/pagination.js';
import { NonBlank, Nullable, Timestamp } from '../../http/schema-helpers.js';

export const PLACEHOLDERS = ['{{customer.name}}', '{{customer.email}}', '{{agent.name}}', '{{ticket.code}}'];

const Shortcut = Type.String({
  minLength: 1,
  maxLength: 32,
  pattern: '^[a-z0-9_-]+$',
  description:
    'What an agent types to pick the reply: 1–32 lowercase letters, digits, - and _; unique in the organization.',
  examples: ['refund-policy'],
});
const Title = NonBlank({ maxLength: 120, description: 'Shown in the picker.', examples: ['Refund policy'] });
const Body = NonBlank({
  maxLength: 10_000,
  description: `Plain text inserted into the reply. It may contain placeholders, stored as written and filled in by the inbox when the reply is used: ${PLACEHOLDERS.join(', ')}.`,
  examples: ['Hi {{customer.name}}, refunds take 5–7 business days. — {{agent.name}}'],
});

export const CannedReply = Type.Object({
  id: Type.String({ examples: ['canned_01hsxq3f8m2v9k4c7b6n5p0r1t'] }),
  shortcut: Type.String({ examples: ['refund-policy'] }),
  title: Type.String({ examples: ['Refund policy'] }),
  body: Type.String({
    description: `May contain the placeholders ${PLACEHOLDERS.join(', ')}, as written.`,
    examples: ['Hi {{customer.name}}, refunds take 5–7 business days. — {{agent.name}}'],
  }),
  createdBy: Nullable(Type.String(), {
    description: 'The agent who created it; null when an API key did.',
    examples: ['agent_01hsxq…'],
  }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type CannedReplyView = Static<typeof CannedReply>;

export const CannedReplyList = Type.Object({ data: Type.Array(CannedReply), meta: ListMeta });

export const ListCannedRepliesQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 120,
        description: 'Case-insensitive substring of the shortcut or the title.',
      }),
    ),
    ...PageParams,
    ...cursorParams('canned'),
  },
  { additionalProperties: false },
);
export type ListCannedRepliesQuery = Static<typeof ListCannedRepliesQuery>;

export const CannedReplyParams = Type.Object({
  id: Type.String({ description: 'Canned reply id (canned_…).' }),
});

export const CreateCannedReplyBody = Type.Object(
  { shortcut: Shortcut, title: Title, body: Body },
  {
    additionalProperties: false,
    examples: [
      {
        shortcut: 'refund-policy',
        title: 'Refund policy',
        body: 'Hi {{customer.name}}, refunds take 5–7 business days. — {{agent.name}}',
      },
    ],
  },
);
export type CreateCannedReplyBody = Static<typeof CreateCannedReplyBody>;

export const UpdateCannedReplyBody = Type.Object(
  { shortcut: Type.Optional(Shortcut), title: Type.Optional(Title), body: Type.Optional(Body) },
  { additionalProperties: false, minProperties: 1, description: 'Only the fields sent change.' },
);
export type UpdateCannedReplyBody = Static<typeof UpdateCannedReplyBody>;
