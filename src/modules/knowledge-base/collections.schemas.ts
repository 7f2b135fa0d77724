import { Type, type Static } from 'typebox';
import { cursorParams, ListMeta, PageParams } from '../../http/pagination.js';
import { NonBlank, Nullable, Timestamp } from '../../http/schema-helpers.js';
import { MAX_SLUG_LENGTH, SLUG_PATTERN } from '../../lib/slugs.js';

/** A slug in a request body: lower-case letters and digits in words joined by hyphens. */
export function SlugInput(description: string) {
  return Type.String({
    minLength: 1,
    maxLength: MAX_SLUG_LENGTH,
    pattern: SLUG_PATTERN,
    description: `Lower-case letters and digits in words joined by hyphens, unique in the organization. ${description}`,
    examples: ['getting-started'],
  });
}

const Name = NonBlank({
  maxLength: 200,
  description: 'Surrounding spaces are trimmed.',
  examples: ['Billing'],
});
const Description = Nullable(Type.String({ maxLength: 2000 }), {
  examples: ['Invoices, refunds and plans.'],
});
const Position = (description: string) =>
  Type.Integer({
    minimum: 0,
    maximum: 1_000_000,
    description: `Collections are listed by position, then by creation. ${description}`.trim(),
  });

export const Collection = Type.Object({
  id: Type.String({ examples: ['col_01hsxq3f8m2v9k4c7b6n5p0r1t'] }),
  orgId: Type.String(),
  name: Type.String({ examples: ['Billing'] }),
  slug: Type.String({ examples: ['billing'] }),
  description: Nullable(Type.String()),
  position: Type.Integer({ examples: [0] }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type CollectionView = Static<typeof Collection>;

export const CollectionList = Type.Object({ data: Type.Array(Collection), meta: ListMeta });
export type CollectionListView = Static<typeof CollectionList>;

export const ListCollectionsQuery = Type.Object(
  { ...PageParams, ...cursorParams('col') },
  { additionalProperties: false },
);
export type ListCollectionsQuery = Static<typeof ListCollectionsQuery>;

export const CollectionParams = Type.Object({
  id: Type.String({ description: 'Collection id (col_…) or slug.' }),
});

export const CreateCollectionBody = Type.Object(
  {
    name: Name,
    slug: Type.Optional(
      SlugInput('Made from the name when omitted (with -2, -3… if taken); a slug given here must be free.'),
    ),
    description: Type.Optional(Description),
    position: Type.Optional(Position('Defaults to after the last collection.')),
  },
  {
    additionalProperties: false,
    examples: [{ name: 'Billing', description: 'Invoices, refunds and plans.' }],
  },
);
export type CreateCollectionBody = Static<typeof CreateCollectionBody>;

export const UpdateCollectionBody = Type.Object(
  {
    name: Type.Optional(Name),
    slug: Type.Optional(SlugInput('Links using the old slug stop working.')),
    description: Type.Optional(Description),
    position: Type.Optional(Position('')),
  },
  { additionalProperties: false, minProperties: 1, examples: [{ name: 'Billing & plans', position: 2 }] },
);
export type UpdateCollectionBody = Static<typeof UpdateCollectionBody>;
