/**
 * Property: for any set of tickets, any per_page in 1..100, any sort and any single filter,
 * walking the pages and concatenating them gives exactly the full sorted list — no
 * duplicates, no gaps, the expected members, in sort order, with meta.total right on every page.
 *
 * Tickets here are created back to back, so timestamps may tie; the full list's order is
 * taken from the server's single-page answer and checked only for being sorted.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgent } from '../src/modules/agents/agents.service.js';
import { client, newOrg, startTestApp, type TestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';

const STATUSES = ['open', 'pending', 'resolved'] as const;
const SORTS = ['created_asc', 'created_desc', 'updated_desc'] as const;
const TAGS = ['red', 'green', 'blue'] as const;

interface TicketJson {
  id: string;
  status: string;
  assignedTo: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
}

interface ListJson {
  data: TicketJson[];
  meta: { total: number; page: number; perPage: number };
}

interface Spec {
  status: (typeof STATUSES)[number];
  tags: string[];
  assigned: boolean;
}

type Filter = { status?: string } | { tag?: string } | { assignedTo?: string } | Record<string, never>;

describe.each(DIALECTS)('pagination property (%s)', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(dialect, { env: { TALKI_RATE_LIMIT_PER_MIN: '0' } });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('concatenating all pages equals the full sorted list', async () => {
    const spec = fc.record({
      status: fc.constantFrom(...STATUSES),
      tags: fc.subarray([...TAGS]),
      assigned: fc.boolean(),
    });
    const filter: fc.Arbitrary<Filter> = fc.oneof(
      fc.constant({}),
      fc.constantFrom(...STATUSES).map((status) => ({ status })),
      fc.constantFrom(...TAGS).map((tag) => ({ tag })),
      fc.constant({ assignedTo: 'unassigned' }),
      fc.constant({ assignedTo: 'AGENT' }),
    );
    // Small page sizes make many pages; the full range 1..100 stays in play.
    const perPage = fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 100 }));

    await fc.assert(
      fc.asyncProperty(
        fc.array(spec, { maxLength: 40, size: 'max' }),
        perPage,
        fc.constantFrom(...SORTS),
        filter,
        async (specs: Spec[], size: number, sort: string, rawFilter: Filter) => {
          const org = await newOrg(t);
          const api = client(t.app, org.apiKey);
          const agent = await addAgent(t.database.db.kysely, {
            orgId: org.org.id,
            email: `prop-${org.org.id}@example.com`,
            name: 'Prop Agent',
            role: 'agent',
          });
          const model: Array<{ id: string; status: string; tags: string[]; assignedTo: string | null }> = [];
          for (const [i, s] of specs.entries()) {
            const created = await api.post('/v1/tickets', {
              subject: `Ticket ${i}`,
              message: `Message ${i}`,
              customer: { email: `c${i % 4}@example.com` },
              tags: s.tags,
            });
            expect(created.statusCode, created.body).toBe(201);
            const id = created.json<TicketJson>().id;
            const change: Record<string, unknown> = {};
            if (s.status !== 'open') change.status = s.status;
            if (s.assigned) change.assignedTo = agent.id;
            if (Object.keys(change).length > 0) {
              const patched = await api.patch(`/v1/tickets/${id}`, change);
              expect(patched.statusCode, patched.body).toBe(200);
            }
            model.push({ id, status: s.status, tags: s.tags, assignedTo: s.assigned ? agent.id : null });
          }

          const f: Record<string, string> = { ...rawFilter };
          if (f.assignedTo === 'AGENT') f.assignedTo = agent.id;
          const expectedIds = model
            .filter((m) => f.status === undefined || m.status === f.status)
            .filter((m) => f.tag === undefined || m.tags.includes(f.tag))
            .filter((m) =>
              f.assignedTo === undefined
                ? true
                : f.assignedTo === 'unassigned'
                  ? m.assignedTo === null
                  : m.assignedTo === f.assignedTo,
            )
            .map((m) => m.id);
          const qs = (extra: Record<string, string | number>) =>
            new URLSearchParams(
              Object.entries({ ...f, sort, ...extra }).map(([k, v]): [string, string] => [k, String(v)]),
            ).toString();

          const full = await api.get(`/v1/tickets?${qs({ per_page: 100, page: 1 })}`);
          expect(full.statusCode, full.body).toBe(200);
          const fullList = full.json<ListJson>();
          expect(fullList.meta).toEqual({ total: expectedIds.length, page: 1, perPage: 100 });
          const fullIds = fullList.data.map((x) => x.id);
          expect([...fullIds].sort()).toEqual([...expectedIds].sort());

          // The full list is in sort order.
          const key = (x: TicketJson) => Date.parse(sort === 'updated_desc' ? x.updatedAt : x.createdAt);
          for (let i = 1; i < fullList.data.length; i++) {
            const [a, b] = [key(fullList.data[i - 1]!), key(fullList.data[i]!)];
            if (sort === 'created_asc') expect(a).toBeLessThanOrEqual(b);
            else expect(a).toBeGreaterThanOrEqual(b);
          }

          const pages = Math.ceil(expectedIds.length / size);
          const walked: string[] = [];
          for (let page = 1; page <= pages + 1; page++) {
            const res = await api.get(`/v1/tickets?${qs({ per_page: size, page })}`);
            expect(res.statusCode, res.body).toBe(200);
            const body = res.json<ListJson>();
            expect(body.meta).toEqual({ total: expectedIds.length, page, perPage: size });
            expect(body.data.length).toBe(
              page <= pages ? Math.min(size, expectedIds.length - (page - 1) * size) : 0,
            );
            walked.push(...body.data.map((x) => x.id));
          }
          expect(walked).toEqual(fullIds);
        },
      ),
      { numRuns: 25 },
    );
  }, 300_000);
});
