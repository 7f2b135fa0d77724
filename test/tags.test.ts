import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, newOrg, startTestApp, ticketBody, type Client, type TestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';

describe.each(DIALECTS)('tags (%s)', (dialect) => {
  let t: TestApp;
  let api: Client;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    api = client(t.app, (await newOrg(t)).apiKey);
  });
  afterAll(() => t.close());

  const tagNamed = async (name: string) =>
    (await api.get(`/v1/tags?search=${encodeURIComponent(name)}&per_page=100`))
      .json()
      .data.find((x: { name: string }) => x.name === name);

  it('creates, reads, lists and validates tags with colours', async () => {
    const created = await api.post('/v1/tags', { name: ' vip ', color: '#E5484D' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({
      name: 'vip',
      color: '#E5484D',
      ticketCount: 0,
      id: expect.stringMatching(/^tag_/),
    });
    expect((await api.get(`/v1/tags/${created.json().id}`)).json().name).toBe('vip');
    expect((await api.post('/v1/tags', { name: 'vip' })).statusCode).toBe(409);
    for (const body of [
      { name: '' },
      { name: '   ' },
      { name: 'x', color: 'red' },
      { name: 'x', extra: 1 },
      {},
    ]) {
      const res = await api.post('/v1/tags', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe('BAD_REQUEST');
    }
    expect((await api.get('/v1/tags/tag_missing')).statusCode).toBe(404);
  });

  it('creates unknown names on use and counts their tickets', async () => {
    await api.post('/v1/tickets', ticketBody({ tags: ['fresh-on-use'] }));
    expect(await tagNamed('fresh-on-use')).toMatchObject({ color: null, ticketCount: 1 });
  });

  it('renaming a tag renames it on its tickets; deleting removes it from them', async () => {
    const ticket = (await api.post('/v1/tickets', ticketBody({ tags: ['old-name', 'keep'] }))).json();
    const both = (await api.post('/v1/tickets', ticketBody({ tags: ['old-name', 'new-name'] }))).json();
    const tag = await tagNamed('old-name');
    const renamed = await api.patch(`/v1/tags/${tag.id}`, { name: 'new-name-2' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect((await api.get(`/v1/tickets/${ticket.id}`)).json().tags).toEqual(['new-name-2', 'keep']);
    expect((await api.get('/v1/tickets?tag=old-name')).json().meta.total).toBe(0);
    expect((await api.get('/v1/tickets?tag=new-name-2')).json().meta.total).toBe(2);
    // Renaming onto an existing tag's name is a conflict, not a silent merge.
    expect((await api.patch(`/v1/tags/${tag.id}`, { name: 'keep' })).statusCode).toBe(409);
    expect((await api.get(`/v1/tickets/${both.id}`)).json().tags).toEqual(['new-name-2', 'new-name']);

    const keep = await tagNamed('keep');
    expect((await api.delete(`/v1/tags/${keep.id}`)).statusCode).toBe(204);
    expect((await api.get(`/v1/tickets/${ticket.id}`)).json().tags).toEqual(['new-name-2']);
    expect((await api.get(`/v1/tags/${keep.id}`)).statusCode).toBe(404);
  });

  it('pages by name in both styles', async () => {
    for (const name of ['p-a', 'p-b', 'p-c', 'p-d']) await api.post('/v1/tags', { name });
    const first = (await api.get('/v1/tags?search=p-&limit=3')).json();
    expect(first.data.map((x: { name: string }) => x.name)).toEqual(['p-a', 'p-b', 'p-c']);
    const second = (
      await api.get(`/v1/tags?search=p-&limit=3&startingAfter=${first.meta.nextCursor}`)
    ).json();
    expect(second.data.map((x: { name: string }) => x.name)).toEqual(['p-d']);
    expect(second.meta.nextCursor).toBeNull();
    const paged = (await api.get('/v1/tags?search=p-&per_page=2&page=2')).json();
    expect(paged).toMatchObject({ meta: { total: 4, page: 2, perPage: 2 } });
    // Search treats % and _ literally.
    expect((await api.get('/v1/tags?search=%25')).json().data).toEqual([]);
  });

  it("keeps each org's tags to itself", async () => {
    const other = client(t.app, (await newOrg(t)).apiKey);
    const tag = (await api.post('/v1/tags', { name: 'private' })).json();
    expect((await other.get(`/v1/tags/${tag.id}`)).statusCode).toBe(404);
    expect((await other.patch(`/v1/tags/${tag.id}`, { color: '#000000' })).statusCode).toBe(404);
    expect((await other.post('/v1/tags', { name: 'private' })).statusCode).toBe(201);
  });
});
