/**
 * POST /v1/tickets, GET /v1/tickets/:id and PATCH /v1/tickets/:id: the ticket shape wherever a
 * ticket is returned, customer matching, validation naming the offending field, and the
 * reference's own example bodies sent verbatim.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgent } from '../src/modules/agents/agents.service.js';
import { client, newOrg, startTestApp, ticketBody, type Client, type TestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';
import { expectFieldError } from './support/errors.js';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The reference's "Create ticket" body, character for character. */
const REFERENCE_CREATE_BODY = `{
"channel": "api",
"subject": "Password reset not working",
"customer": {
"name": "Bob Smith",
"email": "bob@example.com"
},
"message": "I clicked 'Forgot Password' but the email never arrived.",
"tags": ["password", "email-delivery"]
}`;

/** The reference's "Update ticket" body, character for character, comments included. */
const REFERENCE_PATCH_BODY = `{
"status": "resolved", // "open" | "resolved" | "pending"
"assignedTo": "agent_456", // agent ID
"tags": ["billing"]
}`;

const JSON_HEADERS = { 'content-type': 'application/json' };

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
  messages?: Array<{ id: string; role: string; text: string; createdAt: string; agentName?: string }>;
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The fields every ticket carries wherever it is returned. */
function expectTicketShape(ticket: TicketJson, orgId: string) {
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
    expect(ticket, `ticket lacks ${key}`).toHaveProperty(key);
  }
  expect(ticket.id).toMatch(/^tkt_/);
  expect(ticket.orgId).toBe(orgId);
  expect(ticket.orgId).toMatch(/^org_/);
  expect(['open', 'pending', 'resolved']).toContain(ticket.status);
  expect(['widget', 'email', 'telegram', 'api']).toContain(ticket.channel);
  expect(typeof ticket.subject).toBe('string');
  expect(ticket.createdAt).toMatch(ISO_MS);
  expect(ticket.updatedAt).toMatch(ISO_MS);
  expect(ticket.customer).toBeTypeOf('object');
  expect(ticket.customer).not.toBeNull();
  expect(ticket.assignedTo === null || typeof ticket.assignedTo === 'string').toBe(true);
  expect(Array.isArray(ticket.tags)).toBe(true);
}

