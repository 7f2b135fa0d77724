/**
 * Per-key rate limits on /v1: the default budget (300 per rolling 60 s, or
 * TALKI_RATE_LIMIT_PER_MIN), a key's own limit, 0 = unlimited, the X-RateLimit-* headers on
 * every authenticated response, and 429 with Retry-After once a budget is spent.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/modules/api-keys/api-keys.service.js';
import { client, newOrg, startTestApp, ticketBody, type Client, type TestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';
import { expectErrorBody } from './support/errors.js';

/** A header's value as a whole number, failing the test when it is anything else. */
function intHeader(res: LightMyRequestResponse, name: string): number {
  const raw = res.headers[name];
  expect(
    typeof raw === 'string' || typeof raw === 'number',
    `${name} missing (status ${res.statusCode})`,
  ).toBe(true);
  expect(String(raw), name).toMatch(/^\d+$/);
  return Number(raw);
}

function expectRateHeaders(res: LightMyRequestResponse, limit: number, remaining: number) {
  expect(intHeader(res, 'x-ratelimit-limit')).toBe(limit);
  expect(intHeader(res, 'x-ratelimit-remaining')).toBe(remaining);
  const reset = intHeader(res, 'x-ratelimit-reset');
  expect(reset).toBeGreaterThanOrEqual(0);
  expect(reset).toBeLessThanOrEqual(60);
}

function expectTooMany(res: LightMyRequestResponse, limit: number) {
  expectErrorBody(res, 429, 'TOO_MANY_REQUESTS');
  const retryAfter = intHeader(res, 'retry-after');
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expectRateHeaders(res, limit, 0);
}

