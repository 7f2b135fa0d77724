import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from './support/databases.js';
import { runCli, startServer, type ServerProcess } from './support/processes.js';

const MAIN = path.resolve(import.meta.dirname, '../dist/main.js');

/** `talki dev telegram-stand-in --port 0`, resolved with the base URL it prints. */
async function startStandInCli(): Promise<{ url: string; output: () => string; child: ChildProcess }> {
  const child = spawn(process.execPath, [MAIN, 'dev', 'telegram-stand-in', '--port', '0'], { stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  for (;;) {
    const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
    if (url) return { url, output: () => output, child };
    if (child.exitCode !== null) throw new Error(`the stand-in exited early:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(DIALECTS)('talki dev telegram-stand-in with talki serve on %s', (dialect) => {
  let database: TestDatabase;
  let standIn: Awaited<ReturnType<typeof startStandInCli>>;
  let server: ServerProcess;
  let apiKey: string;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    standIn = await startStandInCli();
    server = await startServer({ ...database.env, TELEGRAM_API_URL: standIn.url });
    const created = await runCli(['org', 'create', '--name', 'Stand-in', '--json'], database.env);
    apiKey = (JSON.parse(created.stdout) as { apiKey: string }).apiKey;
  });
  afterAll(async () => {
    await server?.stop();
    if (standIn && standIn.child.exitCode === null) {
      const exited = once(standIn.child, 'exit');
      standIn.child.kill('SIGINT');
      await exited;
    }
    await database.drop();
  });

  async function talki(method: string, route: string, body?: unknown) {
    const response = await fetch(`${server.url}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: response.status, body: (await response.json()) as any };
  }

  async function customerWrites(token: string, chatId: number, text: string) {
    const response = await fetch(`${standIn.url}/stand-in/bot${token}/updates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chatId, text, firstName: 'Grace' }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { ok: true; result: { via: string; webhookStatus?: number } };
  }

  async function conversation(token: string, chatId: number, text: string) {
    const ticket = await waitFor('the ticket', async () => {
      const list = await talki('GET', '/v1/tickets?channel=telegram');
      const tickets = list.body.data as Array<{ id: string; subject: string }>;
      return tickets.find((t) => t.subject.includes(text));
    });
    const reply = await talki('POST', `/v1/tickets/${ticket.id}/messages`, { text: `Re: ${text}` });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    const sent = await waitFor('the reply in the chat', async () => {
      const response = await fetch(`${standIn.url}/stand-in/bot${token}/sent`);
      const { result } = (await response.json()) as {
        result: Array<{ chat: { id: number }; text?: string }>;
      };
      return result.find((m) => m.text === `Re: ${text}`);
    });
    expect(sent.chat.id).toBe(chatId);
  }

  it('prints the URL to use as TELEGRAM_API_URL and how to play the customer', () => {
    expect(standIn.output()).toContain(`TELEGRAM_API_URL=${standIn.url}`);
    expect(standIn.output()).toContain(`${standIn.url}/stand-in/bot123456:test/updates`);
  });

  // First, on a fresh stand-in, as a user trying it would be.
  it('README walkthrough: one chat writes twice, each reply reaches it once, named in full', async () => {
    const token = '123458:readme';
    const channel = await talki('POST', '/v1/channels', {
      type: 'telegram',
      botToken: token,
      mode: 'polling',
    });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    const write = (text: string) =>
      fetch(`${standIn.url}/stand-in/bot${token}/updates`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          text,
          chatId: 1001,
          firstName: 'Ada',
          lastName: 'Lovelace',
          username: 'ada_l',
        }),
      });
    expect((await write('Hello, is anyone there?')).status).toBe(200);
    await conversation(token, 1001, 'Hello, is anyone there?');
    expect((await write('One more thing')).status).toBe(200);
    const ticket = await waitFor('the second message', async () => {
      const list = await talki('GET', '/v1/tickets?channel=telegram');
      const found = (list.body.data as Array<{ id: string; subject: string }>).find((t) =>
        t.subject.includes('Hello, is anyone there?'),
      );
      const full = found && (await talki('GET', `/v1/tickets/${found.id}`));
      return full?.body.messages.some((m: { text: string }) => m.text === 'One more thing')
        ? full
        : undefined;
    });
    const reply = await talki('POST', `/v1/tickets/${ticket.body.id}/messages`, { text: 'Second answer' });
    expect(reply.status).toBe(201);
    const delivered = await waitFor('the second reply delivered', async () => {
      const message = await talki('GET', `/v1/tickets/${ticket.body.id}/messages`);
      const found = (message.body.data as Array<{ id: string; deliveryStatus?: string }>).find(
        (m) => m.id === reply.body.id,
      );
      return found?.deliveryStatus === 'sent' ? found : undefined;
    });
    expect(delivered.deliveryStatus).toBe('sent');
    const sent = (await (await fetch(`${standIn.url}/stand-in/bot${token}/sent`)).json()) as {
      result: Array<{ text?: string }>;
    };
    expect(sent.result.map((m) => m.text)).toEqual(['Re: Hello, is anyone there?', 'Second answer']);
    expect(ticket.body.customer.name).toBe('Ada Lovelace');
    const customer = await talki('GET', `/v1/customers/${ticket.body.customer.id}`);
    expect(customer.body.customFields).toEqual({ telegramUsername: 'ada_l' });
  });

  it('a polling channel gets the customer’s message and the agent’s reply reaches the chat', async () => {
    const token = '123456:polling';
    const channel = await talki('POST', '/v1/channels', {
      type: 'telegram',
      botToken: token,
      mode: 'polling',
    });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    expect((await customerWrites(token, 4001, 'Where is my order?')).result.via).toBe('getUpdates');
    await conversation(token, 4001, 'Where is my order?');
  });

  it('a webhook channel gets the message posted to its webhook', async () => {
    const token = '123457:webhook';
    const channel = await talki('POST', '/v1/channels', { type: 'telegram', botToken: token });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    const written = await customerWrites(token, 4002, 'Do you ship abroad?');
    expect(written.result).toMatchObject({ via: 'webhook', webhookStatus: 200 });
    await conversation(token, 4002, 'Do you ship abroad?');
  });

  it('refuses a malformed token and a message without text', async () => {
    const bad = await fetch(`${standIn.url}/stand-in/botnot-a-token/updates`, { method: 'POST', body: '{}' });
    expect(bad.status).toBe(401);
    const empty = await fetch(`${standIn.url}/stand-in/bot123456:polling/updates`, {
      method: 'POST',
      body: '{}',
    });
    expect(empty.status).toBe(400);
  });
});
