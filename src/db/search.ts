import { PostgresAdapter, sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { stemmer } from 'stemmer';
import type { Database, SearchDocumentsTable, SearchKind } from './schema.js';

/**
 * Full-text search, the same for every kind of thing (tickets, articles, customers) and both
 * dialects: SQLite FTS5 ranked by bm25(), PostgreSQL tsvector + GIN ranked by ts_rank (see
 * migration 0005). Services call indexDocument/removeDocument with the transaction that
 * changes the thing, so the index is never out of step with what was committed.
 *
 * Text is normalised here, before it reaches either engine, so both find the same documents
 * for the same words: lower case, compatibility forms folded (ﬁ → fi, Ｆ → f), Latin accents
 * removed (café → cafe), English suffixes stemmed (invoices → invoic, like invoice), and
 * split into words of letters, digits and their marks (so
 * "user@example.com" is the words user, example, com; "ERR_42" is err, 42).
 *
 * Queries: a user's text becomes its words, every word required, the last one also matching
 * as a prefix ("reset passw" finds "Reset your password"). Punctuation and operators in the
 * text (AND, NEAR, *, ", (, :, &, !) are never query syntax: only words reach the engine, each
 * quoted as a literal.
 *
 * Usage — join the matches and order by rank (ascending is best first on both dialects), ties
 * by id, newest first:
 *
 *   db.selectFrom('articles as a')
 *     .innerJoin(matchingRefs(db, orgId, 'article', text).as('s'), 's.ref_id', 'a.id')
 *     .orderBy('s.rank').orderBy('a.id', 'desc')
 */

export type { SearchKind };

export interface SearchDocument {
  orgId: string;
  kind: SearchKind;
  refId: string;
  /** Weighted above the body: a match here ranks higher. */
  title: string;
  body: string;
}

/** One matching document: its thing's id and its rank (lower is better). */
export interface SearchMatch {
  ref_id: string;
  rank: number;
}

export type SearchMatches = SelectQueryBuilder<Database & { d: SearchDocumentsTable }, 'd', SearchMatch>;

/** Longer text is cut (at a word): it keeps a PostgreSQL tsvector far below its 1 MB limit. */
export const MAX_TITLE_CHARS = 2_000;
export const MAX_BODY_CHARS = 200_000;
/** Longer "words" are tokens, hashes or base64, not something anyone types into a search box. */
const MAX_WORD_CHARS = 100;
/** Words of a query beyond this are ignored: more narrow nothing and only cost time. */
export const MAX_QUERY_WORDS = 16;

/** bm25 weights of the FTS5 columns: scope (org and kind, not text), title, body. */
const BM25_WEIGHTS = sql.raw('0.0, 10.0, 1.0');

const COMBINING_DIACRITICS = /[\u0300-\u036f]/g;
const WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;

/** The words of `text` as both engines index them (see the file comment). */
export function searchWords(text: string): string[] {
  const folded = text.toLowerCase().normalize('NFKD').replace(COMBINING_DIACRITICS, '').normalize('NFC');
  // Stemmed (Porter) on both sides, so "invoices" finds "invoice" and "refunding" finds "refund".
  return (folded.toLowerCase().match(WORD) ?? [])
    .filter((word) => word.length <= MAX_WORD_CHARS)
    .map(stemmer);
}

/** `text` as stored for indexing: its words, space-separated, cut at a word to at most `max` chars. */
export function searchText(text: string, max: number): string {
  let length = 0;
  const kept: string[] = [];
  for (const word of searchWords(text)) {
    length += word.length + (kept.length > 0 ? 1 : 0);
    if (length > max) break;
    kept.push(word);
  }
  return kept.join(' ');
}

function isPostgres(db: Kysely<Database>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Adds or replaces the search document of one thing; call it in the transaction that changes it. */
export async function indexDocument(db: Kysely<Database>, doc: SearchDocument): Promise<void> {
  const title = searchText(doc.title, MAX_TITLE_CHARS);
  const body = searchText(doc.body, MAX_BODY_CHARS);
  await db
    .insertInto('search_documents')
    .values({ org_id: doc.orgId, kind: doc.kind, ref_id: doc.refId, title, body })
    .onConflict((conflict) =>
      conflict
        .columns(['org_id', 'kind', 'ref_id'])
        .doUpdateSet({ title, body })
        // Unchanged text: no rewrite of the row and its index entries.
        .where(sql<boolean>`search_documents.title <> ${title} OR search_documents.body <> ${body}`),
    )
    .execute();
}

/** Removes one thing's search document (nothing happens when it has none). */
export async function removeDocument(
  db: Kysely<Database>,
  orgId: string,
  kind: SearchKind,
  refId: string,
): Promise<void> {
  await db
    .deleteFrom('search_documents')
    .where('org_id', '=', orgId)
    .where('kind', '=', kind)
    .where('ref_id', '=', refId)
    .execute();
}

/** A phrase literal for an FTS5 query: in double quotes, embedded ones doubled. */
const ftsLiteral = (text: string) => `"${text.replaceAll('"', '""')}"`;

/** FTS5: this org's documents of this kind, with every word in the title or body, the last as a prefix. */
function ftsQuery(orgId: string, kind: SearchKind, words: string[]): string {
  const terms = words.map((word, i) => ftsLiteral(word) + (i === words.length - 1 ? '*' : ''));
  return `scope : ${ftsLiteral(`${orgId} ${kind}`)} AND {title body} : (${terms.join(' AND ')})`;
}

/** A tsquery: every word required, the last as a prefix; each quoted as a lexeme. */
function tsQuery(words: string[]): string {
  const literal = (word: string) => `'${word.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
  return words.map((word, i) => literal(word) + (i === words.length - 1 ? ':*' : '')).join(' & ');
}

/**
 * The org's documents of `kind` matching the user's `text`, as a subquery of (ref_id, rank):
 * join it on the thing's id and order by rank ascending (best first). Text without any word
 * matches nothing; reject blank input before calling this.
 */
export function matchingRefs(
  db: Kysely<Database>,
  orgId: string,
  kind: SearchKind,
  text: string,
): SearchMatches {
  const words = searchWords(text).slice(0, MAX_QUERY_WORDS);
  const documents = db
    .selectFrom('search_documents as d')
    .where('d.org_id', '=', orgId)
    .where('d.kind', '=', kind);
  if (words.length === 0) {
    return documents.select(['d.ref_id', sql<number>`0`.as('rank')]).where(sql<boolean>`1 = 0`);
  }
  if (isPostgres(db)) {
    const query = sql`to_tsquery('simple'::regconfig, ${tsQuery(words)})`;
    return documents
      .where(sql<boolean>`d.search_vector @@ ${query}`)
      .select(['d.ref_id', sql<number>`-ts_rank(d.search_vector, ${query})`.as('rank')]);
  }
  // FTS5's MATCH and bm25() name the table itself (an alias is not accepted there).
  return (
    documents
      .innerJoin(sql<object>`search_documents_fts`.as('search_documents_fts'), (join) =>
        join.on(sql<boolean>`search_documents_fts.rowid = d.id`),
      )
      .where(sql<boolean>`search_documents_fts MATCH ${ftsQuery(orgId, kind, words)}`)
      .select(['d.ref_id', sql<number>`bm25(search_documents_fts, ${BM25_WEIGHTS})`.as('rank')])
      // A LIMIT keeps SQLite from flattening this into the caller's join, where it would put the
      // tickets outermost and run the MATCH once per ticket (minutes on 100,000 tickets); kept
      // apart, the MATCH runs once and the join probes its result. -1 is no limit.
      .limit(-1)
  );
}
