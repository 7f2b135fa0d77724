import { Type, type Static } from 'typebox';
import { cursorParams, ListMeta, PageParams } from '../../http/pagination.js';
import { NonBlank, Nullable, Timestamp } from '../../http/schema-helpers.js';

const Color = Type.String({
  pattern: '^#[0-9A-Fa-f]{6}$',
  description: 'A #RRGGBB colour.',
  examples: ['#E5484D'],
});
const Name = NonBlank({
  maxLength: 64,
  description: 'The name tickets carry; surrounding spaces are trimmed.',
  examples: ['billing'],
});

export const Tag = Type.Object({
  id: Type.String({ examples: ['tag_01hsxq…'] }),
  name: Type.String({ examples: ['billing'] }),
  color: Nullable(Color),
  ticketCount: Type.Integer({ description: 'Tickets carrying this tag.' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type TagView = Static<typeof Tag>;

export const TagList = Type.Object({ data: Type.Array(Tag), meta: ListMeta });

export const ListTagsQuery = Type.Object(
  {
    search: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'Case-insensitive substring of the name.' }),
    ),
    ...PageParams,
    ...cursorParams('tag'),
  },
  { additionalProperties: false },
);
export type ListTagsQuery = Static<typeof ListTagsQuery>;

export const TagParams = Type.Object({ id: Type.String() });

export const CreateTagBody = Type.Object(
  { name: Name, color: Type.Optional(Nullable(Color)) },
  { additionalProperties: false },
);
export type CreateTagBody = Static<typeof CreateTagBody>;

export const UpdateTagBody = Type.Object(
  { name: Type.Optional(Name), color: Type.Optional(Nullable(Color)) },
  {
    additionalProperties: false,
    minProperties: 1,
    description: 'Renaming a tag renames it on every ticket.',
  },
);
export type UpdateTagBody = Static<typeof UpdateTagBody>;
