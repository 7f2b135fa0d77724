/**
 * Who answered and who is writing, over HTTP: replies by an API key reach the customer under
 * the org's support name (never the key's label) while agents' replies carry the agent's name;
 * unsigned widget identities (identity.userId, the older visitorId) are recorded as claimed
 * userIds, marked unverified, and neither they nor a typed email ever attach a visitor to an
 * existing customer. The live socket frame (what the widget's onAgentMessage gets) is checked
 * against a real `talki serve` process with its job worker.
 */
import { createHmac } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createOrg, type CreatedOrg } from '../src/modules/orgs/orgs.service.js';
import { addAgent, agentClient, expectFieldError, session as agentSession } from './support/agents.js';
import { client, newOrg, startTestApp, type Client, type TestApp } from './support/app.js';
import { createTestDatabase, DIALECTS } from './support/databases.js';
import { expectErrorBody } from './support/errors.js';
import { startServer } from './support/processes.js';

const SECRET = 'identity-test-secret-0123456789abcdef';
const sign = (userId: string) => createHmac('sha256', SECRET).update(userId).digest('hex');

interface Visitor {
  token: string;
  visitor: { id: string; userId: string | null; verified: boolean; email: string | null };
}

describe.each(DIALECTS)('who answered, who is writing (%s)', (dialect) => {
  let t: TestApp;
  let org: CreatedOrg;
  let admin: Client;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    org = await newOrg(t, 'Acme Inc');
    admin = client(t.app, org.apiKey);
    expect((await admin.patch('/v1/channels/widget', { identitySecret: SECRET })).statusCode).toBe(200);
  });
  afterAll(() => t.close());

  function widget(
    method: 'GET' | 'POST',
    url: string,
    options: { token?: string; body?: unknown; key?: string } = {},
  ): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { 'x-talki-widget-key': options.key ?? org.widgetKey };
    if (options.token) headers['x-talki-visitor-token'] = options.token;
    return t.app.inject({
      method,
      url: `/widget/v1${url}`,
      headers,
      ...(options.body === undefined ? {} : { payload: options.body as object }),
    });
  }

  async function visit(body: Record<string, unknown> = {}, key?: string): Promise<Visitor> {
    const res = await widget('POST', '/session', { body, ...(key ? { key } : {}) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Visitor>();
  }

  async function start(visitor: Visitor, body: Record<string, unknown>, key?: string) {
    const res = await widget('POST', '/conversations', {
      token: visitor.token,
      body,
      ...(key ? { key } : {}),
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string; messages: Array<{ role: string; agentName?: string }> }>();
  }

  async function ticketCustomer(ticketId: string, as: Client = admin) {
    const res = await as.get(`/v1/tickets/${ticketId}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ customer: Record<string, unknown> & { id: string } }>().customer;
  }

  async function customer(id: string, as: Client = admin) {
    const res = await as.get(`/v1/customers/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Record<string, unknown>>();
  }

  /** The agent names the visitor sees on a conversation, by every read the widget makes. */
  async function shownNames(visitor: Visitor, ticketId: string): Promise<string[]> {
    const full = (await widget('GET', `/conversations/${ticketId}`, { token: visitor.token })).json();
    const polled = (
      await widget('GET', `/conversations/${ticketId}/messages`, { token: visitor.token })
    ).json();
    const listed = (await widget('GET', '/conversations', { token: visitor.token })).json();
    const names = (messages: Array<{ role: string; agentName?: string }>) =>
      messages.filter((m) => m.role === 'agent').map((m) => m.agentName ?? '(none)');
    const last = listed.data.find((c: { id: string }) => c.id === ticketId).lastMessage;
    expect(names(polled.data)).toEqual(names(full.messages));
    if (last.role === 'agent') expect(last.agentName).toBe(names(full.messages).at(-1));
    return names(full.messages);
  }

  describe('who answered', () => {
    it("shows the org's support name, not the API key's name, on replies sent with a key", async () => {
      const visitor = await visit();
      const conversation = await start(visitor, { text: 'Where is my parcel?' });
      const reply = await admin.post(`/v1/tickets/${conversation.id}/messages`, { text: 'On its way' });
      expect(reply.statusCode, reply.body).toBe(201);
      // Agents still see which credential answered, as the v1 API has always said.
      expect(reply.json().agentName).toBe('Default key');
      expect(await shownNames(visitor, conversation.id)).toEqual(['Acme Inc']);
      expect(
        JSON.stringify(
          (await widget('GET', `/conversations/${conversation.id}`, { token: visitor.token })).json(),
        ),
      ).not.toContain('Default key');

      // The org's setting applies to past replies too; null goes back to the org's name.
      const set = await admin.patch('/v1/org', { supportName: '  Acme Help Desk ' });
      expect(set.statusCode, set.body).toBe(200);
      expect(set.json().supportName).toBe('Acme Help Desk');
      expect((await admin.get('/v1/org')).json().supportName).toBe('Acme Help Desk');
      expect(await shownNames(visitor, conversation.id)).toEqual(['Acme Help Desk']);
      const events = (await admin.get('/v1/events?types=org.updated')).json().data;
      expect(events.at(-1).data.changes).toEqual({
        supportName: { from: 'Acme Inc', to: 'Acme Help Desk' },
      });

      const reset = await admin.patch('/v1/org', { supportName: null, name: 'Acme Corp' });
      expect(reset.json()).toMatchObject({ name: 'Acme Corp', supportName: 'Acme Corp' });
      expect(await shownNames(visitor, conversation.id)).toEqual(['Acme Corp']);
      await admin.patch('/v1/org', { name: 'Acme Inc' });
    });

    it("shows an agent's own name on the agent's replies", async () => {
      const agent = await addAgent(admin, { name: 'Bob Builder' });
      const bob = agentClient(t.app, (await agentSession(t.app, agent.email)).accessToken);
      const visitor = await visit();
      const conversation = await start(visitor, { text: 'Hello' });
      expect(
        (await bob.post(`/v1/tickets/${conversation.id}/messages`, { text: 'Hi, Bob here' })).statusCode,
      ).toBe(201);
      expect(
        (await admin.post(`/v1/tickets/${conversation.id}/messages`, { text: 'Automated' })).statusCode,
      ).toBe(201);
      expect(await shownNames(visitor, conversation.id)).toEqual(['Bob Builder', 'Acme Inc']);
    });

    it('rejects a blank, too long or non-text support name, changing nothing', async () => {
      const before = (await admin.get('/v1/org')).json();
      for (const bad of ['', '   ', 'x'.repeat(101), 42]) {
        expectFieldError(await admin.patch('/v1/org', { supportName: bad }), 'supportName');
      }
      expect((await admin.get('/v1/org')).json()).toEqual(before);
    });
  });

  describe('who is writing', () => {
    it('records an unsigned identity.userId as a claimed, unverified userId on its own customer', async () => {
      const userId = `usr_claim_${Date.now()}`;
      const visitor = await visit({ identity: { userId } });
      expect(visitor.visitor).toMatchObject({ userId, verified: false });
      const conversation = await start(visitor, { text: 'Hi, I am a logged-in user' });
      const owner = await ticketCustomer(conversation.id);
      expect(owner).toMatchObject({ userId, userIdVerified: false });
      expect(await customer(owner.id)).toMatchObject({ userId, userIdVerified: false, claimedEmail: null });
      // The same browser resumes its session and its customer while the page claims the same id.
      const again = await visit({ visitorToken: visitor.token, identity: { userId } });
      expect(again.token).toBe(visitor.token);
      const second = await start(again, { text: 'Me again' });
      expect((await ticketCustomer(second.id)).id).toBe(owner.id);
      // Another id claimed in that browser is someone else: a new visitor, nothing of the first.
      const other = await visit({ visitorToken: visitor.token, identity: { userId: `${userId}-b` } });
      expect(other.token).not.toBe(visitor.token);
      expect((await widget('GET', '/conversations', { token: other.token })).json().data).toEqual([]);
    });

    it("takes the older snippets' visitorId as a claimed userId", async () => {
      const visitorId = `legacy_${Date.now()}`;
      const visitor = await visit({ visitorId });
      expect(visitor.visitor).toMatchObject({ userId: visitorId, verified: false });
      const conversation = await start(visitor, { text: 'From an old snippet' });
      expect(await ticketCustomer(conversation.id)).toMatchObject({
        userId: visitorId,
        userIdVerified: false,
      });
    });

    it("never joins a verified user's customer or conversations by claiming their userId", async () => {
      const userId = `usr_real_${Date.now()}`;
      const real = await visit({ identity: { userId, signature: sign(userId) } });
      expect(real.visitor).toMatchObject({ userId, verified: true });
      const realConversation = await start(real, {
        text: 'My card ends in 4242',
        email: `${userId}@example.com`,
      });
      const realCustomer = await ticketCustomer(realConversation.id);
      expect(realCustomer).toMatchObject({ userId, userIdVerified: true });

      const impostor = await visit({ identity: { userId } });
      expect(impostor.visitor).toMatchObject({ userId, verified: false, email: null });
      expect((await widget('GET', '/conversations', { token: impostor.token })).json().data).toEqual([]);
      expectErrorBody(
        await widget('GET', `/conversations/${realConversation.id}`, { token: impostor.token }),
        404,
        'NOT_FOUND',
      );
      const fake = await start(impostor, { text: 'It is me, really' });
      const fakeCustomer = await ticketCustomer(fake.id);
      expect(fakeCustomer.id).not.toBe(realCustomer.id);
      expect(fakeCustomer).toMatchObject({ userId, userIdVerified: false });
      // The impostor still sees only its own conversation; the real user only theirs.
      const impostorList = (await widget('GET', '/conversations', { token: impostor.token })).json();
      expect(impostorList.data.map((c: { id: string }) => c.id)).toEqual([fake.id]);
      const realAgain = await visit({ identity: { userId, signature: sign(userId) } });
      const realList = (await widget('GET', '/conversations', { token: realAgain.token })).json();
      expect(realList.data.map((c: { id: string }) => c.id)).toEqual([realConversation.id]);
      expect(await customer(realCustomer.id)).toMatchObject({ userId, userIdVerified: true, ticketCount: 1 });

      // Agents find both by the id, each marked for what it is.
      const found = (await admin.get(`/v1/customers?userId=${userId}`)).json().data;
      expect(found.map((c: { id: string; userIdVerified: boolean }) => [c.id, c.userIdVerified])).toEqual([
        [realCustomer.id, true],
      ]);
    });

    it('never attributes a conversation to an existing customer by the email a visitor types', async () => {
      const email = `known.${Date.now()}@example.com`;
      const emailTicket = await admin.post('/v1/tickets', {
        channel: 'api',
        subject: 'Earlier question',
        customer: { name: 'Known Person', email },
        message: 'My invoice is wrong',
      });
      expect(emailTicket.statusCode, emailTicket.body).toBe(201);
      const known = await ticketCustomer(emailTicket.json().id);

      const visitor = await visit();
      const conversation = await start(visitor, {
        text: 'Hi',
        email: email.toUpperCase(),
        name: 'Maybe Known',
      });
      const owner = await ticketCustomer(conversation.id);
      expect(owner.id).not.toBe(known.id);
      expect(owner).toMatchObject({ name: 'Maybe Known', email: null });
      expect(await customer(owner.id)).toMatchObject({ email: null, claimedEmail: email.toUpperCase() });
      expect(await customer(known.id)).toMatchObject({ email, ticketCount: 1 });
      // Its next conversation stays with the customer it made, without asking again.
      const next = await start(visitor, { text: 'Another thing' });
      expect((await ticketCustomer(next.id)).id).toBe(owner.id);

      // An address nobody has goes on the new customer as its email.
      const fresh = `fresh.${Date.now()}@example.com`;
      const newcomer = await visit();
      const theirs = await start(newcomer, { text: 'Hello', email: fresh });
      expect(await customer((await ticketCustomer(theirs.id)).id)).toMatchObject({
        email: fresh,
        claimedEmail: null,
      });
    });

    it('with signatures required: refuses an unsigned identity, ignores a visitorId', async () => {
      const strict = await newOrg(t, 'Strict Co');
      const strictAdmin = client(t.app, strict.apiKey);
      const set = await strictAdmin.patch('/v1/channels/widget', {
        identitySecret: SECRET,
        requireSignedIdentity: true,
      });
      expect(set.statusCode, set.body).toBe(200);
      expectErrorBody(
        await widget('POST', '/session', { key: strict.widgetKey, body: { identity: { userId: 'u1' } } }),
        401,
        'INVALID_IDENTITY',
      );
      const legacy = await visit({ visitorId: 'u1' }, strict.widgetKey);
      expect(legacy.visitor).toMatchObject({ userId: null, verified: false });
      const conversation = await start(legacy, { text: 'Hi' }, strict.widgetKey);
      const owner = (await strictAdmin.get(`/v1/tickets/${conversation.id}`)).json().customer;
      expect(owner.userId).toBeUndefined();
      const signed = await visit({ identity: { userId: 'u1', signature: sign('u1') } }, strict.widgetKey);
      expect(signed.visitor).toMatchObject({ userId: 'u1', verified: true });
    });

    it('lets the API replace a claimed userId with a verified one, or clear it', async () => {
      const claim = `usr_said_${Date.now()}`;
      const visitor = await visit({ identity: { userId: claim } });
      const owner = await ticketCustomer((await start(visitor, { text: 'Hi' })).id);
      const confirmed = await admin.patch(`/v1/customers/${owner.id}`, { userId: `${claim}-checked` });
      expect(confirmed.statusCode, confirmed.body).toBe(200);
      expect(confirmed.json()).toMatchObject({ userId: `${claim}-checked`, userIdVerified: true });
      const other = await ticketCustomer((await start(await visit({ visitorId: claim }), { text: 'Yo' })).id);
      const cleared = await admin.patch(`/v1/customers/${other.id}`, { userId: null, name: 'Someone' });
      expect(cleared.json()).toMatchObject({ userId: null, userIdVerified: false });
      const events = (await admin.get('/v1/events?types=customer.updated')).json().data;
      expect(events.at(-1).data.changes.userId).toEqual({ from: claim, to: null });
    });

    it('marks a userId set with a secret API key as verified', async () => {
      const res = await admin.post('/v1/customers', {
        name: 'Set by the backend',
        userId: `api_${Date.now()}`,
      });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ userIdVerified: true, claimedEmail: null });
    });
  });
});

