/**
 * POST /v1/tickets/:id/messages: an agent message, named after the posting API key; blank
 * text refused; the ticket's updatedAt moves strictly forward and re-sorts sort=updated_desc.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/modules/api-keys/api-keys.service.js';
import { client, newOrg, startTestApp, ticketBody, type Client, type TestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';
import { expectFieldError } from './support/errors.js';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The reference's "Post a message" body, character for character. */
const REFERENCE_MESSAGE_BODY = `{
"text": "We've fixed the issue — please try again and let us know!"
}`;

interface MessageJson {
  id: string;
  role: string;
  text: string;
  createdAt: string;
  agentName?: string;
}

interface TicketJson {
  id: string;
  orgId: string;
  status: string;
  createdAt: string;
  updatedAt: string;
  tags: string[];
  messages?: MessageJson[];
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Returns once the clock has moved past the current millisecond (so timestamps can't tie). */
async function nextMillisecond(): Promise<void> {
  const start = Date.now();
  while (Date.now() <= start) await sleep(1);
}

describe.each(DIALECTS)('POST /v1/tickets/:id/messages (%s)', (dialect) => {
  let t: TestApp;
  let api: Client;
  let bot: Client;
  let orgId: string;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    const org = await newOrg(t);
    orgId = org.org.id;
    api = client(t.app, org.apiKey);
    const key = await createApiKey(t.database.db.kysely, {
      orgId,
      kind: 'secret',
      name: 'Support Bot',
      scope: 'write',
    });
    bot = client(t.app, key.key);
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

  it('→ 201 with the agent message, named after the API key that posted it', async () => {
    const ticket = await create();
    const res = await bot.post(`/v1/tickets/${ticket.id}/messages`, { text: 'On it!' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const message = res.json<MessageJson>();
    expect(message.id).toMatch(/^msg_/);
    expect(message.role).toBe('agent');
    expect(message.text).toBe('On it!');
    expect(message.createdAt).toMatch(ISO_MS);
    expect(message.agentName).toBe('Support Bot');

    const stored = await read(ticket.id);
    expect(stored.messages).toHaveLength(2);
    expect(stored.messages![1]).toMatchObject({
      id: message.id,
      role: 'agent',
      text: 'On it!',
      agentName: 'Support Bot',
      createdAt: message.createdAt,
    });
  });

  it("accepts the reference's example body verbatim", async () => {
    const ticket = await create();
    const res = await api.post(`/v1/tickets/${ticket.id}/messages`, REFERENCE_MESSAGE_BODY, {
      'content-type': 'application/json',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json<MessageJson>()).toMatchObject({
      role: 'agent',
      text: "We've fixed the issue — please try again and let us know!",
    });
  });

  it('keeps the text exactly as sent (unicode, newlines, surrounding spaces inside)', async () => {
    const ticket = await create();
    const text = 'Line one\nLine two — ünïcødé ✓ 🎉\n\tindented';
    const res = await api.post(`/v1/tickets/${ticket.id}/messages`, { text });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json<MessageJson>().text).toBe(text);
    expect((await read(ticket.id)).messages![1]!.text).toBe(text);
  });

  it('GET lists messages oldest first, agentName on agent messages only, each key by its own name', async () => {
    const ticket = await create({ message: 'first, from the customer' });
    // Posted back to back with no pause: order must hold even within one millisecond.
    const posted: MessageJson[] = [];
    for (const [who, text] of [
      [api, 'second'],
      [bot, 'third'],
      [api, 'fourth'],
      [bot, 'fifth'],
    ] as const) {
      const res = await who.post(`/v1/tickets/${ticket.id}/messages`, { text });
      expect(res.statusCode, res.body).toBe(201);
      posted.push(res.json<MessageJson>());
    }
    const messages = (await read(ticket.id)).messages!;
    expect(messages.map((m) => m.text)).toEqual([
      'first, from the customer',
      'second',
      'third',
      'fourth',
      'fifth',
    ]);
    expect(messages.map((m) => m.role)).toEqual(['customer', 'agent', 'agent', 'agent', 'agent']);
    expect(messages.slice(1).map((m) => m.id)).toEqual(posted.map((m) => m.id));
    expect(new Set(messages.map((m) => m.id)).size).toBe(5);
    expect(messages[0]).not.toHaveProperty('agentName');
    expect(messages.slice(1).map((m) => m.agentName)).toEqual([
      'Default key',
      'Support Bot',
      'Default key',
      'Support Bot',
    ]);
    for (const message of messages) {
      expect(message.id).toMatch(/^msg_/);
      expect(message.createdAt).toMatch(ISO_MS);
    }
    for (let i = 1; i < messages.length; i++) {
      expect(Date.parse(messages[i]!.createdAt)).toBeGreaterThanOrEqual(
        Date.parse(messages[i - 1]!.createdAt),
      );
    }
  });

  it("bumps the ticket's updatedAt strictly later, every time, even back to back", async () => {
    const ticket = await create();
    let previous = (await read(ticket.id)).updatedAt;
    for (let i = 0; i < 5; i++) {
      const res = await api.post(`/v1/tickets/${ticket.id}/messages`, { text: `reply ${i}` });
      expect(res.statusCode, res.body).toBe(201);
      const now = (await read(ticket.id)).updatedAt;
      expect(now).toMatch(ISO_MS);
      expect(Date.parse(now)).toBeGreaterThan(Date.parse(previous));
      previous = now;
    }
    expect((await read(ticket.id)).createdAt).toBe(ticket.createdAt);
  });

  it('moves the ticket to the top of sort=updated_desc, but not of created_desc', async () => {
    const older = await create({ subject: 'older', tags: ['sort-check'] });
    await nextMillisecond();
    const newer = await create({ subject: 'newer', tags: ['sort-check'] });
    const ids = async (sort: string) =>
      (await api.get(`/v1/tickets?tag=sort-check&sort=${sort}`))
        .json<{ data: TicketJson[] }>()
        .data.map((x) => x.id);

    expect(await ids('created_desc')).toEqual([newer.id, older.id]);
    await nextMillisecond();
    const res = await api.post(`/v1/tickets/${older.id}/messages`, { text: 'bump' });
    expect(res.statusCode, res.body).toBe(201);
    expect(await ids('updated_desc')).toEqual([older.id, newer.id]);
    expect(await ids('created_desc')).toEqual([newer.id, older.id]);
    expect(await ids('created_asc')).toEqual([older.id, newer.id]);

    // The unfiltered listing too.
    const all = (await api.get('/v1/tickets?sort=updated_desc&per_page=1')).json<{ data: TicketJson[] }>()
      .data;
    expect(all[0]!.id).toBe(older.id);
    await nextMillisecond();
    const again = await api.post(`/v1/tickets/${newer.id}/messages`, { text: 'bump newer' });
    expect(again.statusCode, again.body).toBe(201);
    expect(await ids('updated_desc')).toEqual([newer.id, older.id]);
  });

  describe('invalid text → 400 naming text, nothing posted, updatedAt unchanged', () => {
    const cases: Array<[string, unknown]> = [
      ['empty text', { text: '' }],
      ['blank text (spaces)', { text: '   ' }],
      ['blank text (whitespace mix)', { text: ' \n\t\r\n ' }],
      ['missing text', {}],
      ['null text', { text: null }],
      ['numeric text', { text: 42 }],
      ['array text', { text: ['hi'] }],
    ];
    it.each(cases)('%s', async (_name, body) => {
      const ticket = await create();
      const before = await read(ticket.id);
      const res = await api.post(`/v1/tickets/${ticket.id}/messages`, body);
      expect(await read(ticket.id)).toEqual(before);
      expectFieldError(res, 'text');
    });

    it('an unknown field → 400 naming it', async () => {
      const ticket = await create();
      const res = await api.post(`/v1/tickets/${ticket.id}/messages`, { text: 'hello', role: 'customer' });
      expectFieldError(res, 'role');
      expect((await read(ticket.id)).messages).toHaveLength(1);
    });
  });
});
