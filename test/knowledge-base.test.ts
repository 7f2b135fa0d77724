/**
 * The knowledge base over HTTP: /v1/collections and /v1/articles (CRUD, validation, slugs,
 * roles, cross-org 404s, events, ranked search in both paging modes) and the public widget
 * API /widget/v1/articles (widget key only, published only, CORS, rate limits).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/modules/api-keys/api-keys.service.js';
import { client, newOrg, startTestApp, type Client, type TestApp } from './support/app.js';
import { addAgent, agentClient, expectError, expectFieldError, session } from './support/agents.js';
import { DIALECTS } from './support/databases.js';

interface CollectionJson {
  id: string;
  orgId: string;
  name: string;
  slug: string;
  description: string | null;
  position: number;
  createdAt: string;
  updatedAt: string;
}

interface ArticleJson {
  id: string;
  orgId: string;
  collectionId: string | null;
  title: string;
  slug: string;
  excerpt: string;
  body?: string;
  status: 'draft' | 'published';
  publishedAt: string | null;
  author: { type: string; id: string; name: string };
  createdAt: string;
  updatedAt: string;
}

interface ListJson<T> {
  data: T[];
  meta: { total?: number; page?: number; perPage?: number; limit?: number; nextCursor?: string | null };
}

describe.each(DIALECTS)('knowledge base (%s)', (dialect) => {
  let t: TestApp;
  let api: Client;
  let other: Client;
  let widgetKey: string;
  let secretKey: string;
  let otherWidgetKey: string;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    const org = await newOrg(t);
    api = client(t.app, org.apiKey);
    secretKey = org.apiKey;
    widgetKey = org.widgetKey;
    const second = await newOrg(t);
    other = client(t.app, second.apiKey);
    otherWidgetKey = second.widgetKey;
  });

  afterAll(async () => {
    await t?.close();
  });

  async function createCollection(body: Record<string, unknown>, as: Client = api): Promise<CollectionJson> {
    const res = await as.post('/v1/collections', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<CollectionJson>();
  }

  async function createArticle(body: Record<string, unknown>, as: Client = api): Promise<ArticleJson> {
    const res = await as.post('/v1/articles', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<ArticleJson>();
  }

  async function list<T>(url: string, as: Client = api): Promise<ListJson<T>> {
    const res = await as.get(url);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<ListJson<T>>();
  }

  function widget(
    url: string,
    headers: Record<string, string> = { 'x-talki-widget-key': widgetKey },
    remoteAddress?: string,
  ) {
    return t.app.inject({ method: 'GET', url, headers, ...(remoteAddress ? { remoteAddress } : {}) });
  }

  async function eventsOf(as: Client, type: string) {
    const res = await as.get(`/v1/events?types=${type}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ data: Array<{ type: string; data: Record<string, unknown> }> }>().data;
  }

  describe('collections', () => {
    it('creates a collection with a slug made from its name, placed last, and records the event', async () => {
      const first = await createCollection({ name: '  Getting Started  ', description: 'Basics' });
      expect(first).toMatchObject({
        name: 'Getting Started',
        slug: 'getting-started',
        description: 'Basics',
      });
      expect(first.id).toMatch(/^col_/);
      const second = await createCollection({ name: 'Getting started!' });
      expect(second.slug).toBe('getting-started-2');
      expect(second.position).toBe(first.position + 1);
      const events = await eventsOf(api, 'collection.created');
      expect(events.map((e) => (e.data.collection as CollectionJson).id)).toEqual(
        expect.arrayContaining([first.id, second.id]),
      );
    });

    it('refuses an explicit slug that is taken (409) and invalid input (400 naming the field)', async () => {
      await createCollection({ name: 'Billing', slug: 'billing' });
      expectError(await api.post('/v1/collections', { name: 'Money', slug: 'billing' }), 409, 'CONFLICT');
      expectFieldError(await api.post('/v1/collections', {}), 'name');
      expectFieldError(await api.post('/v1/collections', { name: '   ' }), 'name');
      expectFieldError(await api.post('/v1/collections', { name: 'X', slug: 'Not A Slug' }), 'slug');
      expectFieldError(await api.post('/v1/collections', { name: 'X', slug: 'under_score' }), 'slug');
      expectFieldError(await api.post('/v1/collections', { name: 'X', position: -1 }), 'position');
      expectFieldError(await api.post('/v1/collections', { name: 'X', colour: 'red' }), 'colour');
      // Slugs are per org: another org may use the same one.
      const theirs = await createCollection({ name: 'Billing', slug: 'billing' }, other);
      expect(theirs.slug).toBe('billing');
    });

    it('gets by id or slug; another org’s collection and implausible ids are 404', async () => {
      const mine = await createCollection({ name: 'Shipping' });
      expect((await api.get(`/v1/collections/${mine.id}`)).json<CollectionJson>().id).toBe(mine.id);
      expect((await api.get(`/v1/collections/${mine.slug}`)).json<CollectionJson>().id).toBe(mine.id);
      expectError(await other.get(`/v1/collections/${mine.id}`), 404, 'NOT_FOUND');
      expectError(await other.get(`/v1/collections/${mine.slug}`), 404, 'NOT_FOUND');
      expectError(await other.patch(`/v1/collections/${mine.id}`, { name: 'Mine now' }), 404, 'NOT_FOUND');
      expectError(await other.delete(`/v1/collections/${mine.id}`), 404, 'NOT_FOUND');
      expectError(await api.get('/v1/collections/Not%20A%20Slug!'), 404, 'NOT_FOUND');
    });

    it('lists by position in both paging modes', async () => {
      const fresh = await newOrg(t);
      const admin = client(t.app, fresh.apiKey);
      const c = await createCollection({ name: 'C', position: 3 }, admin);
      const a = await createCollection({ name: 'A', position: 1 }, admin);
      const b = await createCollection({ name: 'B', position: 2 }, admin);
      const b2 = await createCollection({ name: 'B2', position: 2 }, admin);
      const page = await list<CollectionJson>('/v1/collections?per_page=3', admin);
      expect(page.data.map((x) => x.id)).toEqual([a.id, b.id, b2.id]);
      expect(page.meta).toEqual({ total: 4, page: 1, perPage: 3 });
      const first = await list<CollectionJson>('/v1/collections?limit=2', admin);
      expect(first.data.map((x) => x.id)).toEqual([a.id, b.id]);
      const rest = await list<CollectionJson>(
        `/v1/collections?limit=2&startingAfter=${first.meta.nextCursor}`,
        admin,
      );
      expect(rest.data.map((x) => x.id)).toEqual([b2.id, c.id]);
      expect(rest.meta.nextCursor).toBeNull();
      expectFieldError(await admin.get('/v1/collections?limit=2&startingAfter=col_nope'), 'startingAfter');
      expectFieldError(await admin.get('/v1/collections?limit=2&page=1'), 'limit');
    });

    it('updates only what was sent, and refuses a taken slug', async () => {
      const col = await createCollection({ name: 'Returns' });
      const same = await api.patch(`/v1/collections/${col.id}`, { name: 'Returns' });
      expect(same.json<CollectionJson>().updatedAt).toBe(col.updatedAt);
      const res = await api.patch(`/v1/collections/${col.id}`, {
        name: 'Returns & refunds',
        description: null,
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<CollectionJson>()).toMatchObject({
        name: 'Returns & refunds',
        slug: 'returns',
        description: null,
      });
      expectError(await api.patch(`/v1/collections/${col.id}`, { slug: 'billing' }), 409, 'CONFLICT');
      expectFieldError(await api.patch(`/v1/collections/${col.id}`, {}), '(root)');
      const events = await eventsOf(api, 'collection.updated');
      const last = events.at(-1)!.data as { collection: CollectionJson; changes: Record<string, unknown> };
      expect(last.collection.id).toBe(col.id);
      expect(last.changes).toEqual({ name: { from: 'Returns', to: 'Returns & refunds' } });
    });

    it('refuses to delete a collection that holds articles (409), deletes it once empty', async () => {
      const col = await createCollection({ name: 'Temporary' });
      const art = await createArticle({ title: 'Filed away', collectionId: col.id });
      const refused = expectError(await api.delete(`/v1/collections/${col.id}`), 409, 'CONFLICT');
      expect(refused.details).toEqual({ articleCount: 1 });
      const moved = await api.patch(`/v1/articles/${art.id}`, { collectionId: null });
      expect(moved.json<ArticleJson>().collectionId).toBeNull();
      const res = await api.delete(`/v1/collections/${col.id}`);
      expect(res.statusCode, res.body).toBe(204);
      expectError(await api.get(`/v1/collections/${col.id}`), 404, 'NOT_FOUND');
      const events = await eventsOf(api, 'collection.deleted');
      expect(events.map((e) => (e.data.collection as CollectionJson).id)).toContain(col.id);
    });
  });

  describe('articles', () => {
    it('creates a draft by the caller with a slug from the title; publishing sets publishedAt', async () => {
      const draft = await createArticle({
        title: 'How do I export data?',
        body: '# Export\n\nUse **Settings**.',
      });
      expect(draft).toMatchObject({
        title: 'How do I export data?',
        slug: 'how-do-i-export-data',
        status: 'draft',
        publishedAt: null,
        collectionId: null,
        body: '# Export\n\nUse **Settings**.',
        excerpt: 'Export Use Settings .',
      });
      expect(draft.id).toMatch(/^art_/);
      expect(draft.author.type).toBe('api_key');
      expect(draft.author.id).toMatch(/^key_/);
      const again = await createArticle({ title: 'How do I export data', status: 'published' });
      expect(again.slug).toBe('how-do-i-export-data-2');
      expect(again.publishedAt).not.toBeNull();
      const accents = await createArticle({ title: 'Café — déjà vu' });
      expect(accents.slug).toBe('cafe-deja-vu');
      const symbols = await createArticle({ title: '日本語' });
      expect(symbols.slug).toMatch(/^article(-\d+)?$/);
    });

    it('validates input: 400 naming the field, 409 for a taken slug', async () => {
      await createArticle({ title: 'Taken', slug: 'taken-slug' });
      expectError(await api.post('/v1/articles', { title: 'Other', slug: 'taken-slug' }), 409, 'CONFLICT');
      expectFieldError(await api.post('/v1/articles', { body: 'no title' }), 'title');
      expectFieldError(await api.post('/v1/articles', { title: ' ' }), 'title');
      expectFieldError(await api.post('/v1/articles', { title: 'X', status: 'archived' }), 'status');
      expectFieldError(await api.post('/v1/articles', { title: 'X', slug: '-bad-' }), 'slug');
      expectFieldError(await api.post('/v1/articles', { title: 'X', body: 42 }), 'body');
      expectFieldError(await api.post('/v1/articles', { title: 'X', authorId: 'me' }), 'authorId');
      // 110,000 characters of two bytes each: under the character limit, over 200 KB.
      expectFieldError(await api.post('/v1/articles', { title: 'X', body: 'é'.repeat(110_000) }), 'body');
      expectFieldError(await api.post('/v1/articles', { title: 'X', body: 'a'.repeat(204_801) }), 'body');
      const big = await createArticle({ title: 'Exactly 200 KB', body: 'a'.repeat(204_800) });
      expect(big.body).toHaveLength(204_800);
      const theirs = await createCollection({ name: 'Theirs' }, other);
      expectFieldError(
        await api.post('/v1/articles', { title: 'X', collectionId: theirs.id }),
        'collectionId',
      );
      expectFieldError(
        await api.post('/v1/articles', { title: 'X', collectionId: 'col_missing' }),
        'collectionId',
      );
    });

    it("gets by id or slug; another org's article is 404", async () => {
      const art = await createArticle({ title: 'Private to org one' });
      expect((await api.get(`/v1/articles/${art.slug}`)).json<ArticleJson>().id).toBe(art.id);
      expect((await api.get(`/v1/articles/${art.id}`)).json<ArticleJson>().slug).toBe(art.slug);
      expectError(await other.get(`/v1/articles/${art.id}`), 404, 'NOT_FOUND');
      expectError(await other.get(`/v1/articles/${art.slug}`), 404, 'NOT_FOUND');
      expectError(await other.patch(`/v1/articles/${art.id}`, { title: 'Hijacked' }), 404, 'NOT_FOUND');
      expectError(await other.delete(`/v1/articles/${art.id}`), 404, 'NOT_FOUND');
      expectError(await api.get('/v1/articles/art_doesnotexist'), 404, 'NOT_FOUND');
      expectError(await api.get('/v1/articles/%22%3B--'), 404, 'NOT_FOUND');
    });

    it('updates fields; the slug stays with a new title; publishing and unpublishing', async () => {
      const col = await createCollection({ name: 'Accounts' });
      const art = await createArticle({ title: 'Close your account', body: 'Write to us.' });
      let res = await api.patch(`/v1/articles/${art.id}`, {
        title: 'Delete your account',
        status: 'published',
        collectionId: col.id,
      });
      expect(res.statusCode, res.body).toBe(200);
      let updated = res.json<ArticleJson>();
      expect(updated).toMatchObject({
        title: 'Delete your account',
        slug: art.slug,
        status: 'published',
        collectionId: col.id,
      });
      expect(updated.publishedAt).not.toBeNull();
      expect(Date.parse(updated.updatedAt)).toBeGreaterThan(Date.parse(art.updatedAt));

      res = await api.patch(`/v1/articles/${art.slug}`, {
        status: 'draft',
        slug: 'delete-account',
        body: 'Email support.',
      });
      updated = res.json<ArticleJson>();
      expect(updated).toMatchObject({
        status: 'draft',
        publishedAt: null,
        slug: 'delete-account',
        body: 'Email support.',
      });
      expectError(await api.get(`/v1/articles/${art.slug}`), 404, 'NOT_FOUND');

      const unchanged = await api.patch(`/v1/articles/${art.id}`, { title: 'Delete your account' });
      expect(unchanged.json<ArticleJson>().updatedAt).toBe(updated.updatedAt);

      await createArticle({ title: 'Someone else', slug: 'someone-else' });
      expectError(await api.patch(`/v1/articles/${art.id}`, { slug: 'someone-else' }), 409, 'CONFLICT');
      expectFieldError(await api.patch(`/v1/articles/${art.id}`, {}), '(root)');
      expectFieldError(
        await api.patch(`/v1/articles/${art.id}`, { collectionId: 'col_nope' }),
        'collectionId',
      );

      const events = await eventsOf(api, 'article.updated');
      const mine = events.filter((e) => (e.data.article as ArticleJson).id === art.id);
      expect(mine).toHaveLength(2);
      expect(mine[0]!.data.changes).toEqual({
        title: { from: 'Close your account', to: 'Delete your account' },
        status: { from: 'draft', to: 'published' },
        collectionId: { from: null, to: col.id },
      });
      expect(mine[0]!.data.bodyChanged).toBe(false);
      expect(mine[1]!.data.bodyChanged).toBe(true);
    });

    it('deletes (204): gone from reads, search and the widget', async () => {
      const art = await createArticle({ title: 'Obsolete pelican feature', status: 'published' });
      expect((await list<ArticleJson>('/v1/articles?search=pelican')).data.map((a) => a.id)).toEqual([
        art.id,
      ]);
      const res = await api.delete(`/v1/articles/${art.id}`);
      expect(res.statusCode, res.body).toBe(204);
      expectError(await api.get(`/v1/articles/${art.id}`), 404, 'NOT_FOUND');
      expectError(await api.delete(`/v1/articles/${art.id}`), 404, 'NOT_FOUND');
      expect((await list<ArticleJson>('/v1/articles?search=pelican')).data).toEqual([]);
      expect((await widget('/widget/v1/articles?search=pelican')).json<ListJson<unknown>>().data).toEqual([]);
      const events = await eventsOf(api, 'article.deleted');
      expect(events.map((e) => (e.data.article as ArticleJson).id)).toContain(art.id);
    });

    it('lets agents write articles but only admins delete them or manage collections', async () => {
      const fresh = await newOrg(t);
      const admin = client(t.app, fresh.apiKey);
      const agent = await addAgent(admin, { role: 'agent' });
      const token = (await session(t.app, agent.email)).accessToken;
      const asAgent = agentClient(t.app, token, fresh.org.id);
      const art = await createArticle({ title: 'Written by an agent' }, asAgent);
      expect(art.author).toEqual({ type: 'agent', id: agent.id, name: agent.name });
      expectError(await asAgent.delete(`/v1/articles/${art.id}`), 403, 'FORBIDDEN');
      expectError(await asAgent.post('/v1/collections', { name: 'Nope' }), 403, 'FORBIDDEN');
      const readOnly = await createApiKey(t.database.db.kysely, {
        orgId: fresh.org.id,
        kind: 'secret',
        name: 'ro',
        scope: 'read',
      });
      const reader = client(t.app, readOnly.key);
      expectError(await reader.post('/v1/articles', { title: 'Nope' }), 403, 'FORBIDDEN');
      expect((await reader.get(`/v1/articles/${art.id}`)).statusCode).toBe(200);
    });
  });

  describe('listing and search', () => {
    let admin: Client;
    let org: Awaited<ReturnType<typeof newOrg>>;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      org = await newOrg(t);
      admin = client(t.app, org.apiKey);
      const col = await createCollection({ name: 'Security' }, admin);
      ids.col = col.id;
      const seed: Array<[string, Record<string, unknown>]> = [
        [
          'title',
          { title: 'Reset your password', body: 'Open settings.', status: 'published', collectionId: col.id },
        ],
        [
          'body',
          { title: 'Billing questions', body: 'Forgot your password? Ask billing.', status: 'published' },
        ],
        ['draft', { title: 'Password policy (draft)', body: 'Not ready.', collectionId: col.id }],
        [
          'many',
          {
            title: 'Account safety',
            body: 'Password tips: a password manager keeps each password safe.',
            status: 'published',
          },
        ],
        ['other', { title: 'Shipping times', body: 'Parcels arrive in two days.', status: 'published' }],
      ];
      for (const [name, body] of seed) ids[name] = (await createArticle(body, admin)).id;
      // Another org's matching article must never show up.
      await createArticle({ title: 'Reset your password', status: 'published' }, other);
    });

    it('lists newest first without bodies, filtered by status and collection', async () => {
      const all = await list<ArticleJson>('/v1/articles', admin);
      expect(all.data.map((a) => a.id)).toEqual([ids.other, ids.many, ids.draft, ids.body, ids.title]);
      expect(all.meta).toEqual({ total: 5, page: 1, perPage: 25 });
      expect(all.data[0]).not.toHaveProperty('body');
      const drafts = await list<ArticleJson>('/v1/articles?status=draft', admin);
      expect(drafts.data.map((a) => a.id)).toEqual([ids.draft]);
      const inCol = await list<ArticleJson>(`/v1/articles?collectionId=${ids.col}&status=published`, admin);
      expect(inCol.data.map((a) => a.id)).toEqual([ids.title]);
      const loose = await list<ArticleJson>('/v1/articles?collectionId=none', admin);
      expect(loose.data.map((a) => a.id)).toEqual([ids.other, ids.many, ids.body]);
      expectFieldError(await admin.get('/v1/articles?collectionId=col_nope'), 'collectionId');
      expectFieldError(await admin.get('/v1/articles?status=archived'), 'status');
      expectFieldError(await admin.get('/v1/articles?sort=title'), 'sort');

      const first = await list<ArticleJson>('/v1/articles?limit=2', admin);
      expect(first.data.map((a) => a.id)).toEqual([ids.other, ids.many]);
      const second = await list<ArticleJson>(
        `/v1/articles?limit=2&startingAfter=${first.meta.nextCursor}`,
        admin,
      );
      expect(second.data.map((a) => a.id)).toEqual([ids.draft, ids.body]);
      expect(second.meta).toEqual({ limit: 2, nextCursor: ids.body });
    });

    it('searches title and body, title matches first, combined with filters', async () => {
      const hits = await list<ArticleJson>('/v1/articles?search=password', admin);
      // Title matches first (equal ranks: newest first), then body matches, more occurrences first.
      expect(hits.data.map((a) => a.id)).toEqual([ids.draft, ids.title, ids.many, ids.body]);
      expect(hits.meta.total).toBe(4);
      const published = await list<ArticleJson>('/v1/articles?q=password&status=published', admin);
      expect(published.data.map((a) => a.id)).toEqual([ids.title, ids.many, ids.body]);
      const inCol = await list<ArticleJson>(`/v1/articles?search=passw&collectionId=${ids.col}`, admin);
      expect(inCol.data.map((a) => a.id)).toEqual([ids.draft, ids.title]);
      expect(
        (await list<ArticleJson>('/v1/articles?search=reset%20passw', admin)).data.map((a) => a.id),
      ).toEqual([ids.title]);
      expect((await list<ArticleJson>('/v1/articles?search=NEAR(%22password', admin)).data).toEqual([]);
      expect((await list<ArticleJson>('/v1/articles?search=***', admin)).meta.total).toBe(0);
      expectFieldError(await admin.get('/v1/articles?search=%20%20'), 'search');
      expectFieldError(await admin.get('/v1/articles?q='), 'q');
      expectFieldError(await admin.get('/v1/articles?search=a&q=b'), 'q');
    });

    it('pages search results by rank with a cursor, the same order as page mode', async () => {
      const ranked = (await list<ArticleJson>('/v1/articles?search=password', admin)).data.map((a) => a.id);
      const seen: string[] = [];
      let cursor: string | null | undefined;
      do {
        const url = `/v1/articles?search=password&limit=1${cursor ? `&startingAfter=${cursor}` : ''}`;
        const page = await list<ArticleJson>(url, admin);
        seen.push(...page.data.map((a) => a.id));
        cursor = page.meta.nextCursor;
      } while (cursor);
      expect(seen).toEqual(ranked);
      const page2 = await list<ArticleJson>('/v1/articles?search=password&per_page=2&page=2', admin);
      expect(page2.data.map((a) => a.id)).toEqual(ranked.slice(2, 4));
    });

    it('keeps the search index in step with edits', async () => {
      const art = await createArticle({ title: 'Gift cards', body: 'Redeem at checkout.' }, admin);
      expect((await list<ArticleJson>('/v1/articles?search=gift', admin)).data.map((a) => a.id)).toEqual([
        art.id,
      ]);
      await admin.patch(`/v1/articles/${art.id}`, { title: 'Vouchers' });
      expect((await list<ArticleJson>('/v1/articles?search=gift', admin)).data).toEqual([]);
      expect(
        (await list<ArticleJson>('/v1/articles?search=vouchers%20checkout', admin)).data.map((a) => a.id),
      ).toEqual([art.id]);
      await admin.patch(`/v1/articles/${art.id}`, { body: 'Redeem in the app.' });
      expect((await list<ArticleJson>('/v1/articles?search=checkout', admin)).data).toEqual([]);
      await admin.delete(`/v1/articles/${art.id}`);
    });

    describe('widget API', () => {
      const key = () => ({ 'x-talki-widget-key': org.widgetKey });

      it('lists only published articles with the widget key, ranked when searching, CORS open', async () => {
        const res = await widget('/widget/v1/articles', key());
        expect(res.statusCode, res.body).toBe(200);
        expect(res.headers['access-control-allow-origin']).toBe('*');
        const body = res.json<ListJson<Record<string, unknown>>>();
        expect(body.data.map((a) => a.id)).toEqual([ids.other, ids.many, ids.body, ids.title]);
        expect(body.meta).toEqual({ limit: 10, nextCursor: null });
        expect(Object.keys(body.data[0]!).sort()).toEqual(
          ['collectionId', 'excerpt', 'id', 'publishedAt', 'slug', 'title', 'updatedAt'].sort(),
        );
        const search = await widget('/widget/v1/articles?search=password&limit=2', key());
        const found = search.json<ListJson<{ id: string }>>();
        expect(found.data.map((a) => a.id)).toEqual([ids.title, ids.many]);
        expect(found.meta.nextCursor).toBe(ids.many);
        const more = await widget(
          `/widget/v1/articles?search=password&limit=2&startingAfter=${ids.many}`,
          key(),
        );
        expect(more.json<ListJson<{ id: string }>>().data.map((a) => a.id)).toEqual([ids.body]);
      });

      it('reads one published article by id or slug; drafts and other orgs are 404', async () => {
        const res = await widget(`/widget/v1/articles/reset-your-password`, key());
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json<{ id: string; body: string }>()).toMatchObject({
          id: ids.title,
          body: 'Open settings.',
        });
        expect(res.json()).not.toHaveProperty('author');
        expect(res.json()).not.toHaveProperty('status');
        expect((await widget(`/widget/v1/articles/${ids.title}`, key())).statusCode).toBe(200);
        expectError(await widget(`/widget/v1/articles/${ids.draft}`, key()), 404, 'NOT_FOUND');
        expectError(
          await widget(`/widget/v1/articles/${ids.title}`, { 'x-talki-widget-key': otherWidgetKey }),
          404,
          'NOT_FOUND',
        );
        const theirs = await widget('/widget/v1/articles?search=password', {
          'x-talki-widget-key': otherWidgetKey,
        });
        expect(theirs.json<ListJson<{ id: string }>>().data.map((a) => a.id)).not.toContain(ids.title);
      });

      it('accepts the widget key as a bearer token; refuses secret keys (403), unknown or missing keys (401)', async () => {
        const bearer = await widget('/widget/v1/articles?search=billing', {
          authorization: `Bearer ${org.widgetKey}`,
        });
        expect(bearer.json<ListJson<{ id: string }>>().data.map((a) => a.id)).toEqual([ids.body]);
        expectError(
          await widget('/widget/v1/articles', { 'x-talki-widget-key': org.apiKey }),
          403,
          'FORBIDDEN',
        );
        expectError(
          await widget('/widget/v1/articles', { authorization: `Bearer ${secretKey}` }),
          403,
          'FORBIDDEN',
        );
        const unknown = expectError(
          await widget('/widget/v1/articles', { 'x-talki-widget-key': 'talki_pk_nope' }),
          401,
          'UNAUTHORIZED',
        );
        expect(unknown.message).toMatch(/widget key/i);
        const missing = await widget('/widget/v1/articles', {});
        expectError(missing, 401, 'UNAUTHORIZED');
        expect(missing.headers['access-control-allow-origin']).toBe('*');
        expectError(
          await widget('/widget/v1/articles', {
            'x-talki-widget-key': org.widgetKey,
            authorization: `Bearer ${widgetKey}`,
          }),
          400,
          'BAD_REQUEST',
        );
        // The widget key still opens nothing under /v1.
        expectError(await client(t.app, org.widgetKey).get('/v1/articles'), 403, 'FORBIDDEN');
      });

      it('validates its query', async () => {
        expectFieldError(await widget('/widget/v1/articles?limit=51', key()), 'limit');
        expectFieldError(await widget('/widget/v1/articles?search=%20', key()), 'search');
        expectFieldError(await widget('/widget/v1/articles?status=draft', key()), 'status');
        expectFieldError(await widget(`/widget/v1/articles/${ids.title}?x=1`, key()), 'x');
        expectFieldError(await widget('/widget/v1/articles?startingAfter=nope', key()), 'startingAfter');
      });

      it('answers CORS preflights without a key', async () => {
        const res = await t.app.inject({
          method: 'OPTIONS',
          url: '/widget/v1/articles?search=x',
          headers: {
            origin: 'https://shop.example',
            'access-control-request-method': 'GET',
            'access-control-request-headers': 'x-talki-widget-key',
          },
        });
        expect(res.statusCode).toBe(204);
        // The real request is checked against the org's allowed origins; the preflight echoes the origin.
        expect(res.headers['access-control-allow-origin']).toBe('https://shop.example');
        expect(String(res.headers['access-control-allow-headers'])).toMatch(/X-Talki-Widget-Key/i);
        expect(String(res.headers['access-control-allow-methods'])).toMatch(/GET/);
      });

      it('rate-limits per widget key and per client address', async () => {
        const limited = await createApiKey(t.database.db.kysely, {
          orgId: org.org.id,
          kind: 'widget',
          name: 'tight',
          scope: 'read',
          rateLimit: 2,
        });
        const headers = { 'x-talki-widget-key': limited.key };
        expect((await widget('/widget/v1/articles', headers)).statusCode).toBe(200);
        const second = await widget('/widget/v1/articles', headers);
        expect(second.headers['x-ratelimit-limit']).toBe('2');
        expect(second.headers['x-ratelimit-remaining']).toBe('0');
        const third = await widget('/widget/v1/articles', headers);
        expectError(third, 429, 'TOO_MANY_REQUESTS');
        expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
        // Other widget keys keep their own budget.
        expect((await widget('/widget/v1/articles', key())).statusCode).toBe(200);

        // One address guessing keys is stopped before any key is looked up.
        const address = '127.0.0.77';
        let status = 0;
        let count = 0;
        while (count < 400) {
          count++;
          status = (
            await widget('/widget/v1/articles', { 'x-talki-widget-key': `talki_pk_guess${count}` }, address)
          ).statusCode;
          if (status !== 401) break;
        }
        expect(status).toBe(429);
        expect(count).toBe(301);
        expect((await widget('/widget/v1/articles', key(), '127.0.0.78')).statusCode).toBe(200);
      });
    });
  });
});
