import { Type, type Static } from 'typebox';
import { cursorParams, ListMeta, PageParams } from '../../http/pagination.js';
import { NonBlank, Nullable, StringEnum, Timestamp } from '../../http/schema-helpers.js';
import { SlugInput } from './collections.schemas.js';

export const ARTICLE_STATUSES = ['draft', 'published'] as const;
/** Markdown bodies are limited to 200 KB of UTF-8. */
export const MAX_BODY_BYTES = 200 * 1024;

const Title = NonBlank({
  maxLength: 300,
  description: 'Surrounding spaces are trimmed.',
  examples: ['Reset your password'],
});
const Body = Type.String({
  maxLength: MAX_BODY_BYTES,
  description: 'Markdown, at most 200 KB of UTF-8.',
  examples: ['Open **Settings → Security** and choose *Reset password*.'],
});
const CollectionId = Nullable(Type.String({ minLength: 1, maxLength: 100 }), {
  description: 'A collection of this organization (col_…), or null for none.',
});
const SearchText = (description: string) =>
  NonBlank({
    maxLength: 200,
    description:
      `${description} Full-text search over title and body: every word must match, the last one also as a prefix; results are ranked, best first.`.trim(),
  });

const Author = Type.Object(
  {
    type: Type.String({ examples: ['api_key'], description: 'api_key or agent.' }),
    id: Type.String({ examples: ['key_01hsxq…'] }),
    name: Type.String({ examples: ['Zapier integration'] }),
  },
  { description: 'Who created the article.' },
);

const summaryProperties = {
  id: Type.String({ examples: ['art_01hsxq3f8m2v9k4c7b6n5p0r1t'] }),
  orgId: Type.String(),
  collectionId: Nullable(Type.String(), { examples: ['col_01hsxq…'] }),
  title: Type.String({ examples: ['Reset your password'] }),
  slug: Type.String({ examples: ['reset-your-password'] }),
  excerpt: Type.String({ description: 'The start of the body as plain text.' }),
  status: StringEnum(ARTICLE_STATUSES),
  publishedAt: Nullable(Timestamp, { description: 'When it was published; null while a draft.' }),
  author: Author,
  createdAt: Timestamp,
  updatedAt: Timestamp,
};

/** An article in a list: everything but the body. */
export const ArticleSummary = Type.Object(summaryProperties);
export type ArticleSummaryView = Static<typeof ArticleSummary>;

export const Article = Type.Object({ ...summaryProperties, body: Type.String({ description: 'Markdown.' }) });
export type ArticleView = Static<typeof Article>;

export const ArticleList = Type.Object({
  data: Type.Array(ArticleSummary, { description: 'Without bodies: get an article for its body.' }),
  meta: ListMeta,
});
export type ArticleListView = Static<typeof ArticleList>;

export const ListArticlesQuery = Type.Object(
  {
    status: Type.Optional(StringEnum(ARTICLE_STATUSES, { description: 'Filter by status.' })),
    collectionId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'Only articles of this collection (col_…), or "none" for articles in no collection.',
      }),
    ),
    search: Type.Optional(SearchText('')),
    q: Type.Optional(SearchText('Alias of search.')),
    ...PageParams,
    ...cursorParams('art'),
  },
  { additionalProperties: false },
);
export type ListArticlesQuery = Static<typeof ListArticlesQuery>;

export const ArticleParams = Type.Object({
  id: Type.String({ description: 'Article id (art_…) or slug.' }),
});

export const CreateArticleBody = Type.Object(
  {
    title: Title,
    slug: Type.Optional(
      SlugInput('Made from the title when omitted (with -2, -3… if taken); a slug given here must be free.'),
    ),
    body: Type.Optional(Body),
    status: Type.Optional(StringEnum(ARTICLE_STATUSES, { description: 'Defaults to draft.' })),
    collectionId: Type.Optional(CollectionId),
  },
  {
    additionalProperties: false,
    examples: [
      {
        title: 'Reset your password',
        body: 'Open **Settings → Security** and choose *Reset password*.',
        status: 'published',
      },
    ],
  },
);
export type CreateArticleBody = Static<typeof CreateArticleBody>;

export const UpdateArticleBody = Type.Object(
  {
    title: Type.Optional(Title),
    slug: Type.Optional(
      SlugInput('The slug stays when the title changes; links using an old slug stop working.'),
    ),
    body: Type.Optional(Body),
    status: Type.Optional(
      StringEnum(ARTICLE_STATUSES, { description: 'Publishing sets publishedAt; back to draft clears it.' }),
    ),
    collectionId: Type.Optional(CollectionId),
  },
  { additionalProperties: false, minProperties: 1, examples: [{ status: 'published' }] },
);
export type UpdateArticleBody = Static<typeof UpdateArticleBody>;

/** What the widget shows: published articles, without internal fields (status, author). */
const widgetSummaryProperties = {
  id: summaryProperties.id,
  collectionId: summaryProperties.collectionId,
  title: summaryProperties.title,
  slug: summaryProperties.slug,
  excerpt: summaryProperties.excerpt,
  publishedAt: Timestamp,
  updatedAt: Timestamp,
};
export const WidgetArticleSummary = Type.Object(widgetSummaryProperties);
export type WidgetArticleSummaryView = Static<typeof WidgetArticleSummary>;
export const WidgetArticle = Type.Object({
  ...widgetSummaryProperties,
  body: Type.String({ description: 'Markdown.' }),
});
export type WidgetArticleView = Static<typeof WidgetArticle>;

export const WidgetArticleList = Type.Object({
  data: Type.Array(WidgetArticleSummary),
  meta: Type.Object({
    limit: Type.Integer(),
    nextCursor: Nullable(Type.String(), { description: 'Pass as startingAfter for more; null at the end.' }),
  }),
});
export type WidgetArticleListView = Static<typeof WidgetArticleList>;

export const WidgetListQuery = Type.Object(
  {
    search: Type.Optional(SearchText('What the visitor typed.')),
    q: Type.Optional(SearchText('Alias of search.')),
    limit: Type.Integer({ minimum: 1, maximum: 50, default: 10, description: 'Results, 1–50.' }),
    startingAfter: cursorParams('art').startingAfter,
  },
  { additionalProperties: false },
);
export type WidgetListQuery = Static<typeof WidgetListQuery>;