describe.each(DIALECTS)('rate limits with TALKI_RATE_LIMIT_PER_MIN=5 (%s)', (dialect) => {
  const LIMIT = 5;
  let t: TestApp;
  let orgId: string;
  let otherOrgKey: string;

  beforeAll(async () => {
    t = await startTestApp(dialect, { env: { TALKI_RATE_LIMIT_PER_MIN: String(LIMIT) } });
    orgId = (await newOrg(t)).org.id;
    otherOrgKey = (await newOrg(t)).apiKey;
  });

  afterAll(async () => {
    await t?.close();
  });

  async function freshKey(
    options: { rateLimit?: number | null; scope?: 'read' | 'write' } = {},
  ): Promise<Client> {
    const key = await createApiKey(t.database.db.kysely, {
      orgId,
      kind: 'secret',
      name: `key-${Math.random().toString(36).slice(2)}`,
      scope: options.scope ?? 'write',
      rateLimit: options.rateLimit ?? null,
    });
    return client(t.app, key.key);
  }

  it('counts down X-RateLimit-Remaining, then answers 429 with Retry-After', async () => {
    const api = await freshKey();
    for (let i = 1; i <= LIMIT; i++) {
      const res = await api.get('/v1/tickets');
      expect(res.statusCode, res.body).toBe(200);
      expectRateHeaders(res, LIMIT, LIMIT - i);
    }
    expectTooMany(await api.get('/v1/tickets'), LIMIT);
    // Still limited: every route, reads and writes alike.
    expectTooMany(await api.get('/v1/tickets/tkt_00000000000000000000000000'), LIMIT);
    expectTooMany(await api.post('/v1/tickets', ticketBody()), LIMIT);
  });

  it('a 429 write stores nothing', async () => {
    const api = await freshKey();
    for (let i = 0; i < LIMIT; i++) expect((await api.get('/v1/tickets?per_page=1')).statusCode).toBe(200);
    const subject = `never stored ${Date.now()}`;
    expectTooMany(await api.post('/v1/tickets', ticketBody({ subject })), LIMIT);
    const observer = await freshKey();
    const list = await observer.get('/v1/tickets?per_page=100');
    expect(list.statusCode).toBe(200);
    expect(list.json<{ data: Array<{ subject: string }> }>().data.map((x) => x.subject)).not.toContain(
      subject,
    );
  });

  it('every authenticated response carries the headers: 201, 400, 403 and 404 too', async () => {
    const api = await freshKey();
    const created = await api.post('/v1/tickets', ticketBody());
    expect(created.statusCode, created.body).toBe(201);
    expectRateHeaders(created, LIMIT, 4);
    const invalid = await api.get('/v1/tickets?status=bogus');
    expect(invalid.statusCode).toBe(400);
    expectRateHeaders(invalid, LIMIT, 3);
    const missing = await api.get('/v1/tickets/tkt_00000000000000000000000000');
    expect(missing.statusCode).toBe(404);
    expectRateHeaders(missing, LIMIT, 2);
    const patched = await api.patch(`/v1/tickets/${created.json<{ id: string }>().id}`, {
      status: 'pending',
    });
    expect(patched.statusCode).toBe(200);
    expectRateHeaders(patched, LIMIT, 1);

    const reader = await freshKey({ scope: 'read' });
    const forbidden = await reader.post('/v1/tickets', ticketBody());
    expect(forbidden.statusCode).toBe(403);
    expectRateHeaders(forbidden, LIMIT, 4);
  });

  it('budgets are per key: another key of the same org, and of another org, are unaffected', async () => {
    const spent = await freshKey();
    for (let i = 0; i < LIMIT; i++) expect((await spent.get('/v1/tickets')).statusCode).toBe(200);
    expectTooMany(await spent.get('/v1/tickets'), LIMIT);

    const sibling = await freshKey();
    const res = await sibling.get('/v1/tickets');
    expect(res.statusCode, res.body).toBe(200);
    expectRateHeaders(res, LIMIT, LIMIT - 1);

    const elsewhere = await client(t.app, otherOrgKey).get('/v1/tickets');
    expect(elsewhere.statusCode, elsewhere.body).toBe(200);
    expectRateHeaders(elsewhere, LIMIT, LIMIT - 1);

    expectTooMany(await spent.get('/v1/tickets'), LIMIT);
  });

  it("a key's own lower limit overrides the default", async () => {
    const api = await freshKey({ rateLimit: 2 });
    for (let i = 1; i <= 2; i++) {
      const res = await api.get('/v1/tickets');
      expect(res.statusCode).toBe(200);
      expectRateHeaders(res, 2, 2 - i);
    }
    expectTooMany(await api.get('/v1/tickets'), 2);
  });

  it("a key's own higher limit overrides the default", async () => {
    const api = await freshKey({ rateLimit: 8 });
    for (let i = 1; i <= 8; i++) {
      const res = await api.get('/v1/tickets');
      expect(res.statusCode, `request ${i}`).toBe(200);
      expectRateHeaders(res, 8, 8 - i);
    }
    expectTooMany(await api.get('/v1/tickets'), 8);
  });

  it('a key with rateLimit 0 is unlimited', async () => {
    const api = await freshKey({ rateLimit: 0 });
    for (let i = 0; i < LIMIT * 6; i++) {
      const res = await api.get('/v1/tickets');
      expect(res.statusCode, `request ${i + 1}`).toBe(200);
    }
    expect((await api.post('/v1/tickets', ticketBody())).statusCode).toBe(201);
  });

  it('requests without a valid key do not spend any key’s budget', async () => {
    const api = await freshKey();
    for (let i = 0; i < LIMIT * 2; i++)
      expect((await client(t.app, undefined).get('/v1/tickets')).statusCode).toBe(401);
    const res = await api.get('/v1/tickets');
    expect(res.statusCode).toBe(200);
    expectRateHeaders(res, LIMIT, LIMIT - 1);
  });
});

describe.each(DIALECTS)('default rate limit (%s)', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(dialect);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('allows exactly 300 requests per key, the 301st is 429', async () => {
    const org = await newOrg(t);
    const api = client(t.app, org.apiKey);
    const statuses: number[] = [];
    for (let i = 1; i <= 300; i++) {
      const res = await api.get('/v1/tickets?per_page=1');
      statuses.push(res.statusCode);
      if (i === 1) expectRateHeaders(res, 300, 299);
      if (i === 300) expectRateHeaders(res, 300, 0);
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const over = await api.get('/v1/tickets?per_page=1');
    expectTooMany(over, 300);
    expect(over.json<{ error: { message: string } }>().error.message.length).toBeGreaterThan(0);

    // The other key of a new org is unaffected.
    const fresh = await client(t.app, (await newOrg(t)).apiKey).get('/v1/tickets');
    expect(fresh.statusCode).toBe(200);
    expectRateHeaders(fresh, 300, 299);
  }, 120_000);
});
