/**
 * The website widget's API under /widget/v1 over app.inject (and its socket over injectWS):
 * visitor sessions and signed identities, conversations and the messages a visitor may see,
 * who may read what, the email requirement, CORS per org, budgets, uploads, live agent replies
 * and the /widget.js snippet itself.
 */
import { createHash, createHmac } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { buildApp } from '../src/app.js';
import { publishAgentMessage } from '../src/channels/widget/widget.realtime.js';
import { loadConfig } from '../src/config.js';
import { MemoryRateLimiter } from '../src/http/rate-limit.memory.js';
import type { MessageView } from '../src/modules/messages/messages.schemas.js';
import { createOrg, type CreatedOrg } from '../src/modules/orgs/orgs.service.js';
import { MemoryBus } from '../src/realtime/bus.js';
import { client, type Client } from './support/app.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './support/databases.js';
import { expectErrorBody, expectFieldError } from './support/errors.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const IDENTITY_SECRET = 'widget-identity-secret-for-tests-0123456789';
const sign = (userId: string, secret = IDENTITY_SECRET) =>
  createHmac('sha256', secret).update(userId).digest('hex');

interface WidgetMessageJson {
  id: string;
  conversationId: string;
  role: 'customer' | 'agent';
  text: string;
  agentName?: string;
  attachments: Array<{ id: string; name: string; size: number; contentType: string; url: string }>;
  createdAt: string;
}
interface ConversationJson {
  id: string;
  code: string;
  subject: string;
  status: string;
  createdAt: string;
  updatedAt: string;
  messages: WidgetMessageJson[];
}
interface SessionJson {
  token: string;
  visitor: {
    id: string;
    userId: string | null;
    verified: boolean;
    name: string | null;
    email: string | null;
  };
  settings: { title: string; greeting: string; color: string; requireEmail: boolean };
}

/** A real multipart/form-data body, serialised by the platform's FormData. */
async function form(files: Array<{ name: string; bytes: Uint8Array | string }>) {
  const body = new FormData();
  for (const file of files) body.append('file', new Blob([file.bytes]), file.name);
  const serialised = new Response(body);
  return {
    payload: Buffer.from(await serialised.arrayBuffer()),
    contentType: serialised.headers.get('content-type')!,
  };
}

/** The first frame a socket receives (or its close code), within a second. */
function nextFrame(ws: WebSocket, ms = 1000): Promise<Record<string, unknown> | { closed: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no frame')), ms);
    const done = (value: Record<string, unknown> | { closed: number }) => {
      clearTimeout(timer);
      ws.off('message', onMessage);
      ws.off('close', onClose);
      resolve(value);
    };
    const onMessage = (data: unknown) => done(JSON.parse(String(data)) as Record<string, unknown>);
    const onClose = (code: number) => done({ closed: code });
    ws.on('message', onMessage);
    ws.on('close', onClose);
  });
}

