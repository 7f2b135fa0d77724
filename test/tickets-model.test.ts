import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgent } from '../src/modules/agents/agents.service.js';
import { client, newOrg, startTestApp, ticketBody, type Client, type TestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';

describe.each(DIALECTS)('the helpdesk ticket model (%s)', (dialect) => {
  let t: TestApp;
  let api: Client;
  let orgId: string;

  beforeAll(async () => {
    t = await startTestApp(dialect, { env: { TALKI_RATE_LIMIT_PER_MIN: '0' } });
    const org = await newOrg(t, 'Acme Inc');
    orgId = org.org.id;
    api = client(t.app, org.apiKey);
  });
  afterAll(() => t.close());

  const create = async (overrides: Record<string, unknown> = {}) => {
    const res = await api.post('/v1/tickets', ticketBody(overrides));
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };

  it('numbers tickets per org and accepts the code wherever an id is', async () => {
    const a = await create();
    const b = await create();
    expect(b.number).toBe(a.number + 1);
    expect(a.code).toBe(`ACME-${a.number}`);
    const byCode = await api.get(`/v1/tickets/${a.code}`);
    expect(byCode.statusCode).toBe(200);
    expect(byCode.json().id).toBe(a.id);
    expect((await api.get(`/v1/tickets/${a.code.toLowerCase()}`)).json().id).toBe(a.id);
    expect((await api.patch(`/v1/tickets/${a.code}`, { status: 'pending' })).json().status).toBe('pending');
    expect((await api.post(`/v1/tickets/${a.code}/messages`, { text: 'via code' })).statusCode).toBe(201);
    expect((await api.get(`/v1/tickets/OTHER-${a.number}`)).statusCode).toBe(404);
    expect((await api.get(`/v1/tickets/ACME-999999`)).statusCode).toBe(404);

    const other = await newOrg(t, 'Acme Two');
    const otherTicket = (await client(t.app, other.apiKey).post('/v1/tickets', ticketBody())).json();
    expect(otherTicket.number).toBe(1);
    expect((await api.get(`/v1/tickets/${otherTicket.id}`)).statusCode).toBe(404);
  });

  it('creates many tickets at once (more than the pool has connections) with distinct numbers', async () => {
    const created = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        api.post('/v1/tickets', ticketBody({ customer: { email: `burst${i}@example.com` } })),
      ),
    );
    expect(created.map((r) => r.statusCode)).toEqual(Array(40).fill(201));
    const numbers = created.map((r) => r.json().number as number);
    expect(new Set(numbers).size).toBe(40);
  });

  it('keeps priority, filters and sorts by it', async () => {
    const urgent = await create({ priority: 'urgent', subject: 'Down' });
    const low = await create({ priority: 'low' });
    expect(urgent.priority).toBe('urgent');
    expect((await create()).priority).toBe('normal');
    const filtered = (await api.get('/v1/tickets?priority=urgent&per_page=100')).json();
    expect(filtered.data.map((x: { id: string }) => x.id)).toContain(urgent.id);
    expect(filtered.data.every((x: { priority: string }) => x.priority === 'urgent')).toBe(true);
    const sorted = (await api.get('/v1/tickets?sort=priority_desc&per_page=100')).json().data;
    const ranks = sorted.map((x: { priority: string }) =>
      ['low', 'normal', 'high', 'urgent'].indexOf(x.priority),
    );
    expect([...ranks].sort((p: number, q: number) => q - p)).toEqual(ranks);
    expect(sorted.at(-1).priority).toBe('low');
    const patched = await api.patch(`/v1/tickets/${low.id}`, { priority: 'high' });
    expect(patched.json().priority).toBe('high');
    expect((await api.get('/v1/tickets?priority=severe')).statusCode).toBe(400);
    expect((await api.patch(`/v1/tickets/${low.id}`, { priority: 'severe' })).statusCode).toBe(400);
  });

  it('stores custom fields; PATCH merges keys and null removes one', async () => {
    const ticket = await create({ customFields: { plan: 'pro', seats: 3 } });
    expect(ticket.customFields).toEqual({ plan: 'pro', seats: 3 });
    const patched = (
      await api.patch(`/v1/tickets/${ticket.id}`, { customFields: { seats: null, vip: true } })
    ).json();
    expect(patched.customFields).toEqual({ plan: 'pro', vip: true });
    const bad = await api.post('/v1/tickets', ticketBody({ customFields: { 'bad key!': 1 } }));
    expect(bad.statusCode).toBe(400);
    const nested = await api.post('/v1/tickets', ticketBody({ customFields: { deep: { a: 1 } } }));
    expect(nested.statusCode).toBe(400);
    expect(
      (await api.post('/v1/tickets', ticketBody({ customFields: { ['k'.repeat(65)]: 1 } }))).statusCode,
    ).toBe(400);
    const forty = (offset: number) =>
      Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${offset + i}`, i]));
    expect((await api.patch(`/v1/tickets/${ticket.id}`, { customFields: forty(0) })).statusCode).toBe(200);
    const tooMany = await api.patch(`/v1/tickets/${ticket.id}`, { customFields: forty(100) });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.details.fields[0].field).toBe('customFields');
  });

  it('filters by customer and by creation and update time', async () => {
    const mine = await create({ customer: { email: 'filter-me@example.com' } });
    const list = (await api.get(`/v1/tickets?customerId=${mine.customer.id}`)).json();
    expect(list.data.map((x: { id: string }) => x.id)).toEqual([mine.id]);
    const after = (
      await api.get(`/v1/tickets?createdAfter=${encodeURIComponent(mine.createdAt)}&per_page=100`)
    ).json();
    expect(after.data.map((x: { id: string }) => x.id)).not.toContain(mine.id);
    const before = new Date(Date.parse(mine.createdAt) + 1).toISOString();
    const upTo = (
      await api.get(`/v1/tickets?createdBefore=${encodeURIComponent(before)}&per_page=100`)
    ).json();
    expect(upTo.data.map((x: { id: string }) => x.id)).toContain(mine.id);
    const updated = (
      await api.get(`/v1/tickets?updatedAfter=${encodeURIComponent('2000-01-01T00:00:00Z')}`)
    ).json();
    expect(updated.meta.total).toBeGreaterThan(0);
    expect((await api.get('/v1/tickets?createdAfter=yesterday')).statusCode).toBe(400);
  });

  it('pages with limit/startingAfter in every sort, stable while tickets are added', async () => {
    for (const sort of ['created_desc', 'created_asc', 'updated_desc', 'priority_desc']) {
      const all = (await api.get(`/v1/tickets?sort=${sort}&per_page=100`))
        .json()
        .data.map((x: { id: string }) => x.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      let first = true;
      do {
        const url: string = `/v1/tickets?sort=${sort}&limit=3${cursor ? `&startingAfter=${cursor}` : ''}`;
        const page = (await api.get(url)).json();
        expect(page.meta.limit).toBe(3);
        seen.push(...page.data.map((x: { id: string }) => x.id));
        cursor = page.meta.nextCursor;
        // A ticket created mid-way must not shift or duplicate what the pages show.
        if (first && sort !== 'created_asc') await create({ subject: `Inserted during ${sort}` });
        first = false;
      } while (cursor);
      expect(seen).toEqual(all);
    }
    expect((await api.get('/v1/tickets?limit=3&page=2')).statusCode).toBe(400);
    expect((await api.get('/v1/tickets?limit=101')).statusCode).toBe(400);
    expect((await api.get('/v1/tickets?startingAfter=tkt_doesnotexist')).statusCode).toBe(400);
    // A ticket code works as a cursor too.
    const [firstTwo] = [(await api.get('/v1/tickets?limit=2')).json().data];
    const byCode = (await api.get(`/v1/tickets?limit=2&startingAfter=${firstTwo[0].code}`)).json();
    expect(byCode.data[0].id).toBe(firstTwo[1].id);
  });

  it('records internal notes and system messages; lists the thread with cursor paging', async () => {
    const agent = await addAgent(t.database.db.kysely, {
      orgId,
      email: `agent-${Date.now()}@acme.test`,
      name: 'Ann',
      role: 'agent',
    });
    const ticket = await create();
    expect(
      (await api.post(`/v1/tickets/${ticket.id}/messages`, { text: 'note', internal: true })).json().internal,
    ).toBe(true);
    await api.post(`/v1/tickets/${ticket.id}/messages`, { text: 'reply' });
    await api.patch(`/v1/tickets/${ticket.id}`, { status: 'resolved', assignedTo: agent.id, tags: ['x'] });

    const thread = (await api.get(`/v1/tickets/${ticket.id}/messages?limit=100`)).json();
    const system = thread.data.filter((m: { role: string }) => m.role === 'system');
    expect(system.map((m: { change: { field: string } }) => m.change.field)).toEqual([
      'status',
      'assignedTo',
      'tags',
    ]);
    expect(system[0].change).toMatchObject({ from: 'open', to: 'resolved', by: { type: 'api_key' } });
    expect(system[1].change).toMatchObject({ from: null, to: agent.id });
    expect(system[0].text).toMatch(/changed status from open to resolved/);

    const notesOnly = (await api.get(`/v1/tickets/${ticket.id}/messages?types=note`)).json().data;
    expect(notesOnly.map((m: { text: string }) => m.text)).toEqual(['note']);
    // The ticket itself shows the conversation and notes, not the audit trail.
    const full = (await api.get(`/v1/tickets/${ticket.id}`)).json();
    expect(full.messages.map((m: { role: string; internal: boolean }) => [m.role, m.internal])).toEqual([
      ['customer', false],
      ['agent', true],
      ['agent', false],
    ]);

    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Array<{ id: string }>; meta: { nextCursor: string | null } } = (
        await api.get(`/v1/tickets/${ticket.id}/messages?limit=2${cursor ? `&startingAfter=${cursor}` : ''}`)
      ).json();
      pages.push(...page.data.map((m: { id: string }) => m.id));
      cursor = page.meta.nextCursor;
    } while (cursor);
    expect(pages).toEqual(thread.data.map((m: { id: string }) => m.id));
    expect((await api.get(`/v1/tickets/${ticket.id}/messages?types=gossip`)).statusCode).toBe(400);
  });

  it('deletes a ticket (204), after which it is gone', async () => {
    const ticket = await create();
    // Clients that always send Content-Type: application/json, body or not, are fine.
    expect(
      (await api.delete(`/v1/tickets/${ticket.id}`, { 'content-type': 'application/json' })).statusCode,
    ).toBe(204);
    expect((await api.get(`/v1/tickets/${ticket.id}`)).statusCode).toBe(404);
    expect((await api.delete(`/v1/tickets/${ticket.id}`)).statusCode).toBe(404);
  });

  it('merges a ticket into another: messages and tags move, the source is resolved with a pointer', async () => {
    const target = await create({ tags: ['a'] });
    const source = await create({ tags: ['b'], message: 'from the source' });
    await api.post(`/v1/tickets/${source.id}/messages`, { text: 'source reply' });
    const merged = await api.post(`/v1/tickets/${target.id}/merge`, { sourceId: source.code });
    expect(merged.statusCode, merged.body).toBe(200);
    expect(merged.json().tags).toEqual(['a', 'b']);
    const after = (await api.get(`/v1/tickets/${target.id}`)).json();
    expect(after.messages.map((m: { text: string }) => m.text)).toEqual(
      expect.arrayContaining(['from the source', 'source reply']),
    );
    const closed = (await api.get(`/v1/tickets/${source.id}`)).json();
    expect(closed).toMatchObject({ status: 'resolved', mergedInto: target.id });
    expect(closed.messages).toEqual([]);
    expect((await api.post(`/v1/tickets/${target.id}/merge`, { sourceId: source.id })).statusCode).toBe(400);
    expect((await api.post(`/v1/tickets/${target.id}/merge`, { sourceId: target.id })).statusCode).toBe(400);
    expect((await api.post(`/v1/tickets/${target.id}/merge`, { sourceId: 'tkt_nope' })).statusCode).toBe(400);
    // No cycles: a ticket that was merged away can't take others in.
    const third = await create();
    const reverse = await api.post(`/v1/tickets/${source.id}/merge`, { sourceId: third.id });
    expect(reverse.statusCode).toBe(409);
    expect((await api.get(`/v1/tickets/${third.id}`)).json().mergedInto).toBeNull();
    const events = (await api.get('/v1/events?types=ticket.merged')).json().data;
    expect(events.at(-1)).toMatchObject({
      type: 'ticket.merged',
      data: { ticket: { id: target.id }, source: { id: source.id } },
    });
  });

  it('searches subject, messages and customer, ranked, combined with filters', async () => {
    const title = await create({ subject: 'Invoice zebracorn wrong', message: 'Please fix the amount' });
    const body = await create({ subject: 'Question', message: 'My zebracorn account is locked' });
    const later = await create({
      subject: 'Login',
      message: 'hello',
      customer: { name: 'Zed Quokkaface', email: 'zq@example.com' },
    });
    await api.post(`/v1/tickets/${later.id}/messages`, { text: 'we saw a zebracorn too' });

    const found = (await api.get('/v1/tickets?search=zebracorn')).json();
    expect(found.meta.total).toBe(3);
    // A title match outranks body-only matches.
    expect(found.data[0].id).toBe(title.id);
    expect(found.data.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining([body.id, later.id]));
    expect((await api.get('/v1/tickets?q=quokkaface')).json().data.map((x: { id: string }) => x.id)).toEqual([
      later.id,
    ]);
    expect(
      (await api.get('/v1/tickets?q=zq%40example.com')).json().data.map((x: { id: string }) => x.id),
    ).toEqual([later.id]);
    expect((await api.get('/v1/tickets?search=zebrac')).json().meta.total).toBe(3);
    // Stemmed: other forms of a word find it.
    expect(
      (await api.get('/v1/tickets?search=invoices')).json().data.map((x: { id: string }) => x.id),
    ).toEqual([title.id]);
    expect(
      (await api.get('/v1/tickets?search=locking')).json().data.map((x: { id: string }) => x.id),
    ).toEqual([body.id]);
    await api.patch(`/v1/tickets/${body.id}`, { status: 'pending' });
    const combined = (await api.get('/v1/tickets?search=zebracorn&status=pending')).json();
    expect(combined.data.map((x: { id: string }) => x.id)).toEqual([body.id]);
    const sorted = (await api.get('/v1/tickets?search=zebracorn&sort=created_asc')).json();
    expect(sorted.data.map((x: { id: string }) => x.id)).toEqual([title.id, body.id, later.id]);
    expect((await api.get('/v1/tickets?search=%20%20')).statusCode).toBe(400);
    expect((await api.get('/v1/tickets?search=zebracorn&limit=5')).statusCode).toBe(400);
    expect((await api.get('/v1/tickets?sort=relevance')).statusCode).toBe(400);
    expect((await api.get('/v1/tickets?search=%22AND%20NEAR(*')).statusCode).toBe(200);
    // A deleted ticket leaves the index with it.
    await api.delete(`/v1/tickets/${later.id}`);
    expect((await api.get('/v1/tickets?search=quokkaface')).json().meta.total).toBe(0);
  });

  it('writes the event log in order, with a cursor', async () => {
    const before = (await api.get('/v1/events?limit=100')).json();
    let cursor = before.data.at(-1)?.id as string | undefined;
    while (before.meta.nextCursor) {
      const next = (await api.get(`/v1/events?limit=100&startingAfter=${cursor}`)).json();
      if (next.data.length === 0) break;
      cursor = next.data.at(-1).id;
      if (!next.meta.nextCursor) break;
    }
    const ticket = await create();
    await api.patch(`/v1/tickets/${ticket.id}`, { status: 'pending' });
    await api.post(`/v1/tickets/${ticket.id}/messages`, { text: 'hello' });
    const fresh = (await api.get(`/v1/events?startingAfter=${cursor}`)).json().data;
    expect(fresh.map((e: { type: string }) => e.type)).toEqual([
      'ticket.created',
      'message.created',
      'ticket.updated',
      'message.created',
    ]);
    expect(fresh[2].data.changes).toEqual({ status: { from: 'open', to: 'pending' } });
    expect((await api.get('/v1/events?types=ticket.exploded')).statusCode).toBe(400);
    await create({ customer: { email: 'brand-new-customer@example.com' } });
    const newcomer = (await api.get(`/v1/events?startingAfter=${cursor}&types=customer.created`)).json().data;
    expect(newcomer.map((e: { data: { customer: { email: string } } }) => e.data.customer.email)).toEqual([
      'brand-new-customer@example.com',
    ]);
    const onlyTickets = (
      await api.get(`/v1/events?startingAfter=${cursor}&types=ticket.created,ticket.updated`)
    ).json().data;
    expect(onlyTickets.map((e: { type: string }) => e.type)).toEqual([
      'ticket.created',
      'ticket.updated',
      'ticket.created',
    ]);
  });
});