describe.each(DIALECTS)('tickets CRUD (%s)', (dialect) => {
  let t: TestApp;
  let api: Client;
  let orgId: string;
  let adminId: string;
  let agentId: string;
  let deactivatedAgentId: string;
  let otherApi: Client;
  let otherOrgId: string;
  let otherAgentId: string;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    const org = await newOrg(t);
    orgId = org.org.id;
    adminId = org.admin.id;
    api = client(t.app, org.apiKey);
    const db = t.database.db.kysely;
    agentId = (
      await addAgent(db, {
        orgId,
        email: `crud-agent-${Date.now()}@example.com`,
        name: 'Carla Agent',
        role: 'agent',
      })
    ).id;
    deactivatedAgentId = (
      await addAgent(db, {
        orgId,
        email: `crud-gone-${Date.now()}@example.com`,
        name: 'Gone Agent',
        role: 'agent',
      })
    ).id;
    await db
      .updateTable('org_members')
      .set({ active: 0 })
      .where('org_id', '=', orgId)
      .where('agent_id', '=', deactivatedAgentId)
      .execute();

    const other = await newOrg(t);
    otherOrgId = other.org.id;
    otherApi = client(t.app, other.apiKey);
    otherAgentId = (
      await addAgent(db, {
        orgId: otherOrgId,
        email: `crud-other-${Date.now()}@example.com`,
        name: 'Other',
        role: 'agent',
      })
    ).id;
  });

  afterAll(async () => {
    await t?.close();
  });

  async function create(overrides: Record<string, unknown> = {}): Promise<TicketJson> {
    const res = await api.post('/v1/tickets', ticketBody(overrides));
    expect(res.statusCode, res.body).toBe(201);
    return res.json<TicketJson>();
  }

  async function read(id: string): Promise<TicketJson> {
    const res = await api.get(`/v1/tickets/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<TicketJson>();
  }

  describe('POST /v1/tickets', () => {
    it("accepts the reference's example body verbatim → 201 with the new ticket", async () => {
      const res = await api.post('/v1/tickets', REFERENCE_CREATE_BODY, JSON_HEADERS);
      expect(res.statusCode, res.body).toBe(201);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const ticket = res.json<TicketJson>();
      expectTicketShape(ticket, orgId);
      expect(ticket).not.toHaveProperty('messages');
      expect(ticket.status).toBe('open');
      expect(ticket.channel).toBe('api');
      expect(ticket.subject).toBe('Password reset not working');
      expect(ticket.customer.name).toBe('Bob Smith');
      expect(ticket.customer.email).toBe('bob@example.com');
      expect(typeof ticket.customer.id).toBe('string');
      expect(ticket.assignedTo).toBeNull();
      expect(ticket.tags).toEqual(['password', 'email-delivery']);

      const stored = await read(ticket.id);
      expectTicketShape(stored, orgId);
      const { messages, ...rest } = stored;
      expect(rest).toEqual(ticket);
      expect(messages).toHaveLength(1);
      const first = messages![0]!;
      expect(first.id).toMatch(/^msg_/);
      expect(first.role).toBe('customer');
      expect(first.text).toBe("I clicked 'Forgot Password' but the email never arrived.");
      expect(first.createdAt).toMatch(ISO_MS);
      expect(first).not.toHaveProperty('agentName');
    });

    it('needs only subject, message and customer.email (name, tags and channel are optional)', async () => {
      const res = await api.post('/v1/tickets', {
        subject: 'Minimal',
        message: 'Just the required fields',
        customer: { email: 'minimal@example.com' },
      });
      expect(res.statusCode, res.body).toBe(201);
      const ticket = res.json<TicketJson>();
      expectTicketShape(ticket, orgId);
      expect(ticket.channel).toBe('api');
      expect(ticket.status).toBe('open');
      expect(ticket.tags).toEqual([]);
      expect(ticket.customer.email).toBe('minimal@example.com');
      const stored = await read(ticket.id);
      expect(stored.messages).toHaveLength(1);
      expect(stored.messages![0]).toMatchObject({ role: 'customer', text: 'Just the required fields' });
    });

    it('keeps the tags it was given', async () => {
      const ticket = await create({ tags: ['vip', 'billing', 'refund'] });
      expect([...ticket.tags].sort()).toEqual(['billing', 'refund', 'vip']);
      expect([...(await read(ticket.id)).tags].sort()).toEqual(['billing', 'refund', 'vip']);
    });

    it('returns customer.userId when POST gave one, on POST, GET and in the list', async () => {
      const ticket = await create({
        customer: { name: 'Uma User', email: `uma-${Date.now()}@example.com`, userId: 'usr_abc' },
      });
      expect(ticket.customer.userId).toBe('usr_abc');
      const stored = await read(ticket.id);
      expect(stored.customer).toMatchObject({ name: 'Uma User', userId: 'usr_abc' });
      const list = await api.get('/v1/tickets?per_page=100');
      const item = list.json<{ data: TicketJson[] }>().data.find((candidate) => candidate.id === ticket.id);
      expect(item?.customer.userId).toBe('usr_abc');
    });

    it('finds the customer by email case-insensitively within the org, and only within it', async () => {
      const first = await create({ customer: { name: 'Bob', email: 'BOB.case@example.com' } });
      const second = await create({ customer: { name: 'Bob', email: 'bob.case@example.com' } });
      const third = await create({ customer: { email: 'Bob.Case@Example.COM' } });
      expect(second.customer.id).toBe(first.customer.id);
      expect(third.customer.id).toBe(first.customer.id);

      const elsewhere = await otherApi.post(
        '/v1/tickets',
        ticketBody({ customer: { name: 'Bob', email: 'bob.case@example.com' } }),
      );
      expect(elsewhere.statusCode, elsewhere.body).toBe(201);
      expect(elsewhere.json<TicketJson>().orgId).toBe(otherOrgId);
      expect(elsewhere.json<TicketJson>().customer.id).not.toBe(first.customer.id);
    });

    it('a different email is a different customer', async () => {
      const a = await create({ customer: { email: 'alice.distinct@example.com' } });
      const b = await create({ customer: { email: 'alicia.distinct@example.com' } });
      expect(a.customer.id).not.toBe(b.customer.id);
    });

    describe('validation names the offending field', () => {
      const body = (): Record<string, unknown> => ticketBody();
      const without = (key: string) => {
        const copy = body();
        delete copy[key];
        return copy;
      };
      const cases: Array<[string, () => unknown, string]> = [
        ['no subject', () => without('subject'), 'subject'],
        ['no message', () => without('message'), 'message'],
        ['no customer', () => without('customer'), 'customer'],
        ['no customer.email', () => ({ ...body(), customer: { name: 'Bob Smith' } }), 'customer.email'],
        [
          'customer.email not an email',
          () => ({ ...body(), customer: { name: 'Bob', email: 'not-an-email' } }),
          'customer.email',
        ],
        ['customer.email a number', () => ({ ...body(), customer: { email: 42 } }), 'customer.email'],
        ['channel widget', () => ({ ...body(), channel: 'widget' }), 'channel'],
        ['channel email', () => ({ ...body(), channel: 'email' }), 'channel'],
        ['channel telegram', () => ({ ...body(), channel: 'telegram' }), 'channel'],
        ['subject a number', () => ({ ...body(), subject: 123 }), 'subject'],
        ['message an object', () => ({ ...body(), message: { text: 'hi' } }), 'message'],
        ['tags a string', () => ({ ...body(), tags: 'billing' }), 'tags'],
        ['customer a string', () => ({ ...body(), customer: 'bob@example.com' }), 'customer'],
        ['an unknown field', () => ({ ...body(), urgency: 'high' }), 'urgency'],
        [
          'an unknown customer field',
          () => ({ ...body(), customer: { email: 'bob@example.com', phone: '123' } }),
          'customer.phone',
        ],
      ];
      it.each(cases)('%s → 400 naming %s', async (_name, make, field) => {
        const before = (await api.get('/v1/tickets?per_page=1')).json<{ meta: { total: number } }>().meta
          .total;
        expectFieldError(await api.post('/v1/tickets', make()), field);
        const after = (await api.get('/v1/tickets?per_page=1')).json<{ meta: { total: number } }>().meta
          .total;
        expect(after).toBe(before);
      });
    });
  });

  describe('GET /v1/tickets/:id', () => {
    it('returns the ticket with customer (incl. userId) and its messages oldest first', async () => {
      const created = await create({
        subject: "Can't log into my account",
        customer: { name: 'Alice Johnson', email: `alice-${Date.now()}@example.com`, userId: 'usr_alice' },
        message: "Hi, I can't log in using my Google account.",
        tags: ['billing', 'urgent'],
      });
      const reply = await api.post(`/v1/tickets/${created.id}/messages`, {
        text: 'Hi Alice, let me look into that for you.',
      });
      expect(reply.statusCode, reply.body).toBe(201);

      const ticket = await read(created.id);
      expectTicketShape(ticket, orgId);
      expect(ticket.id).toBe(created.id);
      expect(ticket.subject).toBe("Can't log into my account");
      expect(ticket.customer).toMatchObject({
        id: created.customer.id,
        name: 'Alice Johnson',
        userId: 'usr_alice',
      });
      expect(ticket.customer.email).toMatch(/^alice-\d+@example\.com$/);
      expect(ticket.messages!.map((m) => [m.role, m.text])).toEqual([
        ['customer', "Hi, I can't log in using my Google account."],
        ['agent', 'Hi Alice, let me look into that for you.'],
      ]);
      for (const message of ticket.messages!) {
        expect(message.id).toMatch(/^msg_/);
        expect(message.createdAt).toMatch(ISO_MS);
      }
      expect(ticket.messages![1]!.agentName).toBe('Default key');
      expect(ticket.messages![0]).not.toHaveProperty('agentName');
    });

    it('omits nothing when there is no userId: customer still has id, name and email', async () => {
      const created = await create({ customer: { name: 'No Id', email: `noid-${Date.now()}@example.com` } });
      const ticket = await read(created.id);
      expect(ticket.customer.id).toBe(created.customer.id);
      expect(ticket.customer.name).toBe('No Id');
      expect(ticket.customer.email).toBe(created.customer.email);
    });
  });

  describe('PATCH /v1/tickets/:id', () => {
    it('changes only the status when only status is sent, and returns the ticket', async () => {
      const created = await create({ tags: ['keep-me'] });
      const assigned = await api.patch(`/v1/tickets/${created.id}`, { assignedTo: agentId });
      expect(assigned.statusCode, assigned.body).toBe(200);
      const before = assigned.json<TicketJson>();
      await sleep(2);

      const res = await api.patch(`/v1/tickets/${created.id}`, { status: 'pending' });
      expect(res.statusCode, res.body).toBe(200);
      const ticket = res.json<TicketJson>();
      expectTicketShape(ticket, orgId);
      expect(ticket).not.toHaveProperty('messages');
      expect(ticket.status).toBe('pending');
      expect(ticket.assignedTo).toBe(agentId);
      expect(ticket.tags).toEqual(['keep-me']);
      expect(ticket.subject).toBe(created.subject);
      expect(ticket.customer).toEqual(created.customer);
      expect(ticket.createdAt).toBe(created.createdAt);
      expect(Date.parse(ticket.updatedAt)).toBeGreaterThan(Date.parse(before.updatedAt));

      const { messages, ...stored } = await read(created.id);
      expect(messages).toHaveLength(1);
      expect(stored).toEqual(ticket);
    });

    it.each(['open', 'pending', 'resolved'])('sets status %s', async (status) => {
      const created = await create();
      const res = await api.patch(`/v1/tickets/${created.id}`, { status });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<TicketJson>().status).toBe(status);
      expect((await read(created.id)).status).toBe(status);
    });

    it('assigns to an agent of this org (agent or admin) and unassigns with null', async () => {
      const created = await create();
      for (const who of [agentId, adminId]) {
        const res = await api.patch(`/v1/tickets/${created.id}`, { assignedTo: who });
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json<TicketJson>().assignedTo).toBe(who);
        expect((await read(created.id)).assignedTo).toBe(who);
      }
      const res = await api.patch(`/v1/tickets/${created.id}`, { assignedTo: null });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<TicketJson>().assignedTo).toBeNull();
      expect((await read(created.id)).assignedTo).toBeNull();
    });

    it('replaces the tag set', async () => {
      const created = await create({ tags: ['alpha', 'beta'] });
      const res = await api.patch(`/v1/tickets/${created.id}`, { tags: ['gamma'] });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<TicketJson>().tags).toEqual(['gamma']);
      expect((await read(created.id)).tags).toEqual(['gamma']);

      const byOld = await api.get('/v1/tickets?tag=alpha&per_page=100');
      expect(byOld.json<{ data: TicketJson[] }>().data.map((x) => x.id)).not.toContain(created.id);
      const byNew = await api.get('/v1/tickets?tag=gamma&per_page=100');
      expect(byNew.json<{ data: TicketJson[] }>().data.map((x) => x.id)).toContain(created.id);

      const cleared = await api.patch(`/v1/tickets/${created.id}`, { tags: [] });
      expect(cleared.statusCode, cleared.body).toBe(200);
      expect(cleared.json<TicketJson>().tags).toEqual([]);
      expect((await read(created.id)).tags).toEqual([]);
    });

    it('changes status, assignedTo and tags together', async () => {
      const created = await create({ tags: ['one'] });
      const res = await api.patch(`/v1/tickets/${created.id}`, {
        status: 'resolved',
        assignedTo: agentId,
        tags: ['two', 'three'],
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<TicketJson>()).toMatchObject({ status: 'resolved', assignedTo: agentId });
      expect([...res.json<TicketJson>().tags].sort()).toEqual(['three', 'two']);
    });

    describe('assignedTo must be an agent of this org, or null', () => {
      const invalid: Array<[string, () => unknown]> = [
        ['an unknown id', () => 'agent_456'],
        ['a well-formed unknown id', () => 'agent_00000000000000000000000000'],
        ["another org's agent", () => otherAgentId],
        ['a deactivated agent', () => deactivatedAgentId],
        ['a number', () => 456],
        ['an empty string', () => ''],
        ['an object', () => ({ id: agentId })],
        ['a ticket id', () => 'tkt_00000000000000000000000000'],
      ];
      it.each(invalid)('%s → 400 naming assignedTo, ticket unchanged', async (_name, value) => {
        const created = await create({ tags: ['unchanged'] });
        const before = await read(created.id);
        const res = await api.patch(`/v1/tickets/${created.id}`, { status: 'resolved', assignedTo: value() });
        expect(await read(created.id)).toEqual(before);
        expectFieldError(res, 'assignedTo');
      });
    });

    describe('other invalid bodies → 400 naming the field, ticket unchanged', () => {
      const invalid: Array<[string, unknown, string]> = [
        ['status closed', { status: 'closed' }, 'status'],
        ['status null', { status: null }, 'status'],
        ['status a number', { status: 1 }, 'status'],
        ['tags a string', { tags: 'billing' }, 'tags'],
        ['tags null', { tags: null }, 'tags'],
        ['an unknown field', { status: 'pending', urgency: 'high' }, 'urgency'],
        ['a read-only field', { createdAt: '2020-01-01T00:00:00.000Z' }, 'createdAt'],
      ];
      it.each(invalid)('%s → 400 naming %s', async (_name, body, field) => {
        const created = await create();
        const before = await read(created.id);
        const res = await api.patch(`/v1/tickets/${created.id}`, body);
        expect(await read(created.id)).toEqual(before);
        expectFieldError(res, field);
      });
    });

    it("the reference's example body verbatim (with // comments) → 400 naming assignedTo, as agent_456 is no agent; nothing changes", async () => {
      const created = await create({ tags: ['password'] });
      const before = await read(created.id);
      const res = await api.patch(`/v1/tickets/${created.id}`, REFERENCE_PATCH_BODY, JSON_HEADERS);
      expect(await read(created.id)).toEqual(before);
      expectFieldError(res, 'assignedTo');
    });

    it('accepts JSON with // comments: the reference example with a real agent id → 200', async () => {
      const created = await create({ tags: ['password'] });
      const body = REFERENCE_PATCH_BODY.replace('agent_456', agentId);
      expect(body).toContain('// agent ID');
      const res = await api.patch(`/v1/tickets/${created.id}`, body, JSON_HEADERS);
      expect(res.statusCode, res.body).toBe(200);
      const ticket = res.json<TicketJson>();
      expectTicketShape(ticket, orgId);
      expect(ticket).toMatchObject({ status: 'resolved', assignedTo: agentId, tags: ['billing'] });
      expect(await read(created.id)).toMatchObject({
        status: 'resolved',
        assignedTo: agentId,
        tags: ['billing'],
      });
    });
  });
});