describe.each(DIALECTS)('website widget (%s)', (dialect) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let bus: MemoryBus;
  let limiter: MemoryRateLimiter;
  let org: CreatedOrg;
  let admin: Client;
  let orgCount = 0;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const config = loadConfig({ ...database.env, LOG_LEVEL: 'silent', TALKI_UPLOAD_MAX_BYTES: '100000' });
    bus = new MemoryBus();
    limiter = new MemoryRateLimiter();
    app = await buildApp({ config, db: database.db, limiter, bus, logger: false });
    await app.ready();
    org = await makeOrg();
    admin = client(app, org.apiKey);
  });
  afterAll(async () => {
    await app?.close();
    await limiter?.close();
    await database?.drop();
  });

  function makeOrg(): Promise<CreatedOrg> {
    orgCount++;
    return createOrg(database.db.kysely, {
      name: `Widget Org ${orgCount}`,
      adminEmail: `admin${orgCount}.${Date.now()}@example.com`,
      adminName: 'Ada Admin',
    });
  }

  /** One widget request: the org's widget key, a visitor token and an Origin when given. */
  function widget(
    method: 'GET' | 'POST' | 'OPTIONS',
    url: string,
    options: {
      body?: unknown;
      token?: string;
      key?: string | null;
      origin?: string;
      ip?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? org.widgetKey : options.key;
    if (key !== null) headers['x-talki-widget-key'] = key;
    if (options.token) headers['x-talki-visitor-token'] = options.token;
    if (options.origin) headers.origin = options.origin;
    return app.inject({
      method,
      url: `/widget/v1${url}`,
      headers,
      ...(options.body === undefined ? {} : { payload: options.body as object }),
      ...(options.ip ? { remoteAddress: options.ip } : {}),
    });
  }

  async function session(body: Record<string, unknown> = {}, key?: string): Promise<SessionJson> {
    const res = await widget('POST', '/session', { body, ...(key ? { key } : {}) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<SessionJson>();
  }

  async function start(
    token: string,
    body: Record<string, unknown>,
    key?: string,
  ): Promise<ConversationJson> {
    const res = await widget('POST', '/conversations', { token, body, ...(key ? { key } : {}) });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<ConversationJson>();
  }

  async function patchWidget(changes: Record<string, unknown>, as: Client = admin) {
    const res = await as.patch('/v1/channels/widget', changes);
    expect(res.statusCode, res.body).toBe(200);
  }

  describe('sessions', () => {
    it('creates a visitor with a random token stored only as its hash, and resumes it', async () => {
      const first = await session();
      expect(first.token).toMatch(/^talki_vt_[A-Za-z0-9_-]{43}$/);
      expect(first.visitor).toEqual({
        id: expect.stringMatching(/^vis_/),
        userId: null,
        verified: false,
        name: null,
        email: null,
      });
      expect(first.settings).toEqual({
        title: 'Chat with us',
        greeting: 'Hi! How can we help?',
        color: '#4f46e5',
        requireEmail: false,
      });
      const row = await database.db.kysely
        .selectFrom('widget_visitors')
        .selectAll()
        .where('id', '=', first.visitor.id)
        .executeTakeFirstOrThrow();
      expect(row.token_hash).toBe(createHash('sha256').update(first.token).digest('hex'));
      expect(row.org_id).toBe(org.org.id);

      const again = await session({ visitorToken: first.token });
      expect(again.token).toBe(first.token);
      expect(again.visitor.id).toBe(first.visitor.id);

      const unknown = await session({ visitorToken: 'talki_vt_nope' });
      expect(unknown.token).not.toBe(first.token);
      expect(unknown.visitor.id).not.toBe(first.visitor.id);
    });

    it("never resumes another org's token, and records an unsigned userId only as a claim", async () => {
      const mine = await session();
      const other = await makeOrg();
      const theirs = await session({ visitorToken: mine.token }, other.widgetKey);
      expect(theirs.token).not.toBe(mine.token);

      const hinted = await session({ visitorId: 'user-42', identity: { userId: 'user-42' } });
      expect(hinted.visitor).toMatchObject({ userId: 'user-42', verified: false });
    });

    it('refuses secret keys (403) and unknown or missing keys (401); conversations need a visitor token', async () => {
      expectErrorBody(await widget('POST', '/session', { body: {}, key: org.apiKey }), 403, 'FORBIDDEN');
      expectErrorBody(
        await widget('POST', '/session', { body: {}, key: 'talki_pk_nope' }),
        401,
        'UNAUTHORIZED',
      );
      expectErrorBody(await widget('POST', '/session', { body: {}, key: null }), 401, 'UNAUTHORIZED');
      expectErrorBody(await widget('GET', '/conversations'), 401, 'UNAUTHORIZED');
      expectErrorBody(
        await widget('GET', '/conversations', { token: 'talki_vt_unknown' }),
        401,
        'UNAUTHORIZED',
      );
      const { token } = await session();
      expectErrorBody(await widget('GET', '/conversations', { token, key: org.apiKey }), 403, 'FORBIDDEN');
      expectFieldError(await widget('POST', '/session', { body: { visitorToken: 5 } }), 'visitorToken');
      expect((await widget('GET', '/settings')).json()).toMatchObject({ title: 'Chat with us' });
    });
  });

  describe('conversations', () => {
    it('starts a widget ticket with its customer, visible to agents over /v1', async () => {
      const { token } = await session();
      const conversation = await start(token, {
        text: 'My order never arrived',
        name: 'Wanda Visitor',
        email: 'wanda@example.com',
      });
      expect(conversation).toMatchObject({
        id: expect.stringMatching(/^tkt_/),
        code: expect.stringMatching(/^WIDGET-\d+$/),
        subject: 'My order never arrived',
        status: 'open',
      });
      expect(conversation.messages).toEqual([
        {
          id: expect.stringMatching(/^msg_/),
          conversationId: conversation.id,
          role: 'customer',
          text: 'My order never arrived',
          attachments: [],
          createdAt: expect.any(String),
        },
      ]);
      const list = await admin.get('/v1/tickets?channel=widget');
      const ticket = list.json().data.find((t: { id: string }) => t.id === conversation.id);
      expect(ticket).toMatchObject({
        channel: 'widget',
        subject: 'My order never arrived',
        customer: { name: 'Wanda Visitor', email: 'wanda@example.com' },
      });
      // The session now knows who the visitor is.
      expect((await session({ visitorToken: token })).visitor).toMatchObject({
        name: 'Wanda Visitor',
        email: 'wanda@example.com',
      });
    });

    it('shows customer and agent messages, never internal notes or the audit trail; polls with after', async () => {
      const { token } = await session();
      const conversation = await start(token, { text: 'Hello?', subject: 'Login trouble' });
      expect(conversation.subject).toBe('Login trouble');
      const sent = await widget('POST', `/conversations/${conversation.id}/messages`, {
        token,
        body: { text: 'Anyone there?' },
      });
      expect(sent.statusCode, sent.body).toBe(201);
      const mine = sent.json<WidgetMessageJson>();
      expect(mine).toMatchObject({
        role: 'customer',
        text: 'Anyone there?',
        conversationId: conversation.id,
      });

      const note = await admin.post(`/v1/tickets/${conversation.id}/messages`, {
        text: 'Internal: check the logs',
        internal: true,
      });
      expect(note.statusCode, note.body).toBe(201);
      const reply = await admin.post(`/v1/tickets/${conversation.id}/messages`, { text: 'We are on it!' });
      expect(reply.statusCode, reply.body).toBe(201);
      expect((await admin.patch(`/v1/tickets/${conversation.id}`, { status: 'resolved' })).statusCode).toBe(
        200,
      );

      const polled = await widget('GET', `/conversations/${conversation.id}/messages?after=${mine.id}`, {
        token,
      });
      expect(polled.statusCode, polled.body).toBe(200);
      expect(polled.json().data).toEqual([
        {
          id: reply.json().id,
          conversationId: conversation.id,
          role: 'agent',
          text: 'We are on it!',
          agentName: expect.any(String),
          attachments: [],
          createdAt: reply.json().createdAt,
        },
      ]);
      const full = (
        await widget('GET', `/conversations/${conversation.id}`, { token })
      ).json<ConversationJson>();
      expect(full.status).toBe('resolved');
      expect(full.messages.map((m) => m.text)).toEqual(['Hello?', 'Anyone there?', 'We are on it!']);
      expect(JSON.stringify(full)).not.toContain('Internal');
      const all = (await widget('GET', `/conversations/${conversation.id}/messages`, { token })).json();
      expect(all.data.map((m: WidgetMessageJson) => m.text)).toEqual([
        'Hello?',
        'Anyone there?',
        'We are on it!',
      ]);

      // Writing again reopens it.
      await widget('POST', `/conversations/${conversation.id}/messages`, { token, body: { text: 'Thanks' } });
      expect((await widget('GET', `/conversations/${conversation.id}`, { token })).json().status).toBe(
        'open',
      );
      expectFieldError(
        await widget('POST', `/conversations/${conversation.id}/messages`, { token, body: { text: '  ' } }),
        'text',
      );
    });

    it('starts a session without a body, and refuses a polling cursor that names nothing', async () => {
      const bare = await widget('POST', '/session');
      expect(bare.statusCode, bare.body).toBe(200);
      const token = bare.json<SessionJson>().token;
      const conversation = await start(token, { text: 'Hello?' });
      const bogus = await widget('GET', `/conversations/${conversation.id}/messages?after=msg_bogus`, {
        token,
      });
      expect(bogus.statusCode).toBe(400);
      expect(bogus.json().error.details.fields[0].field).toBe('after');
      const first = conversation.messages[0]!.id;
      const fine = await widget('GET', `/conversations/${conversation.id}/messages?after=${first}`, {
        token,
      });
      expect(fine.statusCode).toBe(200);
      expect(fine.json().data).toEqual([]);
    });

    it("hides a visitor's conversations from every other visitor (404)", async () => {
      const a = await session();
      const b = await session();
      const conversation = await start(a.token, { text: 'Private question' });
      for (const res of [
        await widget('GET', `/conversations/${conversation.id}`, { token: b.token }),
        await widget('GET', `/conversations/${conversation.id}/messages`, { token: b.token }),
        await widget('POST', `/conversations/${conversation.id}/messages`, {
          token: b.token,
          body: { text: 'hi' },
        }),
      ]) {
        expectErrorBody(res, 404, 'NOT_FOUND');
      }
      expect((await widget('GET', '/conversations', { token: b.token })).json().data).toEqual([]);
      // Nor does another org's visitor see it, whatever id it asks for.
      const other = await makeOrg();
      const stranger = await session({}, other.widgetKey);
      expectErrorBody(
        await widget('GET', `/conversations/${conversation.id}`, {
          token: stranger.token,
          key: other.widgetKey,
        }),
        404,
        'NOT_FOUND',
      );
      expectErrorBody(await widget('GET', '/conversations/nonsense', { token: a.token }), 404, 'NOT_FOUND');
    });

    it('lets a returning visitor list past conversations, newest first, with their latest message', async () => {
      const { token } = await session();
      const first = await start(token, { text: 'First question' });
      const second = await start(token, { text: 'Second question' });
      await admin.post(`/v1/tickets/${first.id}/messages`, { text: 'Answer to the first' });

      const returning = await session({ visitorToken: token });
      const list = await widget('GET', '/conversations', { token: returning.token });
      expect(list.statusCode, list.body).toBe(200);
      const body = list.json();
      expect(body.data.map((c: { id: string }) => c.id)).toEqual([second.id, first.id]);
      expect(body.data[1].lastMessage).toMatchObject({ role: 'agent', text: 'Answer to the first' });
      expect(body.data[0].lastMessage).toMatchObject({ role: 'customer', text: 'Second question' });
      expect(body.meta).toEqual({ limit: 20, nextCursor: null });
      const page = (await widget('GET', '/conversations?limit=1', { token })).json();
      expect(page.meta.nextCursor).toBe(second.id);
      const rest = (
        await widget('GET', `/conversations?limit=1&startingAfter=${second.id}`, { token })
      ).json();
      expect(rest.data.map((c: { id: string }) => c.id)).toEqual([first.id]);
      // Both went to the customer this visitor became with its first message.
      const tickets = (await admin.get('/v1/tickets?channel=widget&per_page=100')).json().data;
      const owners = new Set(
        tickets
          .filter((t: { id: string }) => [first.id, second.id].includes(t.id))
          .map((t: { customer: { id: string } }) => t.customer.id),
      );
      expect(owners.size).toBe(1);
    });

    it("does not open someone's conversations to a visitor who types their email address", async () => {
      const owner = await session();
      const theirs = await start(owner.token, {
        text: 'My account number is 1234',
        email: 'victim@example.com',
      });
      const impostor = await session();
      const mine = await start(impostor.token, { text: 'Hi', email: 'VICTIM@example.com' });
      // A typed address proves nothing: the ticket is not filed under that customer…
      const tickets = (await admin.get('/v1/tickets?channel=widget&per_page=100')).json().data;
      const customerOf = (id: string) => tickets.find((t: { id: string }) => t.id === id).customer.id;
      expect(customerOf(mine.id)).not.toBe(customerOf(theirs.id));
      // …but the impostor sees only what it wrote, and learns nothing about the customer.
      const list = (await widget('GET', '/conversations', { token: impostor.token })).json();
      expect(list.data.map((c: { id: string }) => c.id)).toEqual([mine.id]);
      expectErrorBody(
        await widget('GET', `/conversations/${theirs.id}`, { token: impostor.token }),
        404,
        'NOT_FOUND',
      );
      // (it is shown back only the address it typed itself)
      expect((await session({ visitorToken: impostor.token })).visitor).toMatchObject({
        name: null,
        email: 'VICTIM@example.com',
      });
      // The owner still sees its conversation (and not the impostor's).
      const ownerList = (await widget('GET', '/conversations', { token: owner.token })).json();
      expect(ownerList.data.map((c: { id: string }) => c.id)).toEqual([theirs.id]);
    });
  });

  describe('signed identities', () => {
    let signed: CreatedOrg;
    let signedAdmin: Client;

    beforeAll(async () => {
      signed = await makeOrg();
      signedAdmin = client(app, signed.apiKey);
      await patchWidget({ identitySecret: IDENTITY_SECRET }, signedAdmin);
    });

    it('links two browsers of the same user to one customer; a wrong signature is 401', async () => {
      const userId = `user-${Date.now()}`;
      const laptop = await session({ identity: { userId, signature: sign(userId) } }, signed.widgetKey);
      expect(laptop.visitor).toMatchObject({ userId, verified: true });
      const conversation = await start(laptop.token, { text: 'From my laptop' }, signed.widgetKey);

      const phone = await session({ identity: { userId, signature: sign(userId) } }, signed.widgetKey);
      expect(phone.token).not.toBe(laptop.token);
      const list = await widget('GET', '/conversations', { token: phone.token, key: signed.widgetKey });
      expect(list.json().data.map((c: { id: string }) => c.id)).toEqual([conversation.id]);
      const read = await widget('GET', `/conversations/${conversation.id}`, {
        token: phone.token,
        key: signed.widgetKey,
      });
      expect(read.statusCode, read.body).toBe(200);
      const tickets = (await client(app, signed.apiKey).get('/v1/tickets?channel=widget')).json().data;
      expect(tickets.find((t: { id: string }) => t.id === conversation.id).customer.userId).toBe(userId);

      const forged = await widget('POST', '/session', {
        key: signed.widgetKey,
        body: { identity: { userId, signature: sign(userId, 'another-secret-that-is-long-enough') } },
      });
      expectErrorBody(forged, 401, 'INVALID_IDENTITY');
      expectErrorBody(
        await widget('POST', '/session', {
          key: signed.widgetKey,
          body: { identity: { userId, signature: 'zz' } },
        }),
        401,
        'INVALID_IDENTITY',
      );

      // Unsigned, the same userId is only a claim: a visitor who sees nothing of the user's.
      const claimed = await session({ identity: { userId } }, signed.widgetKey);
      expect(claimed.visitor).toMatchObject({ userId, verified: false });
      const seen = await widget('GET', '/conversations', { token: claimed.token, key: signed.widgetKey });
      expect(seen.json().data).toEqual([]);
      // A signed-in user's token is not resumed once the page says nobody is signed in.
      const loggedOut = await session({ visitorToken: laptop.token }, signed.widgetKey);
      expect(loggedOut.token).not.toBe(laptop.token);
      expect(loggedOut.visitor.userId).toBeNull();
    });

    it('files a verified user’s conversation under their userId, with the address they give', async () => {
      const userId = `buyer-${Date.now()}`;
      const visitor = await session({ identity: { userId, signature: sign(userId) } }, signed.widgetKey);
      const conversation = await start(
        visitor.token,
        { text: 'Hi', name: 'Bea Buyer', email: 'bea@example.com' },
        signed.widgetKey,
      );
      const ticket = (await signedAdmin.get(`/v1/tickets/${conversation.id}`)).json();
      expect(ticket.customer).toMatchObject({ userId, name: 'Bea Buyer', email: 'bea@example.com' });
      expect(
        (
          await session(
            { visitorToken: visitor.token, identity: { userId, signature: sign(userId) } },
            signed.widgetKey,
          )
        ).visitor,
      ).toMatchObject({
        userId,
        verified: true,
        name: 'Bea Buyer',
        email: 'bea@example.com',
      });
    });

    it('never files an unverified visitor under a verified user by their typed address', async () => {
      const userId = `owner-${Date.now()}`;
      const email = `owner.${Date.now()}@example.com`;
      const owner = await session({ identity: { userId, signature: sign(userId) } }, signed.widgetKey);
      const real = await start(owner.token, { text: 'My real question', email }, signed.widgetKey);
      const stranger = await session({}, signed.widgetKey);
      const fake = await start(
        stranger.token,
        { text: 'I am the owner', email, name: 'Mallory' },
        signed.widgetKey,
      );
      const realTicket = (await signedAdmin.get(`/v1/tickets/${real.id}`)).json();
      const fakeTicket = (await signedAdmin.get(`/v1/tickets/${fake.id}`)).json();
      expect(realTicket.customer).toMatchObject({ userId, email });
      expect(fakeTicket.customer.id).not.toBe(realTicket.customer.id);
      expect(fakeTicket.customer).toMatchObject({ email: null, name: 'Mallory' });
      expect(fakeTicket.customer.userId ?? null).toBeNull();
      const again = await session({ identity: { userId, signature: sign(userId) } }, signed.widgetKey);
      const listed = await widget('GET', '/conversations', { token: again.token, key: signed.widgetKey });
      expect(listed.json().data.map((c: { id: string }) => c.id)).toEqual([real.id]);
    });

    it('refuses unsigned userIds when signed identities are required', async () => {
      await patchWidget({ requireSignedIdentity: true }, signedAdmin);
      expectErrorBody(
        await widget('POST', '/session', { key: signed.widgetKey, body: { identity: { userId: 'u1' } } }),
        401,
        'INVALID_IDENTITY',
      );
      // Anonymous visitors are still welcome.
      expect((await session({}, signed.widgetKey)).visitor.userId).toBeNull();
      await patchWidget({ requireSignedIdentity: false }, signedAdmin);
    });
  });

  describe('settings', () => {
    it('asks for an email address when the widget requires one', async () => {
      const strict = await makeOrg();
      const strictAdmin = client(app, strict.apiKey);
      await patchWidget(
        { requireEmail: true, title: 'Help', greeting: 'Ask away', color: '#112233' },
        strictAdmin,
      );
      const settings = await widget('GET', '/settings', { key: strict.widgetKey });
      expect(settings.json()).toEqual({
        title: 'Help',
        greeting: 'Ask away',
        color: '#112233',
        requireEmail: true,
      });
      const { token } = await session({}, strict.widgetKey);
      expectFieldError(
        await widget('POST', '/conversations', { token, key: strict.widgetKey, body: { text: 'Hi' } }),
        'email',
      );
      expectFieldError(
        await widget('POST', '/conversations', {
          token,
          key: strict.widgetKey,
          body: { text: 'Hi', email: 'not-an-email' },
        }),
        'email',
      );
      const ok = await start(token, { text: 'Hi', email: 'asker@example.com' }, strict.widgetKey);
      expect(ok.status).toBe('open');
      // Once the visitor has given it, the next conversation needs no address again.
      await start(token, { text: 'Me again' }, strict.widgetKey);

      await patchWidget({ enabled: false }, strictAdmin);
      expectErrorBody(
        await widget('POST', '/session', { key: strict.widgetKey, body: {} }),
        403,
        'FORBIDDEN',
      );
    });
  });

  describe('CORS', () => {
    let shop: CreatedOrg;

    beforeAll(async () => {
      shop = await makeOrg();
      await patchWidget(
        { allowedOrigins: ['https://shop.example', 'http://localhost:8080'] },
        client(app, shop.apiKey),
      );
    });

    it('echoes an allowed origin and refuses others with 403 before doing anything', async () => {
      const allowed = await widget('POST', '/session', {
        key: shop.widgetKey,
        body: {},
        origin: 'https://shop.example',
      });
      expect(allowed.statusCode, allowed.body).toBe(200);
      expect(allowed.headers['access-control-allow-origin']).toBe('https://shop.example');
      expect(String(allowed.headers.vary)).toMatch(/Origin/);
      const token = allowed.json<SessionJson>().token;
      expect(
        (
          await widget('GET', '/conversations', {
            key: shop.widgetKey,
            token,
            origin: 'http://localhost:8080',
          })
        ).headers['access-control-allow-origin'],
      ).toBe('http://localhost:8080');

      const count = async () =>
        Number(
          (
            await database.db.kysely
              .selectFrom('widget_visitors')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('org_id', '=', shop.org.id)
              .executeTakeFirstOrThrow()
          ).n,
        );
      const before = await count();
      for (const origin of [
        'https://evil.example',
        'http://shop.example',
        'https://shop.example:8443',
        'null',
      ]) {
        const refused = await widget('POST', '/session', { key: shop.widgetKey, body: {}, origin });
        expectErrorBody(refused, 403, 'ORIGIN_NOT_ALLOWED');
        expect(refused.headers['access-control-allow-origin']).toBeUndefined();
      }
      const write = await widget('POST', '/conversations', {
        key: shop.widgetKey,
        token,
        body: { text: 'sneaky' },
        origin: 'https://evil.example',
      });
      expectErrorBody(write, 403, 'ORIGIN_NOT_ALLOWED');
      expect(await count()).toBe(before);
      expect((await widget('GET', '/conversations', { key: shop.widgetKey, token })).json().data).toEqual([]);
      // The default port is the same origin.
      expect(
        (await widget('GET', '/settings', { key: shop.widgetKey, origin: 'https://shop.example:443' }))
          .statusCode,
      ).toBe(200);
      // An org that lists no origins takes any.
      const open = await widget('GET', '/settings', { origin: 'https://anywhere.example' });
      expect(open.headers['access-control-allow-origin']).toBe('https://anywhere.example');
    });

    it('answers preflights for the methods and headers the widget sends', async () => {
      const res = await widget('OPTIONS', '/conversations', {
        key: null,
        origin: 'https://shop.example',
        headers: {
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-talki-widget-key,x-talki-visitor-token',
        },
      });
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('https://shop.example');
      expect(String(res.headers['access-control-allow-methods'])).toMatch(/GET, POST, OPTIONS/);
      for (const header of ['Authorization', 'Content-Type', 'X-Talki-Widget-Key', 'X-Talki-Visitor-Token']) {
        expect(String(res.headers['access-control-allow-headers'])).toContain(header);
      }
    });
  });

  it('limits each visitor to 30 messages a minute (429 with Retry-After), others unaffected', async () => {
    const { token } = await session();
    const conversation = await start(token, { text: 'one' });
    let res: LightMyRequestResponse | undefined;
    let sent = 1;
    while (sent < 40) {
      res = await widget('POST', `/conversations/${conversation.id}/messages`, {
        token,
        body: { text: `n${sent}` },
      });
      if (res.statusCode !== 201) break;
      sent++;
    }
    expect(sent).toBe(30);
    expectErrorBody(res!, 429, 'TOO_MANY_REQUESTS');
    expect(Number(res!.headers['retry-after'])).toBeGreaterThan(0);
    expectErrorBody(
      await widget('POST', '/conversations', { token, body: { text: 'new' } }),
      429,
      'TOO_MANY_REQUESTS',
    );
    // Reading is not limited by it, and another visitor writes freely.
    expect((await widget('GET', `/conversations/${conversation.id}`, { token })).statusCode).toBe(200);
    const other = await session();
    await start(other.token, { text: 'fine' });
  });

  describe('uploads', () => {
    async function upload(token: string, files: Array<{ name: string; bytes: Uint8Array | string }>) {
      const body = await form(files);
      return app.inject({
        method: 'POST',
        url: '/widget/v1/uploads',
        headers: {
          'x-talki-widget-key': org.widgetKey,
          'x-talki-visitor-token': token,
          'content-type': body.contentType,
        },
        payload: body.payload,
      });
    }

    it('uploads files, attaches them, and serves them only to who may see them', async () => {
      const a = await session();
      const b = await session();
      const res = await upload(a.token, [{ name: 'shot.png', bytes: PNG }]);
      expect(res.statusCode, res.body).toBe(201);
      const [file] = res.json().data;
      expect(file).toEqual({
        id: expect.stringMatching(/^upl_/),
        name: 'shot.png',
        size: PNG.length,
        contentType: 'image/png',
        url: `/widget/v1/uploads/${file.id}/content`,
      });
      // Another visitor can neither attach it nor download it.
      expectFieldError(
        await widget('POST', '/conversations', {
          token: b.token,
          body: { text: 'x', attachments: [file.id] },
        }),
        'attachments',
      );
      expectErrorBody(
        await widget('GET', `/uploads/${file.id}/content`, { token: b.token }),
        404,
        'NOT_FOUND',
      );

      const conversation = await start(a.token, { text: 'See attached', attachments: [file.id] });
      expect(conversation.messages[0]!.attachments).toEqual([file]);
      const download = await widget('GET', `/uploads/${file.id}/content`, { token: a.token });
      expect(download.statusCode).toBe(200);
      expect(download.rawPayload.equals(PNG)).toBe(true);
      expect(download.headers['x-content-type-options']).toBe('nosniff');
      expect(download.headers['content-security-policy']).toContain('sandbox');
      expectFieldError(
        await widget('POST', `/conversations/${conversation.id}/messages`, {
          token: a.token,
          body: { text: 'again', attachments: [file.id] },
        }),
        'attachments',
      );

      // Agents' files: those on replies are the visitor's to download, those on notes are not.
      const replyFile = (await uploadAsAgent('reply.txt')).id;
      const noteFile = (await uploadAsAgent('note.txt')).id;
      await admin.post(`/v1/tickets/${conversation.id}/messages`, { text: 'Here', attachments: [replyFile] });
      await admin.post(`/v1/tickets/${conversation.id}/messages`, {
        text: 'Note',
        internal: true,
        attachments: [noteFile],
      });
      const messages = (await widget('GET', `/conversations/${conversation.id}`, { token: a.token })).json();
      expect(messages.messages.at(-1).attachments[0]).toMatchObject({
        id: replyFile,
        url: `/widget/v1/uploads/${replyFile}/content`,
      });
      expect((await widget('GET', `/uploads/${replyFile}/content`, { token: a.token })).body).toBe(
        'agent file',
      );
      expectErrorBody(
        await widget('GET', `/uploads/${noteFile}/content`, { token: a.token }),
        404,
        'NOT_FOUND',
      );
      expectErrorBody(
        await widget('GET', `/uploads/${replyFile}/content`, { token: b.token }),
        404,
        'NOT_FOUND',
      );

      expectErrorBody(
        await upload(a.token, [{ name: 'big.bin', bytes: Buffer.alloc(200_000) }]),
        413,
        'PAYLOAD_TOO_LARGE',
      );
    });

    async function uploadAsAgent(name: string) {
      const body = await form([{ name, bytes: 'agent file' }]);
      const res = await app.inject({
        method: 'POST',
        url: '/v1/uploads',
        headers: { authorization: `Bearer ${org.apiKey}`, 'content-type': body.contentType },
        payload: body.payload,
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ data: Array<{ id: string }> }>().data[0]!;
    }
  });

  describe('live socket', () => {
    const auth = (ws: WebSocket, key: string, token: string) =>
      ws.send(JSON.stringify({ type: 'auth', key, token }));

    it('sends agent replies on the visitor’s conversations after an auth frame, and nothing else', async () => {
      const a = await session();
      const b = await session();
      const conversation = await start(a.token, { text: 'Live?' });
      const ws = await app.injectWS('/widget/v1/ws');
      const other = await app.injectWS('/widget/v1/ws');
      try {
        const ready = nextFrame(ws);
        auth(ws, org.widgetKey, a.token);
        expect(await ready).toEqual({ type: 'ready' });
        const otherReady = nextFrame(other);
        auth(other, org.widgetKey, b.token);
        expect(await otherReady).toEqual({ type: 'ready' });

        const reply = await admin.post(`/v1/tickets/${conversation.id}/messages`, { text: 'Live reply' });
        const customerId = (await admin.get(`/v1/tickets/${conversation.id}`)).json().customer.id;
        const note: MessageView = {
          ...reply.json<MessageView>(),
          id: 'msg_note',
          internal: true,
          text: 'secret',
        };
        const frame = nextFrame(ws);
        const otherFrame = nextFrame(other, 300).catch(() => 'nothing');
        await publishAgentMessage(bus, {
          orgId: org.org.id,
          customerId,
          ticketId: conversation.id,
          message: note,
          agentName: 'Support',
        });
        await publishAgentMessage(bus, {
          orgId: org.org.id,
          customerId,
          ticketId: conversation.id,
          message: reply.json<MessageView>(),
          agentName: 'Support',
        });
        expect(await frame).toEqual({
          type: 'message',
          conversationId: conversation.id,
          message: {
            id: reply.json().id,
            conversationId: conversation.id,
            role: 'agent',
            text: 'Live reply',
            agentName: expect.any(String),
            attachments: [],
            createdAt: reply.json().createdAt,
          },
        });
        expect(await otherFrame).toBe('nothing');
      } finally {
        ws.terminate();
        other.terminate();
      }
    });

    it('closes with 4401 on a bad key or token and 4403 for a page on a foreign origin', async () => {
      const { token } = await session();
      for (const [key, visitorToken] of [
        [org.apiKey, token],
        ['talki_pk_nope', token],
        [org.widgetKey, 'talki_vt_nope'],
      ] as const) {
        const ws = await app.injectWS('/widget/v1/ws');
        const closed = nextFrame(ws);
        auth(ws, key, visitorToken);
        expect(await closed).toEqual({ closed: 4401 });
      }
      const garbage = await app.injectWS('/widget/v1/ws');
      const ignored = nextFrame(garbage, 300).catch(() => 'nothing');
      garbage.send('not json');
      expect(await ignored).toBe('nothing');
      garbage.terminate();

      const shop = await makeOrg();
      await patchWidget({ allowedOrigins: ['https://shop.example'] }, client(app, shop.apiKey));
      const shopVisitor = await session({}, shop.widgetKey);
      const foreign = await app.injectWS('/widget/v1/ws', { headers: { origin: 'https://evil.example' } });
      const refused = nextFrame(foreign);
      auth(foreign, shop.widgetKey, shopVisitor.token);
      expect(await refused).toEqual({ closed: 4403 });
      const home = await app.injectWS('/widget/v1/ws', { headers: { origin: 'https://shop.example' } });
      const ready = nextFrame(home);
      auth(home, shop.widgetKey, shopVisitor.token);
      expect(await ready).toEqual({ type: 'ready' });
      home.terminate();
    });
  });

  describe('/widget.js', () => {
    it('serves the snippet as cacheable JavaScript under 40 KB gzipped', async () => {
      const res = await app.inject({ method: 'GET', url: '/widget.js' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/javascript; charset=utf-8');
      expect(res.headers['cache-control']).toMatch(/max-age=\d+/);
      const etag = String(res.headers.etag);
      expect(etag).toMatch(/^"[^"]+"$/);
      expect(res.body).toContain('TalkiConfig');
      expect(gzipSync(res.rawPayload).length).toBeLessThan(40 * 1024);

      const again = await app.inject({
        method: 'GET',
        url: '/widget.js',
        headers: { 'if-none-match': etag },
      });
      expect(again.statusCode).toBe(304);
      const gzipped = await app.inject({
        method: 'GET',
        url: '/widget.js',
        headers: { 'accept-encoding': 'gzip, br' },
      });
      expect(gzipped.headers['content-encoding']).toBe('gzip');
      expect(gzipped.rawPayload.length).toBeLessThan(40 * 1024);
      expect(gzipped.headers.etag).not.toBe(etag);
    });
  });
});
