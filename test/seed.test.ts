import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { MemoryRateLimiter } from '../src/http/rate-limit.memory.js';
import { client, ticketBody, type Client } from './support/app.js';
import { agentClient, session } from './support/agents.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './support/databases.js';
import { runCli } from './support/processes.js';

const PASSWORD = 'seed-password-1';

interface Seeded {
  org: { id: string; name: string };
  apiKey: string;
  widgetKey: string;
  admin: { id: string; email: string };
  seeded: {
    tickets: number;
    customers: number;
    messages: number;
    agents: Array<{ id: string; email: string; name: string }>;
    firstCode: string;
    lastCode: string;
  };
}

describe.each(DIALECTS)('talki dev seed (%s)', (dialect) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let limiter: MemoryRateLimiter;
  let out: Seeded;
  let stderr: string;
  let api: Client;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const email = `seed.${Date.now().toString(36)}@example.com`;
    const result = await runCli(
      ['dev', 'seed', '--tickets', '300', '--admin-email', email, '--admin-password', PASSWORD, '--json'],
      database.env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    out = JSON.parse(result.stdout) as Seeded;
    stderr = result.stderr;
    limiter = new MemoryRateLimiter();
    const config = loadConfig({ ...database.env, LOG_LEVEL: 'silent' });
    app = await buildApp({ config, db: database.db, limiter, logger: false });
    await app.ready();
    api = client(app, out.apiKey);
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await limiter.close();
    await database.drop();
  });

  it('prints the org create fields and a summary, progress on stderr', () => {
    expect(Object.keys(out).sort()).toEqual(['admin', 'apiKey', 'org', 'seeded', 'widgetKey']);
    expect(out.apiKey).toMatch(/^talki_sk_/);
    expect(out.widgetKey).toMatch(/^talki_pk_/);
    expect(out.seeded).toMatchObject({
      tickets: 300,
      customers: 300,
      firstCode: 'SEED-1',
      lastCode: 'SEED-300',
    });
    expect(out.seeded.agents).toHaveLength(5);
    expect(out.seeded.messages).toBeGreaterThanOrEqual(300);
    expect(out.seeded.messages).toBeLessThanOrEqual(1200);
    expect(stderr).toContain('seed: 300/300 tickets');
  });

  it('lists, counts and pages the seeded tickets with variety', async () => {
    const list = (await api.get('/v1/tickets?per_page=100')).json();
    expect(list.meta.total).toBe(300);
    const counts = (await api.get('/v1/tickets/counts')).json();
    expect(counts.all.total).toBe(300);
    expect(counts.all.open + counts.all.pending + counts.all.resolved).toBe(300);
    expect(counts.all.resolved).toBeGreaterThan(counts.all.open);
    expect(counts.all.open).toBeGreaterThan(0);
    expect(counts.all.pending).toBeGreaterThan(0);
    expect(counts.unassigned.total).toBeGreaterThan(0);
    expect(counts.unassigned.total).toBeLessThan(300);

    const tickets = list.data as Array<{
      channel: string;
      priority: string;
      tags: string[];
      createdAt: string;
    }>;
    expect(new Set(tickets.map((x) => x.channel))).toEqual(new Set(['api', 'email', 'widget', 'telegram']));
    expect(new Set(tickets.map((x) => x.priority)).size).toBeGreaterThanOrEqual(3);
    expect(tickets.some((x) => x.tags.length === 0) && tickets.some((x) => x.tags.length >= 2)).toBe(true);
    // Newest first, all within the last 180 days.
    const times = tickets.map((x) => Date.parse(x.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(Math.min(...times)).toBeGreaterThan(Date.now() - 181 * 24 * 3600 * 1000);

    // Cursor paging walks every ticket once.
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: { data: Array<{ id: string }>; meta: { nextCursor: string | null } } = (
        await api.get(`/v1/tickets?limit=100${cursor ? `&startingAfter=${cursor}` : ''}`)
      ).json();
      for (const x of page.data) seen.add(x.id);
      cursor = page.meta.nextCursor;
    } while (cursor);
    expect(seen.size).toBe(300);

    const tags = (await api.get('/v1/tags?per_page=100')).json();
    expect(tags.data).toHaveLength(12);
    expect(tags.data.every((x: { color: string | null }) => /^#[0-9A-F]{6}$/i.test(x.color ?? ''))).toBe(
      true,
    );
    const vip = tags.data.find((x: { name: string }) => x.name === 'vip');
    expect((await api.get('/v1/tickets?tag=vip')).json().meta.total).toBe(vip.ticketCount);
  });

  it('makes the seeded tickets searchable and their threads readable', async () => {
    const found = (await api.get('/v1/tickets?q=invoice&per_page=5')).json();
    expect(found.meta.total).toBeGreaterThan(0);
    expect((await api.get('/v1/tickets/counts?q=invoice')).json().all.total).toBe(found.meta.total);
    const byCustomer = (await api.get('/v1/tickets?per_page=1')).json().data[0];
    const sameCustomer = (
      await api.get(`/v1/tickets?q=${encodeURIComponent(byCustomer.customer.email)}`)
    ).json();
    expect(sameCustomer.data.map((x: { id: string }) => x.id)).toContain(byCustomer.id);

    const thread = (await api.get(`/v1/tickets/${byCustomer.code}`)).json();
    expect(thread.messages.length).toBeGreaterThanOrEqual(1);
    expect(thread.messages.length).toBeLessThanOrEqual(4);
    expect(thread.messages[0].role).toBe('customer');
    const at = thread.messages.map((m: { createdAt: string }) => Date.parse(m.createdAt));
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(Date.parse(thread.updatedAt)).toBe(at.at(-1));
  });

  it('lets the admin log in, and new tickets continue the code sequence', async () => {
    const admin = agentClient(app, (await session(app, out.admin.email, PASSWORD)).accessToken);
    expect((await admin.get('/v1/agents?per_page=100')).json().meta.total).toBe(6);
    const created = await admin.post('/v1/tickets', ticketBody({ tags: [] }));
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ number: 301, code: 'SEED-301' });

    const more = await runCli(
      ['dev', 'seed', '--org', out.org.id, '--tickets', '20', '--json'],
      database.env,
    );
    expect(more.code, more.stderr).toBe(0);
    const again = JSON.parse(more.stdout);
    expect(Object.keys(again).sort()).toEqual(['org', 'seeded']);
    expect(again.seeded).toMatchObject({ firstCode: 'SEED-302', lastCode: 'SEED-321', customers: 20 });
    expect((await api.get('/v1/tickets/counts')).json().all.total).toBe(321);
    expect((await api.get('/v1/tags?per_page=100')).json().data).toHaveLength(12);
    expect((await admin.post('/v1/tickets', ticketBody({ tags: [] }))).json().code).toBe('SEED-322');
  }, 60_000);

  it('explains itself and refuses what does not fit', async () => {
    const help = await runCli(['dev', 'seed', '--help'], database.env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: talki dev seed');
    expect(help.stdout).toContain('--tickets N');
    const mixed = await runCli(
      ['dev', 'seed', '--org', out.org.id, '--admin-email', 'x@example.com'],
      database.env,
    );
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('--admin-email');
    const bad = await runCli(['dev', 'seed', '--tickets', 'many'], database.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--tickets');
    const missing = await runCli(['dev', 'seed', '--org', 'org_nothere', '--tickets', '1'], database.env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('org_nothere');
  });
});
