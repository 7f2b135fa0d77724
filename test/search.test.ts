/**
 * The shared full-text search (src/db/search.ts) on a small seeded corpus: ranking, prefixes,
 * case and accents, org and kind isolation, replace and remove, transactional sync, and user
 * text full of query syntax that must stay plain words.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/schema.js';
import {
  MAX_BODY_CHARS,
  indexDocument,
  matchingRefs,
  removeDocument,
  searchText,
  searchWords,
  type SearchDocument,
  type SearchKind,
} from '../src/db/search.js';
import { createOrg } from '../src/modules/orgs/orgs.service.js';
import { DIALECTS, createTestDatabase, type TestDatabase } from './support/databases.js';

const CORPUS: Array<Omit<SearchDocument, 'orgId' | 'kind'>> = [
  { refId: 'art_a1', title: 'Reset your password', body: 'Open the settings page and choose reset.' },
  { refId: 'art_a2', title: 'Billing and invoices', body: 'Forgot your password? Contact billing.' },
  {
    refId: 'art_a3',
    title: 'Two-factor authentication (2FA)',
    body: 'Use an authenticator app. Error code E1234 means the code expired.',
  },
  { refId: 'art_a4', title: 'Café opening hours', body: 'Le café est ouvert à midi. Naïve résumé.' },
  {
    refId: 'art_a5',
    title: 'Account security',
    body: 'A strong password matters: a password manager keeps every password safe.',
  },
  { refId: 'art_a6', title: 'Profile settings', body: 'Change the password in your profile.' },
  { refId: 'art_t1', title: 'Shipping zebra', body: 'Parcels and zebra crossings.' },
  { refId: 'art_t2', title: 'Shipping zebra', body: 'Parcels and zebra crossings.' },
];

describe('search words', () => {
  it('lower-cases, folds accents and compatibility forms, and splits on anything but letters and digits', () => {
    // Words are also stemmed (Porter): ecole → ecol, example → exampl.
    expect(searchWords('Café-ÉCOLE ﬁne Ｆｕｌｌ')).toEqual(['cafe', 'ecol', 'fine', 'full']);
    expect(searchWords('Invoices refunding Passwords')).toEqual(['invoic', 'refund', 'password']);
    expect(searchWords('alice.j@example.com ERR_42 2fa')).toEqual([
      'alic',
      'j',
      'exampl',
      'com',
      'err',
      '42',
      '2fa',
    ]);
    expect(searchWords('"NEAR(a b)" AND * : ^ -x +y')).toEqual(['near', 'a', 'b', 'and', 'x', 'y']);
    expect(searchWords('  \t ')).toEqual([]);
    expect(searchWords('काम 日本語')).toEqual(['काम', '日本語']);
  });

  it('cuts stored text at a word within the limit', () => {
    expect(searchText('red two three', 8)).toBe('red two');
    expect(searchText('x '.repeat(MAX_BODY_CHARS), MAX_BODY_CHARS).length).toBeLessThanOrEqual(
      MAX_BODY_CHARS,
    );
  });
});

describe.each(DIALECTS)('full-text search (%s)', (dialect) => {
  let database: TestDatabase;
  let db: Kysely<Database>;
  let orgA: string;
  let orgB: string;

  async function search(orgId: string, text: string, kind: SearchKind = 'article'): Promise<string[]> {
    const rows = await db
      .selectFrom(matchingRefs(db, orgId, kind, text).as('s'))
      .select(['s.ref_id', 's.rank'])
      .orderBy('s.rank')
      .orderBy('s.ref_id', 'desc')
      .execute();
    return rows.map((r) => r.ref_id);
  }

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    db = database.db.kysely;
    const stamp = Date.now();
    orgA = (await createOrg(db, { name: 'Org A', adminEmail: `a.${stamp}@search.test`, adminName: 'A' })).org
      .id;
    orgB = (await createOrg(db, { name: 'Org B', adminEmail: `b.${stamp}@search.test`, adminName: 'B' })).org
      .id;
    for (const doc of CORPUS) await indexDocument(db, { ...doc, orgId: orgA, kind: 'article' });
    await indexDocument(db, {
      orgId: orgB,
      kind: 'article',
      refId: 'art_b1',
      title: 'Reset your password',
      body: 'Org B has its own articles.',
    });
    await indexDocument(db, {
      orgId: orgA,
      kind: 'customer',
      refId: 'cus_c1',
      title: 'Alice Johnson',
      body: 'alice.johnson@example.com password',
    });
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('ranks a title match above a body-only match', async () => {
    const hits = await search(orgA, 'billing');
    expect(hits[0]).toBe('art_a2');
    const reset = await search(orgA, 'password');
    expect(reset.indexOf('art_a1')).toBeLessThan(reset.indexOf('art_a2'));
    expect(reset.indexOf('art_a1')).toBeLessThan(reset.indexOf('art_a5'));
    expect(reset.indexOf('art_a1')).toBeLessThan(reset.indexOf('art_a6'));
  });

  it('ranks a document with more occurrences of the terms higher', async () => {
    const hits = await search(orgA, 'password');
    expect(hits.indexOf('art_a5')).toBeLessThan(hits.indexOf('art_a6'));
  });

  it('requires every word and ranks documents matching them in the title first', async () => {
    expect(await search(orgA, 'reset password')).toEqual(['art_a1']);
    expect(await search(orgA, 'password profile')).toEqual(['art_a6']);
  });

  it('finds the last word as a prefix', async () => {
    expect(new Set(await search(orgA, 'passw'))).toEqual(new Set(['art_a1', 'art_a2', 'art_a5', 'art_a6']));
    expect(await search(orgA, 'reset passw')).toEqual(['art_a1']);
    expect(await search(orgA, 'authent')).toEqual(['art_a3']);
    // Only the last word is a prefix.
    expect(await search(orgA, 'passw reset')).toEqual([]);
  });

  it('ignores case and accents, and finds codes', async () => {
    expect(await search(orgA, 'PASSWORD')).toEqual(await search(orgA, 'password'));
    expect(await search(orgA, 'cafe')).toEqual(['art_a4']);
    expect(await search(orgA, 'CAFÉ')).toEqual(['art_a4']);
    expect(await search(orgA, 'resume naive')).toEqual(['art_a4']);
    expect(await search(orgA, 'e1234')).toEqual(['art_a3']);
    expect(await search(orgA, '2fa')).toEqual(['art_a3']);
  });

  it('finds e-mail addresses by any of their parts', async () => {
    expect(await search(orgA, 'alice.johnson@example.com', 'customer')).toEqual(['cus_c1']);
    expect(await search(orgA, 'example.com', 'customer')).toEqual(['cus_c1']);
    expect(await search(orgA, 'johnson', 'customer')).toEqual(['cus_c1']);
  });

  it('orders equal ranks by ref id, newest first', async () => {
    expect(await search(orgA, 'zebra')).toEqual(['art_t2', 'art_t1']);
  });

  it("never returns another org's or another kind's documents", async () => {
    expect(await search(orgB, 'password')).toEqual(['art_b1']);
    expect(await search(orgA, 'reset password')).not.toContain('art_b1');
    expect(await search(orgA, 'alice')).toEqual([]);
    expect(await search(orgA, 'alice', 'customer')).toEqual(['cus_c1']);
    expect(await search(orgA, 'password', 'ticket')).toEqual([]);
    // The org id in the text is just words, never a way into the other org's scope.
    expect(await search(orgA, `${orgB} article reset`)).toEqual([]);
  });

  it('matches nothing for text without words', async () => {
    for (const text of ['', '   ', '***', '"', '()', ':', '!!!', '—', '😀']) {
      expect(await search(orgA, text), text).toEqual([]);
    }
  });

  it('treats query syntax in user text as plain words', async () => {
    const hostile = [
      'AND',
      'OR',
      'NOT',
      'NEAR',
      'NEAR(password reset)',
      'NEAR/2',
      'password OR',
      'OR password',
      'password AND',
      'password NOT reset',
      '"password',
      'password"',
      '"pass"word"',
      '(password',
      'password)',
      'pass*',
      '*password',
      'title:password',
      'scope : org',
      '{title body}: password',
      '^password',
      '-password',
      '+password',
      "pass'word",
      "password'",
      '\\password\\',
      'password & reset',
      'password | reset',
      '!password',
      'password <-> reset',
      'password:*',
      "'password':* & !reset",
      'password;DROP TABLE search_documents;--',
      '%password_',
      'x'.repeat(300),
    ];
    for (const text of hostile) {
      const hits = await search(orgA, text);
      expect(hits, text).toEqual(await search(orgA, searchWords(text).join(' ')));
    }
    expect(await search(orgA, '"password"')).toEqual(await search(orgA, 'password'));
    expect(await search(orgA, 'pass*')).toEqual(await search(orgA, 'pass'));
    // "and" is a word like any other: article a1 has it, with reset and password.
    expect(await search(orgA, '(reset) AND "passw')).toEqual(['art_a1']);
    expect(await search(orgA, 'NEAR(password reset)')).toEqual([]);
    expect(await search(orgA, 'title:password')).toEqual([]);
  });

  it('replaces a document when indexed again, and removes it', async () => {
    const doc = {
      orgId: orgA,
      kind: 'article' as const,
      refId: 'art_r1',
      title: 'Refund policy',
      body: 'Refunds take a week.',
    };
    await indexDocument(db, doc);
    expect(await search(orgA, 'refund')).toEqual(['art_r1']);
    await indexDocument(db, { ...doc, title: 'Returns', body: 'Send the parcel back.' });
    expect(await search(orgA, 'refund')).toEqual([]);
    expect(await search(orgA, 'returns parcel')).toEqual(['art_r1']);
    await indexDocument(db, { ...doc, title: 'Returns', body: 'Send the parcel back.' });
    const rows = await db
      .selectFrom('search_documents')
      .select('ref_id')
      .where('ref_id', '=', 'art_r1')
      .execute();
    expect(rows).toHaveLength(1);

    await removeDocument(db, orgA, 'article', 'art_r1');
    expect(await search(orgA, 'returns')).toEqual([]);
    // Removing is scoped: the same ref id in another org or kind is untouched.
    await removeDocument(db, orgB, 'article', 'art_a1');
    await removeDocument(db, orgA, 'customer', 'art_a1');
    expect(await search(orgA, 'reset password')).toEqual(['art_a1']);

    if (dialect === 'sqlite') {
      // The external-content FTS index agrees with its table after inserts, updates and deletes.
      await sql`INSERT INTO search_documents_fts(search_documents_fts, rank) VALUES ('integrity-check', 1)`.execute(
        db,
      );
    }
  });

  it('keeps the index in step with the transaction: a rollback leaves nothing behind', async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await indexDocument(trx, {
          orgId: orgA,
          kind: 'article',
          refId: 'art_x1',
          title: 'Quokka',
          body: '',
        });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await search(orgA, 'quokka')).toEqual([]);

    await db.transaction().execute(async (trx) => {
      await indexDocument(trx, { orgId: orgA, kind: 'article', refId: 'art_x2', title: 'Quokka', body: '' });
    });
    expect(await search(orgA, 'quokka')).toEqual(['art_x2']);
  });

  it('joins the matches to the thing searched and filters alongside them', async () => {
    const rows = await db
      .selectFrom('search_documents as doc')
      .innerJoin(matchingRefs(db, orgA, 'article', 'password').as('s'), 's.ref_id', 'doc.ref_id')
      .select('doc.ref_id')
      .where('doc.org_id', '=', orgA)
      .where('doc.kind', '=', 'article')
      .where('doc.ref_id', 'in', ['art_a1', 'art_a2', 'art_a3'])
      .orderBy('s.rank')
      .orderBy('doc.ref_id', 'desc')
      .execute();
    expect(rows.map((r) => r.ref_id)).toEqual(['art_a1', 'art_a2']);
  });
});
