/**
 * Edges of the HTTP contract: validation names every bad field at once, an empty id is a clean
 * 404, another method on a known path is a 405 with Allow, trailing commas in JSON are refused
 * (comments stay accepted), and every list checks its cursor the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, newOrg, startTestApp, ticketBody, type Client, type TestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';
import { expectErrorBody, expectFieldError } from './support/errors.js';

describe.each(DIALECTS)('contract edges (%s)', (dialect) => {
  let t: TestApp;
  let api: Client;
  let apiKey: string;
  let widgetKey: string;
  let ticketId: string;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    const org = await newOrg(t);
    apiKey = org.apiKey;
    widgetKey = org.widgetKey;
    api = client(t.app, apiKey);
    const created = await api.post('/v1/tickets', ticketBody());
    expect(created.statusCode, created.body).toBe(201);
    ticketId = created.json<{ id: string }>().id;
    for (const n of [1, 2]) {
      const more = await api.post('/v1/tickets', ticketBody({ customer: { email: `c${n}@example.com` } }));
      expect(more.statusCode, more.body).toBe(201);
    }
  });

  afterAll(async () => {
    await t?.close();
  });

  const total = async () =>
    (await api.get('/v1/tickets?per_page=1')).json<{ meta: { total: number } }>().meta.total;

  describe('validation names every bad field', () => {
    it('POST /v1/tickets {} lists subject, customer and message together', async () => {
      const before = await total();
      const body = expectErrorBody(await api.post('/v1/tickets', {}), 400, 'BAD_REQUEST');
      const fields = body.error.details?.fields ?? [];
      expect(fields.map((f) => f.field).sort()).toEqual(['customer', 'message', 'subject']);
      expect(fields.every((f) => f.message === 'is required')).toBe(true);
      for (const name of ['subject', 'customer', 'message']) expect(body.error.message).toContain(name);
      expect(await total()).toBe(before);
    });

    it('type errors, nested fields and unknown fields are reported side by side, once each', async () => {
      const res = await api.post('/v1/tickets', {
        subject: 42,
        customer: { email: 'not an email' },
        message: 'Hello',
        extra: true,
      });
      const body = expectErrorBody(res, 400, 'BAD_REQUEST');
      const fields = body.error.details?.fields ?? [];
      expect(fields.map((f) => f.field).sort()).toEqual(['customer.email', 'extra', 'subject']);
      expect(fields.find((f) => f.field === 'subject')?.message).toBe('must be string');
      expect(fields.find((f) => f.field === 'extra')?.message).toBe('is not a recognised field');
    });

    it('one bad field keeps the single-field message', async () => {
      const res = await api.post('/v1/tickets', { ...ticketBody(), extra: 1 });
      const body = expectErrorBody(res, 400, 'BAD_REQUEST');
      expect(body.error.message).toBe('Invalid body extra: is not a recognised field');
      expect(body.error.details?.fields).toEqual([{ field: 'extra', message: 'is not a recognised field' }]);
    });

    it('several bad query parameters are all named', async () => {
      const res = await api.get('/v1/tickets?status=bogus&per_page=1000&foo=1');
      const fields = expectErrorBody(res, 400, 'BAD_REQUEST').error.details?.fields ?? [];
      expect(fields.map((f) => f.field).sort()).toEqual(['foo', 'per_page', 'status']);
    });

    it('a body with thousands of bad items answers with a bounded list', async () => {
      const res = await api.patch(`/v1/tickets/${ticketId}`, { tags: Array.from({ length: 5000 }, () => 1) });
      const body = expectErrorBody(res, 400, 'BAD_REQUEST');
      expect(body.error.details?.fields?.length).toBeLessThanOrEqual(50);
      expect(res.body.length).toBeLessThan(10_000);
    });
  });

  describe('an empty id', () => {
    it.each([
      ['GET', '/v1/tickets/'],
      ['PATCH', '/v1/tickets/'],
      ['GET', '/v1/customers/'],
      ['GET', '/v1/tickets//messages'],
    ] as const)('%s %s → a clean 404', async (method, url) => {
      const res = await t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        ...(method === 'PATCH' ? { payload: '{"status":"resolved"}' } : {}),
      });
      const body = expectErrorBody(res, 404, 'NOT_FOUND');
      expect(body.error.message).not.toMatch(/ {2}/);
      expect(body.error.message).toContain(url);
    });
  });

  describe('another method on a known path', () => {
    it.each([
      ['PUT', '/v1/tickets', 'GET, HEAD, POST'],
      ['DELETE', '/v1/tickets', 'GET, HEAD, POST'],
      ['PUT', '/v1/tickets/TICKET', 'DELETE, GET, HEAD, PATCH'],
      ['POST', '/v1/tickets/TICKET', 'DELETE, GET, HEAD, PATCH'],
      ['DELETE', '/v1/events', 'GET, HEAD'],
      ['POST', '/openapi.json', 'GET, HEAD'],
      ['DELETE', '/docs/', 'GET, HEAD'],
    ] as const)('%s %s → 405 with Allow: %s', async (method, url, allow) => {
      const res = await t.app.inject({
        method,
        url: url.replace('TICKET', ticketId),
        headers: { authorization: `Bearer ${apiKey}` },
      });
      const body = expectErrorBody(res, 405, 'METHOD_NOT_ALLOWED');
      expect(res.headers.allow).toBe(allow);
      expect(body.error.details).toEqual({ allowed: allow.split(', ') });
    });

    it('nothing changes: the ticket is as it was after PUT/POST on it', async () => {
      const before = (await api.get(`/v1/tickets/${ticketId}`)).json();
      await t.app.inject({
        method: 'PUT',
        url: `/v1/tickets/${ticketId}`,
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        payload: '{"status":"resolved"}',
      });
      expect((await api.get(`/v1/tickets/${ticketId}`)).json()).toEqual(before);
    });

    it('HEAD works where GET does', async () => {
      const res = await t.app.inject({
        method: 'HEAD',
        url: '/v1/tickets',
        headers: { authorization: `Bearer ${apiKey}` },
      });
      expect(res.statusCode).toBe(200);
    });

    it.each([
      ['GET', '/v1/nope'],
      ['GET', '/widget/v1/nope'],
      ['POST', '/widget/v1/nope'],
      ['DELETE', '/nope'],
    ] as const)('%s %s (no such path, only the CORS catch-all) → still 404', async (method, url) => {
      const res = await t.app.inject({ method, url, headers: { authorization: `Bearer ${apiKey}` } });
      expectErrorBody(res, 404, 'NOT_FOUND');
    });
  });

  describe('JSON bodies', () => {
    const headers = { 'content-type': 'application/json' };

    it.each([
      ['after the last field', '{"status":"pending",}'],
      ['in an array', '{"tags":["a","b",]}'],
      ['with a comment after it', '{"status":"pending", // why\n}'],
    ])('a trailing comma (%s) → 400 saying so, nothing changed', async (_name, payload) => {
      const before = (await api.get(`/v1/tickets/${ticketId}`)).json();
      const body = expectErrorBody(
        await api.patch(`/v1/tickets/${ticketId}`, payload, headers),
        400,
        'BAD_REQUEST',
      );
      expect(body.error.message).toMatch(/trailing comma/);
      expect((await api.get(`/v1/tickets/${ticketId}`)).json()).toEqual(before);
    });

    it("the reference's PATCH example with // comments still works verbatim", async () => {
      const example = `{
"status": "resolved", // "open" | "resolved" | "pending"
"assignedTo": null, // agent ID
"tags": ["billing"]
}`;
      const res = await api.patch(`/v1/tickets/${ticketId}`, example, headers);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ status: 'resolved', tags: ['billing'] });
    });

    it('a comma inside a string is no trailing comma', async () => {
      const res = await api.post(`/v1/tickets/${ticketId}/messages`, '{"text":"a,]"}', headers);
      expect(res.statusCode, res.body).toBe(201);
    });
  });

  describe('every list checks its cursor the same way', () => {
    const lists = (): Array<[string, Record<string, string>]> => [
      ['/v1/tickets', {}],
      [`/v1/tickets/${ticketId}/messages`, {}],
      [`/v1/tickets/${ticketId}/time-entries`, {}],
      ['/v1/events', {}],
      ['/v1/customers', {}],
      ['/v1/agents', {}],
      ['/v1/tags', {}],
      ['/v1/api-keys', {}],
      ['/v1/channels', {}],
      ['/v1/articles', {}],
      ['/v1/collections', {}],
    ];

    it.each(['junk', 'a b', "x' OR 1=1 --", 'TKT_UPPER', '_', 'tkt-1-2'])(
      'startingAfter=%s → 400 naming startingAfter on every list',
      async (cursor) => {
        for (const [url] of lists()) {
          const res = await api.get(`${url}?startingAfter=${encodeURIComponent(cursor)}`);
          expectFieldError(res, 'startingAfter');
          expect(res.json().error.details.fields[0].message, url).toMatch(/meta\.nextCursor/);
        }
        const widget = await t.app.inject({
          method: 'GET',
          url: `/widget/v1/articles?startingAfter=${encodeURIComponent(cursor)}`,
          headers: { authorization: `Bearer ${widgetKey}` },
        });
        expectFieldError(widget, 'startingAfter');
      },
    );

    it("another kind's id (an org's, a ticket's on other lists) → 400 naming startingAfter on every list", async () => {
      for (const [url] of lists()) {
        const other =
          url === '/v1/tickets' ? 'evt_01m8xp06kq4a6hvb48qdm1fsbs' : 'tkt_01m8xp06kq4a6hvb48qdm1fsbs';
        for (const cursor of ['org_01m8xp06kq4a6hvb48qdm1fsbs', other]) {
          const res = await api.get(`${url}?startingAfter=${cursor}`);
          expectFieldError(res, 'startingAfter');
        }
      }
      const widget = await t.app.inject({
        method: 'GET',
        url: '/widget/v1/articles?startingAfter=org_01m8xp06kq4a6hvb48qdm1fsbs',
        headers: { authorization: `Bearer ${widgetKey}` },
      });
      expectFieldError(widget, 'startingAfter');
    });

    it('a real nextCursor still pages', async () => {
      for (const url of ['/v1/tickets', '/v1/events', '/v1/customers', `/v1/tickets/${ticketId}/messages`]) {
        const first = await api.get(`${url}?limit=1`);
        expect(first.statusCode, first.body).toBe(200);
        const cursor = first.json<{ meta: { nextCursor: string | null } }>().meta.nextCursor;
        expect(cursor, url).toEqual(expect.any(String));
        const next = await api.get(`${url}?limit=1&startingAfter=${cursor}`);
        expect(next.statusCode, next.body).toBe(200);
        expect(next.json<{ data: Array<{ id: string }> }>().data[0]?.id).not.toBe(cursor);
      }
    });
  });
});
