/**
 * The error contract and authentication: the error body shape, 404 for any ticket the caller
 * can't see (well-formed or not), body and query problems (400/413/415), 5xx without stack
 * traces, API-key auth (401/403, scopes, widget key, revocation) and X-Request-Id.
 */
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../src/modules/api-keys/api-keys.service.js';
import { client, newOrg, startTestApp, ticketBody, type Client, type TestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';
import { expectErrorBody, expectFieldError } from './support/errors.js';

interface TicketJson {
  id: string;
  status: string;
  updatedAt: string;
  tags: string[];
  messages?: Array<{ id: string; text: string }>;
}

/** Nothing that looks like a stack trace, a source location or an error object's stack. */
function expectNoStackTrace(res: LightMyRequestResponse) {
  expect(res.body).not.toMatch(/\n\s+at\s/);
  expect(res.body).not.toMatch(/\bat\s+\S+\s+\(/);
  expect(res.body).not.toMatch(/\.(ts|js|mjs|cjs):\d+/);
  expect(res.body).not.toMatch(/node_modules|\/work\/|file:\/\//);
  expect(res.body).not.toMatch(/"stack"/);
}

describe.each(DIALECTS)('errors and auth (%s)', (dialect) => {
  let t: TestApp;
  let api: Client;
  let orgId: string;
  let apiKey: string;
  let widgetKey: string;
  let ticket: TicketJson;
  let otherApi: Client;
  let otherTicket: TicketJson;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    const org = await newOrg(t);
    orgId = org.org.id;
    apiKey = org.apiKey;
    widgetKey = org.widgetKey;
    api = client(t.app, apiKey);
    const created = await api.post('/v1/tickets', ticketBody({ tags: ['mine'] }));
    expect(created.statusCode, created.body).toBe(201);
    ticket = created.json<TicketJson>();

    const other = await newOrg(t);
    otherApi = client(t.app, other.apiKey);
    const theirs = await otherApi.post('/v1/tickets', ticketBody({ tags: ['theirs'] }));
    expect(theirs.statusCode, theirs.body).toBe(201);
    otherTicket = theirs.json<TicketJson>();
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('404 for any ticket the caller cannot see', () => {
    const ids: Array<[string, () => string]> = [
      ["another org's ticket", () => otherTicket.id],
      ['a well-formed id naming no ticket', () => 'tkt_00000000000000000000000000'],
      ['"nope"', () => 'nope'],
      ['a 500-character string', () => 'x'.repeat(500)],
      ['a 500-character tkt_ id', () => `tkt_${'0'.repeat(496)}`],
      ['%00', () => '%00'],
      ['a NUL inside an id', () => 'tkt_%00abc'],
      ['a percent-encoded unicode id', () => '%E2%9C%93'],
      ['a message id', () => 'msg_00000000000000000000000000'],
    ];

    it.each(ids)('GET /v1/tickets/:id with %s → 404', async (_name, id) => {
      const res = await api.get(`/v1/tickets/${id()}`);
      expectErrorBody(res, 404, 'NOT_FOUND');
      expectNoStackTrace(res);
    });

    it.each(ids)('PATCH /v1/tickets/:id with %s → 404', async (_name, id) => {
      const res = await api.patch(`/v1/tickets/${id()}`, { status: 'resolved', tags: ['hijacked'] });
      expectErrorBody(res, 404, 'NOT_FOUND');
      expectNoStackTrace(res);
    });

    it.each(ids)('POST /v1/tickets/:id/messages with %s → 404', async (_name, id) => {
      const res = await api.post(`/v1/tickets/${id()}/messages`, { text: 'hello' });
      expectErrorBody(res, 404, 'NOT_FOUND');
      expectNoStackTrace(res);
    });

    it("the other org's ticket is untouched by those attempts", async () => {
      const res = await otherApi.get(`/v1/tickets/${otherTicket.id}`);
      expect(res.statusCode, res.body).toBe(200);
      const stored = res.json<TicketJson>();
      expect(stored.status).toBe('open');
      expect(stored.tags).toEqual(['theirs']);
      expect(stored.messages).toHaveLength(1);
      expect(stored.updatedAt).toBe(otherTicket.updatedAt);
    });

    it('a real message id is not a ticket id', async () => {
      const posted = await api.post(`/v1/tickets/${ticket.id}/messages`, { text: 'a message' });
      expect(posted.statusCode, posted.body).toBe(201);
      expectErrorBody(await api.get(`/v1/tickets/${posted.json<{ id: string }>().id}`), 404, 'NOT_FOUND');
    });
  });

  describe('unknown routes are 404 JSON', () => {
    const routes: Array<['GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH', string, boolean]> = [
      ['GET', '/v1/nope', true],
      ['GET', '/v1/tickets/x/y/z', true],
      ['GET', '/v1/tickets/TICKET/attachments', true],
      // Another method on a path that exists is a 405 now: see v1-contract-edges.test.ts.
      ['GET', '/v2/tickets', true],
      ['GET', '/nope', false],
      ['GET', '/inboxes', false],
    ];
    it.each(routes)('%s %s → 404', async (method, url, withKey) => {
      const res = await t.app.inject({
        method,
        url: url.replace('TICKET', ticket.id),
        headers: withKey ? { authorization: `Bearer ${apiKey}` } : {},
      });
      expectErrorBody(res, 404, 'NOT_FOUND');
    });
  });

  describe('request bodies', () => {
    const malformed: Array<[string, string]> = [
      ['truncated JSON', '{"subject": "x",'],
      ['unquoted keys', '{subject: "x"}'],
      ['single quotes', "{'subject': 'x'}"],
      ['a bare word', 'hello'],
      ['two objects', '{}{}'],
    ];
    it.each(malformed)(
      'malformed JSON (%s) → 400 BAD_REQUEST on every body route',
      async (_name, payload) => {
        const headers = { 'content-type': 'application/json' };
        for (const res of [
          await api.post('/v1/tickets', payload, headers),
          await api.patch(`/v1/tickets/${ticket.id}`, payload, headers),
          await api.post(`/v1/tickets/${ticket.id}/messages`, payload, headers),
        ]) {
          expectErrorBody(res, 400, 'BAD_REQUEST');
          expectNoStackTrace(res);
        }
      },
    );

    it.each([
      ['an empty body', ''],
      ['null', 'null'],
      ['an array', '[]'],
      ['a string', '"text"'],
      ['a number', '42'],
    ])('%s as JSON → 400 BAD_REQUEST', async (_name, payload) => {
      const res = await api.post('/v1/tickets', payload, { 'content-type': 'application/json' });
      expectErrorBody(res, 400, 'BAD_REQUEST');
    });

    it('no body at all on POST → 400', async () => {
      expectErrorBody(await api.post('/v1/tickets'), 400, 'BAD_REQUEST');
      expectErrorBody(await api.post(`/v1/tickets/${ticket.id}/messages`), 400, 'BAD_REQUEST');
    });

    it.each([
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/xml',
      'multipart/form-data; boundary=x',
    ])('content type %s → 415 UNSUPPORTED_MEDIA_TYPE', async (contentType) => {
      const payload = JSON.stringify(ticketBody());
      const headers = { 'content-type': contentType };
      for (const res of [
        await api.post('/v1/tickets', payload, headers),
        await api.patch(`/v1/tickets/${ticket.id}`, JSON.stringify({ status: 'pending' }), headers),
        await api.post(`/v1/tickets/${ticket.id}/messages`, JSON.stringify({ text: 'hi' }), headers),
      ]) {
        expectErrorBody(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      }
    });

    it('JSON with a charset parameter is fine', async () => {
      const res = await api.post('/v1/tickets', JSON.stringify(ticketBody()), {
        'content-type': 'application/json; charset=utf-8',
      });
      expect(res.statusCode, res.body).toBe(201);
    });

    it('a body over 1 MiB → 413 PAYLOAD_TOO_LARGE on every body route, nothing stored', async () => {
      const big = 'x'.repeat(1024 * 1024 + 1);
      const before = (await api.get('/v1/tickets?per_page=1')).json<{ meta: { total: number } }>().meta.total;
      const headers = { 'content-type': 'application/json' };
      for (const res of [
        await api.post('/v1/tickets', JSON.stringify(ticketBody({ message: big })), headers),
        await api.patch(`/v1/tickets/${ticket.id}`, JSON.stringify({ tags: [big] }), headers),
        await api.post(`/v1/tickets/${ticket.id}/messages`, JSON.stringify({ text: big }), headers),
      ]) {
        expectErrorBody(res, 413, 'PAYLOAD_TOO_LARGE');
      }
      expect((await api.get('/v1/tickets?per_page=1')).json<{ meta: { total: number } }>().meta.total).toBe(
        before,
      );
      const stored = (await api.get(`/v1/tickets/${ticket.id}`)).json<TicketJson>();
      expect(stored.tags).toEqual(['mine']);
      expect(stored.messages!.every((m) => m.text.length < 1024 * 1024)).toBe(true);
    });

    it('unknown body fields → 400 naming the field, on every body route', async () => {
      expectFieldError(await api.post('/v1/tickets', { ...ticketBody(), extra: true }), 'extra');
      expectFieldError(
        await api.patch(`/v1/tickets/${ticket.id}`, { status: 'pending', extra: true }),
        'extra',
      );
      expectFieldError(
        await api.post(`/v1/tickets/${ticket.id}/messages`, { text: 'hi', extra: true }),
        'extra',
      );
      expect((await api.get(`/v1/tickets/${ticket.id}`)).json<TicketJson>().status).toBe('open');
    });

    it('validation errors name nested fields: customer.email', async () => {
      const res = await api.post('/v1/tickets', ticketBody({ customer: { name: 'No Email' } }));
      expectFieldError(res, 'customer.email');
    });

    it('JSON prototype-poisoning keys do not leak into anything', async () => {
      const payload =
        '{"subject":"Proto","message":"m","customer":{"email":"proto@example.com"},"__proto__":{"status":"resolved"}}';
      const res = await api.post('/v1/tickets', payload, { 'content-type': 'application/json' });
      // Either refused as an unknown field or accepted with the key ignored; never applied.
      expect([201, 400]).toContain(res.statusCode);
      if (res.statusCode === 201) expect(res.json<TicketJson>().status).toBe('open');
      expect(({} as Record<string, unknown>).status).toBeUndefined();
    });
  });

  describe('unknown query parameters → 400 naming them', () => {
    it('on GET /v1/tickets', async () => {
      expectFieldError(await api.get('/v1/tickets?foo=bar'), 'foo');
    });
    it('on GET /v1/tickets/:id', async () => {
      expectFieldError(await api.get(`/v1/tickets/${ticket.id}?foo=bar`), 'foo');
    });
    it('on POST /v1/tickets (nothing created)', async () => {
      const before = (await api.get('/v1/tickets?per_page=1')).json<{ meta: { total: number } }>().meta.total;
      expectFieldError(await api.post('/v1/tickets?foo=bar', ticketBody()), 'foo');
      expect((await api.get('/v1/tickets?per_page=1')).json<{ meta: { total: number } }>().meta.total).toBe(
        before,
      );
    });
    it('on PATCH /v1/tickets/:id', async () => {
      expectFieldError(await api.patch(`/v1/tickets/${ticket.id}?foo=bar`, { tags: ['mine'] }), 'foo');
    });
    it('on POST /v1/tickets/:id/messages', async () => {
      expectFieldError(await api.post(`/v1/tickets/${ticket.id}/messages?foo=bar`, { text: 'hi' }), 'foo');
    });
  });

  describe('5xx responses', () => {
    it('carry the error shape and no stack trace when the database fails', async () => {
      const broken = await startTestApp(dialect);
      try {
        const org = await newOrg(broken);
        const brokenApi = client(broken.app, org.apiKey);
        const created = await brokenApi.post('/v1/tickets', ticketBody());
        expect(created.statusCode, created.body).toBe(201);
        const db = broken.database.db.kysely;
        await sql`ALTER TABLE messages RENAME TO messages_moved_away`.execute(db);
        await sql`ALTER TABLE ticket_tags RENAME TO ticket_tags_moved_away`.execute(db);

        for (const res of [
          await brokenApi.get(`/v1/tickets/${created.json<TicketJson>().id}`),
          await brokenApi.get('/v1/tickets'),
          await brokenApi.post('/v1/tickets', ticketBody()),
          await brokenApi.post(`/v1/tickets/${created.json<TicketJson>().id}/messages`, { text: 'hi' }),
        ]) {
          expect(res.statusCode, res.body).toBeGreaterThanOrEqual(500);
          expect(res.statusCode).toBeLessThan(600);
          expect(res.headers['content-type']).toMatch(/^application\/json/);
          const body = res.json();
          expect(Object.keys(body)).toEqual(['error']);
          expect(Object.keys(body.error).sort()).toEqual(['code', 'details', 'message']);
          expect(body.error.code).toMatch(/^[A-Z_]+$/);
          expect(typeof body.error.message).toBe('string');
          expectNoStackTrace(res);
          // The database's own wording stays in the logs.
          expect(res.body).not.toMatch(/moved_away|no such table|relation .* does not exist|SQLITE|syntax/i);
        }
      } finally {
        await broken.close();
      }
    });
  });

  describe('authentication', () => {
    const routes = (): Array<[string, (c: Client) => Promise<LightMyRequestResponse>]> => [
      ['GET /v1/tickets', (c) => c.get('/v1/tickets')],
      ['GET /v1/tickets/:id', (c) => c.get(`/v1/tickets/${ticket.id}`)],
      ['POST /v1/tickets', (c) => c.post('/v1/tickets', ticketBody())],
      ['PATCH /v1/tickets/:id', (c) => c.patch(`/v1/tickets/${ticket.id}`, { status: 'pending' })],
      ['POST /v1/tickets/:id/messages', (c) => c.post(`/v1/tickets/${ticket.id}/messages`, { text: 'hi' })],
    ];

    it('no Authorization header → 401 UNAUTHORIZED on every route', async () => {
      for (const [name, call] of routes()) {
        const res = await call(client(t.app, undefined));
        expect(res.statusCode, name).toBe(401);
        expectErrorBody(res, 401, 'UNAUTHORIZED');
      }
    });

    it('an unknown key → 401 on every route', async () => {
      const unknown = `talki_sk_${randomBytes(24).toString('base64url')}`;
      for (const [name, call] of routes()) {
        const res = await call(client(t.app, unknown));
        expect(res.statusCode, name).toBe(401);
        expectErrorBody(res, 401, 'UNAUTHORIZED');
      }
    });

    const malformed: Array<[string, () => string]> = [
      ['the key without a scheme', () => apiKey],
      ['"Bearer" alone', () => 'Bearer'],
      ['"Bearer " with nothing after', () => 'Bearer '],
      ['Basic auth', () => `Basic ${Buffer.from(`user:${apiKey}`).toString('base64')}`],
      ['Token scheme', () => `Token ${apiKey}`],
      ['two tokens', () => `Bearer ${apiKey} ${apiKey}`],
      [
        'the key with a character changed',
        () => `Bearer ${apiKey.slice(0, -1)}${apiKey.endsWith('A') ? 'B' : 'A'}`,
      ],
      ['the key with a suffix', () => `Bearer ${apiKey}x`],
      ['the key truncated', () => `Bearer ${apiKey.slice(0, -2)}`],
      ['the key prefix only', () => 'Bearer talki_sk_'],
      ['an empty header', () => ''],
    ];
    it.each(malformed)('a malformed Authorization header (%s) → 401', async (_name, header) => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/v1/tickets',
        headers: { authorization: header() },
      });
      expectErrorBody(res, 401, 'UNAUTHORIZED');
    });

    it.each(['bearer', 'BEARER', 'BeArEr', 'Bearer'])(
      'the scheme is case-insensitive: "%s <key>" → 200',
      async (scheme) => {
        const res = await t.app.inject({
          method: 'GET',
          url: '/v1/tickets',
          headers: { authorization: `${scheme} ${apiKey}` },
        });
        expect(res.statusCode, res.body).toBe(200);
      },
    );

    it('a revoked key → 401 on every route (it worked before revocation)', async () => {
      const key = await createApiKey(t.database.db.kysely, {
        orgId,
        kind: 'secret',
        name: 'Soon revoked',
        scope: 'write',
      });
      const revocable = client(t.app, key.key);
      expect((await revocable.get('/v1/tickets')).statusCode).toBe(200);
      await revokeApiKey(t.database.db.kysely, key.id);
      for (const [name, call] of routes()) {
        const res = await call(revocable);
        expect(res.statusCode, name).toBe(401);
        expectErrorBody(res, 401, 'UNAUTHORIZED');
      }
    });

    it('a read-scope key can GET but not write (403 FORBIDDEN), and writes nothing', async () => {
      const key = await createApiKey(t.database.db.kysely, {
        orgId,
        kind: 'secret',
        name: 'Reader',
        scope: 'read',
      });
      const reader = client(t.app, key.key);
      const before = (await api.get(`/v1/tickets/${ticket.id}`)).json<TicketJson>();
      const total = (await api.get('/v1/tickets?per_page=1')).json<{ meta: { total: number } }>().meta.total;

      expect((await reader.get('/v1/tickets')).statusCode).toBe(200);
      const single = await reader.get(`/v1/tickets/${ticket.id}`);
      expect(single.statusCode).toBe(200);
      expect(single.json<TicketJson>()).toEqual(before);
      expect((await reader.get('/v1/tickets?status=open&sort=updated_desc')).statusCode).toBe(200);

      expectErrorBody(await reader.post('/v1/tickets', ticketBody()), 403, 'FORBIDDEN');
      expectErrorBody(
        await reader.patch(`/v1/tickets/${ticket.id}`, { status: 'resolved' }),
        403,
        'FORBIDDEN',
      );
      expectErrorBody(
        await reader.post(`/v1/tickets/${ticket.id}/messages`, { text: 'hi' }),
        403,
        'FORBIDDEN',
      );

      expect((await api.get(`/v1/tickets/${ticket.id}`)).json<TicketJson>()).toEqual(before);
      expect((await api.get('/v1/tickets?per_page=1')).json<{ meta: { total: number } }>().meta.total).toBe(
        total,
      );
    });

    it('the widget key on /v1 → 403 FORBIDDEN on every route', async () => {
      for (const [name, call] of routes()) {
        const res = await call(client(t.app, widgetKey));
        expect(res.statusCode, name).toBe(403);
        expectErrorBody(res, 403, 'FORBIDDEN');
      }
    });

    it('authentication comes first: no key + invalid body or unknown ticket → 401, not 400/404', async () => {
      const anonymous = client(t.app, undefined);
      expectErrorBody(await anonymous.post('/v1/tickets', { nonsense: true }), 401, 'UNAUTHORIZED');
      expectErrorBody(await anonymous.get('/v1/tickets/tkt_00000000000000000000000000'), 401, 'UNAUTHORIZED');
      expectErrorBody(await anonymous.get('/v1/tickets?status=bogus'), 401, 'UNAUTHORIZED');
      expectErrorBody(
        await anonymous.post('/v1/tickets', 'not json', { 'content-type': 'application/json' }),
        401,
        'UNAUTHORIZED',
      );
    });
  });

  describe('X-Request-Id', () => {
    it('echoes a plain id the caller sends, on success and on errors', async () => {
      for (const [url, key] of [
        ['/v1/tickets', apiKey],
        ['/v1/tickets/tkt_00000000000000000000000000', apiKey],
        ['/v1/tickets', undefined],
      ] as const) {
        const res = await client(t.app, key).get(url, { 'x-request-id': 'abc-123_XYZ.789' });
        expect(res.headers['x-request-id'], url).toBe('abc-123_XYZ.789');
      }
      const posted = await api.post('/v1/tickets', ticketBody(), { 'x-request-id': 'req-create-42' });
      expect(posted.statusCode).toBe(201);
      expect(posted.headers['x-request-id']).toBe('req-create-42');
    });

    it('generates one when none is sent, different per request', async () => {
      const a = await api.get('/v1/tickets');
      const b = await api.get('/v1/tickets');
      const anonymous = await client(t.app, undefined).get('/v1/tickets');
      for (const res of [a, b, anonymous]) {
        expect(typeof res.headers['x-request-id']).toBe('string');
        expect(String(res.headers['x-request-id']).length).toBeGreaterThan(0);
      }
      expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
    });

    it('replaces an id that is not plain text with a generated one', async () => {
      for (const unsafe of ['<script>alert(1)</script>', '{"json":"id"}', 'id; rm -rf /']) {
        const res = await api.get('/v1/tickets', { 'x-request-id': unsafe });
        expect(res.statusCode).toBe(200);
        const id = res.headers['x-request-id'];
        expect(typeof id).toBe('string');
        expect(String(id).length).toBeGreaterThan(0);
        expect(id).not.toBe(unsafe);
      }
    });
  });
});