describe.each(DIALECTS)('live replies to the widget (%s)', (dialect) => {
  it("reach an open widget under the support name, never the key's name (onAgentMessage's payload)", async () => {
    const database = await createTestDatabase(dialect);
    const server = await startServer({ ...database.env, TALKI_JOB_POLL_MS: '100' });
    try {
      const org = await createOrg(database.db.kysely, {
        name: 'Live Co',
        adminEmail: `live.${Date.now()}@example.com`,
        adminName: 'Lee',
      });
      const headers = { 'x-talki-widget-key': org.widgetKey, 'content-type': 'application/json' };
      const session = (await (
        await fetch(`${server.url}/widget/v1/session`, { method: 'POST', headers, body: '{}' })
      ).json()) as { token: string };
      const conversation = (await (
        await fetch(`${server.url}/widget/v1/conversations`, {
          method: 'POST',
          headers: { ...headers, 'x-talki-visitor-token': session.token },
          body: JSON.stringify({ text: 'Anyone?' }),
        })
      ).json()) as { id: string };
      const socket = new WebSocket(`${server.url.replace('http', 'ws')}/widget/v1/ws`);
      const frames: Array<Record<string, unknown>> = [];
      socket.on('message', (data: Buffer) =>
        frames.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>),
      );
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      socket.send(JSON.stringify({ type: 'auth', key: org.widgetKey, token: session.token }));
      await waitFor(() => frames.some((f) => f.type === 'ready'));
      const reply = await fetch(`${server.url}/v1/tickets/${conversation.id}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${org.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'Yes, live' }),
      });
      expect(reply.status).toBe(201);
      await waitFor(() => frames.some((f) => f.type === 'message'));
      expect(frames.find((f) => f.type === 'message')).toMatchObject({
        conversationId: conversation.id,
        message: { role: 'agent', text: 'Yes, live', agentName: 'Live Co' },
      });
      socket.close();
    } finally {
      await server.stop();
      await database.drop();
    }
  });
});

async function waitFor(probe: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
