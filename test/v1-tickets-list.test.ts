/**
 * GET /v1/tickets: every filter × sort combination against a seeded set of 30 tickets whose
 * expected membership and order are computed here, pagination tiling, and parameter validation.
 *
 * The seed is built so that every mutation happens on a later millisecond than the previous
 * one, which makes createdAt and updatedAt distinct across tickets and each sort order fully
 * determined (no ties for the server to break).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/lib/ids.js';
import { addAgent } from '../src/modules/agents/agents.service.js';
import { findOrCreateByEmail } from '../src/modules/customers/customers.service.js';
import { recordMessage } from '../src/modules/messages/messages.service.js';
import * as ticketQueries from '../src/modules/tickets/tickets.queries.js';
import { client, newOrg, startTestApp, ticketBody, type Client, type TestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';
import { expectFieldError } from './support/errors.js';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const STATUSES = ['open', 'pending', 'resolved'] as const;
const CHANNELS = ['widget', 'email', 'telegram', 'api'] as const;
const SORTS = ['created_asc', 'created_desc', 'updated_desc'] as const;
const TAG_POOL = ['billing', 'urgent', 'vip'] as const;

type Status = (typeof STATUSES)[number];
type Channel = (typeof CHANNELS)[number];
type Sort = (typeof SORTS)[number];

interface TicketJson {
  id: string;
  orgId: string;
  status: string;
  channel: string;
  subject: string;
  createdAt: string;
  updatedAt: string;
  customer: { id: string; name: string | null; email: string | null; userId?: string };
  assignedTo: string | null;
  tags: string[];
  messages?: unknown[];
}

interface ListJson {
  data: TicketJson[];
  meta: { total: number; page: number; perPage: number };
}

/** What the test knows about a ticket from what it did to it; `created`/`updated` are mutation sequence numbers. */
interface Model {
  id: string;
  status: Status;
  channel: Channel;
  assignedTo: string | null;
  tags: string[];
  created: number;
  updated: number;
}

interface Filters {
  status?: Status;
  channel?: Channel;
  assignedTo?: string;
  tag?: string;
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Returns once the clock has moved past the current millisecond, so the next write gets a later timestamp. */
async function nextMillisecond(): Promise<void> {
  const start = Date.now();
  while (Date.now() <= start) await sleep(1);
}

/** Deterministic pseudo-random numbers (mulberry32), so the seed is the same on every run. */
function seededRandom(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text ? `/v1/tickets?${text}` : '/v1/tickets';
}

function matches(m: Model, f: Filters): boolean {
  if (f.status !== undefined && m.status !== f.status) return false;
  if (f.channel !== undefined && m.channel !== f.channel) return false;
  if (f.assignedTo !== undefined) {
    if (f.assignedTo === 'unassigned' ? m.assignedTo !== null : m.assignedTo !== f.assignedTo) return false;
  }
  if (f.tag !== undefined && !m.tags.includes(f.tag)) return false;
  return true;
}

function expectedIds(models: Model[], f: Filters, sort: Sort): string[] {
  const list = models.filter((m) => matches(m, f));
  switch (sort) {
    case 'created_asc':
      list.sort((a, b) => a.created - b.created);
      break;
    case 'created_desc':
      list.sort((a, b) => b.created - a.created);
      break;
    case 'updated_desc':
      list.sort((a, b) => b.updated - a.updated);
      break;
  }
  return list.map((m) => m.id);
}

describe.each(DIALECTS)('GET /v1/tickets (%s)', (dialect) => {
  let t: TestApp;
  let api: Client;
  let orgId: string;
  let agentA: string;
  let agentB: string;
  let admin: string;
  let otherAgent: string;
  let otherOrgTicketIds: string[];
  const models: Model[] = [];
  let seq = 0;

  /** Every value each filter is checked with, including "not given". */
  let filterValues: {
    status: Array<Status | undefined>;
    channel: Array<Channel | undefined>;
    assignedTo: Array<string | undefined>;
    tag: Array<string | undefined>;
  };

  async function patch(model: Model, body: Record<string, unknown>) {
    await nextMillisecond();
    const res = await api.patch(`/v1/tickets/${model.id}`, body);
    expect(res.statusCode, res.body).toBe(200);
    model.updated = ++seq;
    if (body.status !== undefined) model.status = body.status as Status;
    if (body.assignedTo !== undefined) model.assignedTo = body.assignedTo as string | null;
    if (body.tags !== undefined) model.tags = [...(body.tags as string[])];
  }

  /** A ticket on a non-API channel, written the way POST /v1/tickets writes one. */
  async function insertChannelTicket(
    channel: Exclude<Channel, 'api'>,
    n: number,
    tags: string[],
  ): Promise<Model> {
    await nextMillisecond();
    const db = t.database.db.kysely;
    const id = await db.transaction().execute(async (trx) => {
      const now = Date.now();
      let customerId: string;
      if (channel === 'telegram') {
        customerId = newId('cus', now);
        await trx
          .insertInto('customers')
          .values({
            id: customerId,
            org_id: orgId,
            name: `Telegram user ${n}`,
            email: null,
            email_lower: null,
            user_id: null,
            created_at: now,
            updated_at: now,
          })
          .execute();
      } else {
        customerId = (
          await findOrCreateByEmail(trx, orgId, {
            email: `${channel}${n}@example.com`,
            name: `${channel} ${n}`,
          })
        ).id;
      }
      const ticketId = newId('tkt', now);
      await ticketQueries.insertTicket(trx, {
        id: ticketId,
        org_id: orgId,
        status: 'open',
        channel,
        subject: `Via ${channel} #${n}`,
        customer_id: customerId,
        assigned_to: null,
        created_at: now,
        updated_at: now,
      });
      await ticketQueries.replaceTags(trx, orgId, ticketId, tags, now);
      await recordMessage(trx, {
        orgId,
        ticketId,
        role: 'customer',
        text: `Hello from ${channel}`,
        authorName: null,
        at: now,
      });
      return ticketId;
    });
    seq++;
    return { id, status: 'open', channel, assignedTo: null, tags, created: seq, updated: seq };
  }

  beforeAll(async () => {
    // The combination sweep makes well over 300 requests with one key: no rate limit here.
    t = await startTestApp(dialect, { env: { TALKI_RATE_LIMIT_PER_MIN: '0' } });
    const org = await newOrg(t);
    orgId = org.org.id;
    admin = org.admin.id;
    api = client(t.app, org.apiKey);
    const db = t.database.db.kysely;
    agentA = (
      await addAgent(db, { orgId, email: `list-a-${Date.now()}@example.com`, name: 'Agent A', role: 'agent' })
    ).id;
    agentB = (
      await addAgent(db, { orgId, email: `list-b-${Date.now()}@example.com`, name: 'Agent B', role: 'agent' })
    ).id;

    const random = seededRandom(20240315);
    const assignees = [null, agentA, agentB, admin];
    const pickTags = () => TAG_POOL.filter(() => random() < 0.45);

    // 24 API tickets: every status × assignee pair twice, random tags, then a PATCH where needed.
    for (let i = 0; i < 24; i++) {
      const tags = pickTags();
      await nextMillisecond();
      const res = await api.post(
        '/v1/tickets',
        ticketBody({
          subject: `Seed ticket ${i}`,
          customer: { name: `Customer ${i % 5}`, email: `customer${i % 5}@example.com` },
          message: `Message ${i}`,
          tags,
        }),
      );
      expect(res.statusCode, res.body).toBe(201);
      seq++;
      const model: Model = {
        id: res.json().id,
        status: 'open',
        channel: 'api',
        assignedTo: null,
        tags,
        created: seq,
        updated: seq,
      };
      models.push(model);
      const status = STATUSES[i % 3]!;
      const assignee = assignees[Math.floor(i / 3) % 4]!;
      const change: Record<string, unknown> = {};
      if (status !== 'open') change.status = status;
      if (assignee !== null) change.assignedTo = assignee;
      if (Object.keys(change).length > 0) await patch(model, change);
    }

    // 6 tickets on the other channels, then varied status and assignee through the API.
    const others: Array<Exclude<Channel, 'api'>> = [
      'widget',
      'email',
      'telegram',
      'widget',
      'email',
      'telegram',
    ];
    for (const [j, channel] of others.entries()) {
      const model = await insertChannelTicket(channel, j, pickTags());
      models.push(model);
      const status = STATUSES[j % 3]!;
      const assignee = assignees[(j + 1) % 4]!;
      const change: Record<string, unknown> = {};
      if (status !== 'open') change.status = status;
      if (assignee !== null) change.assignedTo = assignee;
      if (Object.keys(change).length > 0) await patch(model, change);
    }

    // Re-tag a scattering of tickets so the updated order differs from the created order.
    for (const index of [3, 17, 0, 25, 9, 28, 12, 5]) {
      const model = models[index]!;
      let tags = pickTags();
      if ([...tags].sort().join() === [...model.tags].sort().join()) {
        tags = tags.includes('vip') ? tags.filter((tag) => tag !== 'vip') : [...tags, 'vip'];
      }
      await patch(model, { tags });
    }

    // Another org with tickets and an agent: never visible from the first org.
    const other = await newOrg(t);
    const otherApi = client(t.app, other.apiKey);
    otherAgent = (
      await addAgent(db, {
        orgId: other.org.id,
        email: `list-other-${Date.now()}@example.com`,
        name: 'Other',
        role: 'agent',
      })
    ).id;
    otherOrgTicketIds = [];
    for (let i = 0; i < 3; i++) {
      const res = await otherApi.post(
        '/v1/tickets',
        ticketBody({ tags: ['billing'], subject: `Other org ${i}` }),
      );
      expect(res.statusCode, res.body).toBe(201);
      otherOrgTicketIds.push(res.json().id);
      const patched = await otherApi.patch(`/v1/tickets/${res.json().id}`, {
        assignedTo: otherAgent,
        status: 'pending',
      });
      expect(patched.statusCode, patched.body).toBe(200);
    }

    filterValues = {
      status: [undefined, ...STATUSES],
      channel: [undefined, ...CHANNELS],
      assignedTo: [undefined, agentA, agentB, admin, 'unassigned'],
      tag: [undefined, ...TAG_POOL, 'no-ticket-has-this-tag'],
    };
  });

  afterAll(async () => {
    await t?.close();
  });

  function* allFilterCombinations(): Generator<Filters> {
    for (const status of filterValues.status)
      for (const channel of filterValues.channel)
        for (const assignedTo of filterValues.assignedTo)
          for (const tag of filterValues.tag) {
            const f: Filters = {};
            if (status !== undefined) f.status = status;
            if (channel !== undefined) f.channel = channel;
            if (assignedTo !== undefined) f.assignedTo = assignedTo;
            if (tag !== undefined) f.tag = tag;
            yield f;
          }
  }

  /** Every page of one listing, in order, plus the page after the last one. */
  async function allPages(
    params: Record<string, string | number | undefined>,
    perPage: number,
    expectedTotal: number,
  ) {
    const ids: string[] = [];
    const lastPage = Math.ceil(expectedTotal / perPage);
    for (let page = 1; page <= lastPage + 1; page++) {
      const res = await api.get(query({ ...params, page, per_page: perPage }));
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<ListJson>();
      expect(body.meta).toEqual({ total: expectedTotal, page, perPage });
      const expectedLength = page <= lastPage ? Math.min(perPage, expectedTotal - (page - 1) * perPage) : 0;
      expect(body.data.length, `page ${page} of ${JSON.stringify(params)} per_page=${perPage}`).toBe(
        expectedLength,
      );
      ids.push(...body.data.map((ticket) => ticket.id));
    }
    return ids;
  }

  it('the seed covers every status, channel, assignee and tag, and the sort orders differ', () => {
    expect(models).toHaveLength(30);
    for (const status of STATUSES) expect(models.some((m) => m.status === status)).toBe(true);
    for (const channel of CHANNELS) expect(models.some((m) => m.channel === channel)).toBe(true);
    for (const who of [agentA, agentB, admin, null])
      expect(models.some((m) => m.assignedTo === who)).toBe(true);
    for (const tag of TAG_POOL) expect(models.some((m) => m.tags.includes(tag))).toBe(true);
    expect(models.some((m) => m.tags.length === 0)).toBe(true);
    expect(expectedIds(models, {}, 'updated_desc')).not.toEqual(expectedIds(models, {}, 'created_desc'));
    // Enough combinations return several tickets for the order checks to mean something.
    const nonTrivial = [...allFilterCombinations()].filter(
      (f) => models.filter((m) => matches(m, f)).length >= 2,
    );
    expect(nonTrivial.length).toBeGreaterThan(60);
  });

  it.each(SORTS)(
    'every filter combination with sort=%s returns exactly the expected tickets in order',
    async (sort) => {
      const mismatches: string[] = [];
      let checked = 0;
      for (const f of allFilterCombinations()) {
        const url = query({ ...f, sort, per_page: 100 });
        const res = await api.get(url);
        checked++;
        if (res.statusCode !== 200) {
          mismatches.push(`${url} → ${res.statusCode} ${res.body}`);
          continue;
        }
        const body = res.json<ListJson>();
        const want = expectedIds(models, f, sort);
        const got = body.data.map((ticket) => ticket.id);
        if (JSON.stringify(got) !== JSON.stringify(want))
          mismatches.push(`${url}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
        if (body.meta.total !== want.length || body.meta.page !== 1 || body.meta.perPage !== 100) {
          mismatches.push(
            `${url}: meta ${JSON.stringify(body.meta)}, expected total ${want.length}, page 1, perPage 100`,
          );
        }
      }
      expect(checked).toBe(4 * 5 * 5 * 5);
      expect(mismatches).toEqual([]);
    },
    300_000,
  );

  it('list items carry the full ticket shape and agree with the test model and with GET /v1/tickets/:id', async () => {
    const res = await api.get(query({ per_page: 100 }));
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<ListJson>();
    expect(Object.keys(body).sort()).toEqual(['data', 'meta']);
    expect(body.data).toHaveLength(30);
    const byId = new Map(models.map((m) => [m.id, m]));
    for (const item of body.data) {
      for (const key of [
        'id',
        'orgId',
        'status',
        'channel',
        'subject',
        'createdAt',
        'updatedAt',
        'customer',
        'assignedTo',
        'tags',
      ]) {
        expect(item, `${item.id} lacks ${key}`).toHaveProperty(key);
      }
      expect(item).not.toHaveProperty('messages');
      expect(item.id).toMatch(/^tkt_/);
      expect(item.orgId).toBe(orgId);
      expect(item.orgId).toMatch(/^org_/);
      expect(item.createdAt).toMatch(ISO_MS);
      expect(item.updatedAt).toMatch(ISO_MS);
      expect(Date.parse(item.updatedAt)).toBeGreaterThanOrEqual(Date.parse(item.createdAt));
      const model = byId.get(item.id);
      expect(model, `unexpected ticket ${item.id}`).toBeDefined();
      expect(item.status).toBe(model!.status);
      expect(item.channel).toBe(model!.channel);
      expect(item.assignedTo).toBe(model!.assignedTo);
      expect([...item.tags].sort()).toEqual([...model!.tags].sort());
      expect(typeof item.customer).toBe('object');

      const single = await api.get(`/v1/tickets/${item.id}`);
      expect(single.statusCode, single.body).toBe(200);
      const { messages, ...rest } = single.json<TicketJson>();
      expect(Array.isArray(messages)).toBe(true);
      expect(rest).toEqual(item);
    }
  });

  it('timestamps follow the mutation order exactly (createdAt and updatedAt are distinct and ordered)', async () => {
    const res = await api.get(query({ per_page: 100, sort: 'created_asc' }));
    const data = res.json<ListJson>().data;
    const byId = new Map(models.map((m) => [m.id, m]));
    const byCreated = [...data].sort((a, b) => byId.get(a.id)!.created - byId.get(b.id)!.created);
    for (let i = 1; i < byCreated.length; i++) {
      expect(Date.parse(byCreated[i]!.createdAt)).toBeGreaterThan(Date.parse(byCreated[i - 1]!.createdAt));
    }
    const byUpdated = [...data].sort((a, b) => byId.get(a.id)!.updated - byId.get(b.id)!.updated);
    for (let i = 1; i < byUpdated.length; i++) {
      expect(Date.parse(byUpdated[i]!.updatedAt)).toBeGreaterThan(Date.parse(byUpdated[i - 1]!.updatedAt));
    }
  });

  it('defaults: sort=created_desc, page 1, a per_page between 1 and 100', async () => {
    const res = await api.get('/v1/tickets');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<ListJson>();
    expect(body.meta.page).toBe(1);
    expect(body.meta.total).toBe(30);
    expect(Number.isInteger(body.meta.perPage)).toBe(true);
    expect(body.meta.perPage).toBeGreaterThanOrEqual(1);
    expect(body.meta.perPage).toBeLessThanOrEqual(100);
    expect(body.data.length).toBe(Math.min(30, body.meta.perPage));
    expect(body.data.map((ticket) => ticket.id)).toEqual(
      expectedIds(models, {}, 'created_desc').slice(0, body.meta.perPage),
    );
  });

  it("the reference's example query works: ?status=open&page=1&per_page=25", async () => {
    const res = await api.get('/v1/tickets?status=open&page=1&per_page=25');
    expect(res.statusCode, res.body).toBe(200);
    const want = expectedIds(models, { status: 'open' }, 'created_desc');
    expect(res.json<ListJson>().meta).toEqual({ total: want.length, page: 1, perPage: 25 });
    expect(res.json<ListJson>().data.map((ticket) => ticket.id)).toEqual(want.slice(0, 25));
  });

  it.each(SORTS)(
    'pages tile the whole result with no duplicates or gaps (sort=%s)',
    async (sort) => {
      const filterSets: Filters[] = [
        {},
        { status: 'open' },
        { tag: 'billing' },
        { assignedTo: 'unassigned' },
        { channel: 'api' },
      ];
      for (const f of filterSets) {
        const want = expectedIds(models, f, sort);
        for (const perPage of [1, 4, 7, 25, 29, 30, 100]) {
          const got = await allPages({ ...f, sort }, perPage, want.length);
          expect(new Set(got).size, `duplicates in ${JSON.stringify(f)} per_page=${perPage}`).toBe(
            got.length,
          );
          expect(got, `${JSON.stringify(f)} per_page=${perPage}`).toEqual(want);
        }
      }
    },
    120_000,
  );

  it('a page past the end is 200 with empty data and the true total', async () => {
    for (const [params, total] of [
      [{ page: 2, per_page: 30 }, 30],
      [{ page: 999, per_page: 10 }, 30],
      [{ page: 4, per_page: 10 }, 30],
      [{ page: 2, per_page: 100, status: 'pending' }, models.filter((m) => m.status === 'pending').length],
    ] as const) {
      const res = await api.get(query(params));
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<ListJson>()).toEqual({
        data: [],
        meta: { total, page: params.page, perPage: params.per_page },
      });
    }
  });

  it('a filter nothing matches is 200 with empty data and total 0', async () => {
    const res = await api.get(query({ tag: 'no-ticket-has-this-tag' }));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<ListJson>().data).toEqual([]);
    expect(res.json<ListJson>().meta.total).toBe(0);
  });

  it("never shows another org's tickets", async () => {
    const res = await api.get(query({ per_page: 100 }));
    const ids = res.json<ListJson>().data.map((ticket) => ticket.id);
    expect(res.json<ListJson>().meta.total).toBe(30);
    for (const id of otherOrgTicketIds) expect(ids).not.toContain(id);
    // Even filters the other org's tickets match exactly.
    const pending = await api.get(query({ per_page: 100, status: 'pending', tag: 'billing' }));
    for (const id of otherOrgTicketIds)
      expect(pending.json<ListJson>().data.map((ticket) => ticket.id)).not.toContain(id);
  });

  describe('out-of-range or unknown values are 400, never ignored', () => {
    const cases: Array<[string, string]> = [
      ['status=closed', 'status'],
      ['status=OPENED', 'status'],
      ['status=', 'status'],
      ['status=open&status=pending', 'status'],
      ['channel=sms', 'channel'],
      ['channel=', 'channel'],
      ['sort=newest', 'sort'],
      ['sort=updated_asc', 'sort'],
      ['sort=', 'sort'],
      ['page=0', 'page'],
      ['page=-1', 'page'],
      ['page=abc', 'page'],
      ['page=1.5', 'page'],
      ['page=', 'page'],
      ['per_page=0', 'per_page'],
      ['per_page=101', 'per_page'],
      ['per_page=1000', 'per_page'],
      ['per_page=-5', 'per_page'],
      ['per_page=2.5', 'per_page'],
      ['per_page=ten', 'per_page'],
      ['tag=', 'tag'],
      ['assignedTo=', 'assignedTo'],
      ['foo=bar', 'foo'],
      ['perPage=10', 'perPage'],
      ['status=open&size=5', 'size'],
    ];
    it.each(cases)('?%s → 400 naming %s', async (qs, field) => {
      expectFieldError(await api.get(`/v1/tickets?${qs}`), field);
    });

    it('assignedTo naming no agent of this org → 400 naming assignedTo', async () => {
      expectFieldError(await api.get(query({ assignedTo: 'agent_456' })), 'assignedTo');
      expectFieldError(
        await api.get(query({ assignedTo: 'agent_00000000000000000000000000' })),
        'assignedTo',
      );
    });

    it("assignedTo naming another org's agent → 400 naming assignedTo", async () => {
      expectFieldError(await api.get(query({ assignedTo: otherAgent })), 'assignedTo');
    });
  });
});
