import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createOrg, type CreatedOrg } from '../src/modules/orgs/orgs.service.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './support/databases.js';
import { startServer, startWorker, type ServerProcess } from './support/processes.js';
import { closedPort, rawEmail, sendMail, startSmtpSink, type SmtpSink } from './support/smtp.js';
import { startTelegramStandIn } from './support/telegram-stand-in.js';

// End to end over real processes and sockets: `talki serve` with its job worker, replies
// leaving over SMTP to a sink, and what happens when the sink is down or the server is killed.

interface Message {
  id: string;
  role: string;
  deliveryStatus: string | null;
  deliveryError: string | null;
  internal: boolean;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 25_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** An SMTP server that accepts a connection and then never answers the message: a delivery hangs mid-flight. */
async function startHangingSink(): Promise<{ url: string; close(): void }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream) {
      stream.resume();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    close: () => {
      server.server.close();
      for (const socket of (server as unknown as { connections: Set<{ close(): void }> }).connections)
        socket.close();
    },
  };
}

const FAST_RETRIES = {
  TALKI_JOB_RETRY_BASE_MS: '200',
  TALKI_JOB_RETRY_MAX_MS: '1000',
  TALKI_JOB_POLL_MS: '100',
};

describe.each(DIALECTS)('reply delivery (%s)', (dialect) => {
  let database: TestDatabase;
  let org: CreatedOrg;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    org = await createOrg(database.db.kysely, {
      name: 'Acme',
      adminEmail: 'ada@acme.example',
      adminName: 'Ada',
    });
  });
  afterAll(async () => {
    for (const server of servers) await server.stop().catch(() => undefined);
    await database.drop();
  });

  async function serve(env: Record<string, string>): Promise<ServerProcess> {
    const server = await startServer({ ...database.env, ...FAST_RETRIES, ...env });
    servers.push(server);
    return server;
  }

  function api(server: ServerProcess) {
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${org.apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      // JSON answers are read loosely here; their shapes are checked by the assertions.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
    };
    return {
      get: (path: string) => call('GET', path),
      post: (path: string, body?: unknown) => call('POST', path, body),
      message: async (ticketId: string, messageId: string): Promise<Message> => {
        const thread = await call('GET', `/v1/tickets/${ticketId}/messages?limit=100`);
        return (thread.body.data as Message[]).find((m) => m.id === messageId)!;
      },
    };
  }

  let mailbox = 0;
  /** A new email channel and a ticket opened by mail to it; returns the ticket id and the mail's Message-ID. */
  async function emailTicket(server: ServerProcess) {
    const client = api(server);
    const address = `help${++mailbox}.${Date.now()}@acme.example`;
    const channel = await client.post('/v1/channels', { type: 'email', address, displayName: 'Acme Help' });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    const messageId = `<first.${mailbox}.${Date.now()}@customer.example>`;
    const raw = await rawEmail({
      from: 'Carol Customer <carol@customer.example>',
      to: address,
      subject: 'My order never arrived',
      text: 'Order 1234 is two weeks late.',
      messageId,
    });
    const res = await fetch(`${server.url}${new URL(channel.body.inboundUrl as string).pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822' },
      body: raw,
    });
    expect(res.status).toBe(201);
    const { ticketId } = (await res.json()) as { ticketId: string };
    return { ticketId, messageId, address, channelId: channel.body.id as string };
  }

  async function reply(server: ServerProcess, ticketId: string, text: string): Promise<Message> {
    const res = await api(server).post(`/v1/tickets/${ticketId}/messages`, { text });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as Message;
  }

  function sentTo(sink: SmtpSink, messageId: string) {
    // Talki's Message-IDs are <msg_….token@domain> (see outboundMessageId).
    return sink.messages.filter((raw) => raw.toString('utf8').includes(`<${messageId}.`));
  }

  it('sends an agent reply by email, threaded under the customer’s mail', async () => {
    const sink = await startSmtpSink();
    const server = await serve({ SMTP_URL: sink.url });
    try {
      const { ticketId, messageId, address } = await emailTicket(server);
      const message = await reply(server, ticketId, 'We are on it — a new parcel left today.');
      expect(message.deliveryStatus).toBe('queued');
      const sent = await waitFor('the reply to be sent', async () => {
        const current = await api(server).message(ticketId, message.id);
        return current.deliveryStatus === 'sent' ? current : undefined;
      });
      expect(sent.deliveryError).toBeNull();
      const [mail] = sentTo(sink, message.id);
      expect(mail).toBeDefined();
      const parsed = await simpleParser(mail!);
      expect(parsed.from?.value[0]).toMatchObject({ address, name: 'Acme Help' });
      expect(parsed.to && 'value' in parsed.to ? parsed.to.value[0]?.address : undefined).toBe(
        'carol@customer.example',
      );
      expect(parsed.inReplyTo).toBe(messageId);
      expect(parsed.references).toContain(messageId);
      expect(parsed.subject).toMatch(/^Re: My order never arrived \[[A-Z0-9]+-\d+\]$/);
      expect(parsed.text).toContain('a new parcel left today');
      expect(parsed.html).toContain('a new parcel left today');
      // The id carries a MAC of the message id: a reply naming it threads whoever sends it.
      expect(parsed.messageId).toMatch(new RegExp(`^<${message.id}\\.[0-9a-f]{24}@acme\\.example>$`));
    } finally {
      await server.stop();
      await sink.close();
    }
  });

  it('takes mail over SMTP into `talki serve` and answers over SMTP', async () => {
    const sink = await startSmtpSink();
    const server = await serve({ SMTP_URL: sink.url, TALKI_SMTP_PORT: '0', TALKI_SMTP_HOST: '127.0.0.1' });
    try {
      const smtpPort = Number(/talki: smtp listening on [\d.]+:(\d+)/.exec(server.output())?.[1]);
      expect(smtpPort).toBeGreaterThan(0);
      const client = api(server);
      const address = `smtp${Date.now()}@acme.example`;
      expect((await client.post('/v1/channels', { type: 'email', address })).status).toBe(201);
      await expect(
        sendMail(smtpPort, {
          from: 'eve@customer.example',
          to: 'nobody@acme.example',
          subject: 'x',
          text: 'y',
        }),
      ).rejects.toThrow(/550/);
      const sent = await sendMail(smtpPort, {
        from: 'Eve <eve@customer.example>',
        to: address,
        subject: 'Invoice question',
        text: 'Why was I charged twice?',
      });
      const ticket = await waitFor('the mailed ticket', async () => {
        const list = await client.get('/v1/tickets?channel=email&per_page=100');
        return (list.body.data as { id: string; subject: string }[]).find(
          (t) => t.subject === 'Invoice question',
        );
      });
      const message = await reply(server, ticket.id, 'Refunded the second charge.');
      await waitFor('the reply', async () =>
        (await api(server).message(ticket.id, message.id)).deliveryStatus === 'sent' ? true : undefined,
      );
      const parsed = await simpleParser(sentTo(sink, message.id)[0]!);
      expect(parsed.inReplyTo).toBe(sent.messageId);
    } finally {
      await server.stop();
      await sink.close();
    }
  });

  it('polls a Telegram bot from `talki serve` and answers in the chat', async () => {
    const token = '4242:servetoken';
    const standIn = await startTelegramStandIn({ tokens: [token] });
    const server = await serve({ TELEGRAM_API_URL: standIn.url });
    try {
      const client = api(server);
      const channel = await client.post('/v1/channels', {
        type: 'telegram',
        botToken: token,
        mode: 'polling',
      });
      expect(channel.status, JSON.stringify(channel.body)).toBe(201);
      standIn.pushUpdate(token, {
        message: {
          message_id: 7,
          date: Math.floor(Date.now() / 1000),
          chat: { id: 5551234, type: 'private', first_name: 'Tom' },
          from: { id: 5551234, is_bot: false, first_name: 'Tom' },
          text: 'Is the shop open on Sunday?',
        },
      });
      const ticket = await waitFor('the Telegram ticket', async () => {
        const list = await client.get('/v1/tickets?channel=telegram');
        return (list.body.data as { id: string; customer: { name: string } }[])[0];
      });
      expect(ticket.customer.name).toBe('Tom');
      const message = await reply(server, ticket.id, 'Yes, 10 to 4.');
      await waitFor('the Telegram reply', async () =>
        (await api(server).message(ticket.id, message.id)).deliveryStatus === 'sent' ? true : undefined,
      );
      const sends = standIn.callsOf('sendMessage', token);
      expect(sends).toHaveLength(1);
      expect(sends[0]?.params).toMatchObject({ chat_id: 5551234, text: 'Yes, 10 to 4.' });
    } finally {
      await server.stop();
      await standIn.close();
    }
  });

  it('sends widget replies to the conversation, and fails them while the widget is disabled', async () => {
    const server = await serve({});
    try {
      const client = api(server);
      const widgetCall = async (path: string, token: string | null, body: unknown) => {
        const res = await fetch(`${server.url}/widget/v1${path}`, {
          method: 'POST',
          headers: {
            'x-talki-widget-key': org.widgetKey,
            'content-type': 'application/json',
            ...(token ? { 'x-talki-visitor-token': token } : {}),
          },
          body: JSON.stringify(body),
        });
        return (await res.json()) as Record<string, string>;
      };
      const { token } = await widgetCall('/session', null, {});
      const conversation = await widgetCall('/conversations', token!, { text: 'Anyone there?' });
      const first = await reply(server, conversation.id!, 'Yes, here!');
      await waitFor('the widget reply', async () =>
        (await client.message(conversation.id!, first.id)).deliveryStatus === 'sent' ? true : undefined,
      );
      expect(
        (
          await fetch(`${server.url}/v1/channels/widget`, {
            method: 'PATCH',
            headers: { authorization: `Bearer ${org.apiKey}`, 'content-type': 'application/json' },
            body: JSON.stringify({ enabled: false }),
          })
        ).status,
      ).toBe(200);
      const second = await reply(server, conversation.id!, 'Still there?');
      const failed = await waitFor('the reply to fail', async () => {
        const current = await client.message(conversation.id!, second.id);
        return current.deliveryStatus === 'failed' ? current : undefined;
      });
      expect(failed.deliveryError).toMatch(/widget is disabled/);
    } finally {
      // The other tests share this org: its widget goes back on.
      await fetch(`${server.url}/v1/channels/widget`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${org.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ enabled: true }),
      });
      await server.stop();
    }
  });

  it('scales out: a `talki worker` delivers for servers without one, and live replies travel through Redis', async () => {
    const redis = { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' };
    const sink = await startSmtpSink();
    const server = await serve({ ...redis, TALKI_WORKER: 'off', SMTP_URL: sink.url });
    const worker = await startWorker({ ...database.env, ...FAST_RETRIES, ...redis, SMTP_URL: sink.url });
    try {
      const { ticketId } = await emailTicket(server);
      const mailed = await reply(server, ticketId, 'Sent by the worker process');
      await waitFor('the worker to send the mail', async () =>
        (await api(server).message(ticketId, mailed.id)).deliveryStatus === 'sent' ? true : undefined,
      );
      expect(sentTo(sink, mailed.id)).toHaveLength(1);

      const headers = { 'x-talki-widget-key': org.widgetKey, 'content-type': 'application/json' };
      const started = await fetch(`${server.url}/widget/v1/session`, { method: 'POST', headers, body: '{}' });
      expect(started.status).toBe(200);
      const session = (await started.json()) as { token: string };
      const conversation = (await (
        await fetch(`${server.url}/widget/v1/conversations`, {
          method: 'POST',
          headers: { ...headers, 'x-talki-visitor-token': session.token },
          body: JSON.stringify({ text: 'Is anyone there?' }),
        })
      ).json()) as { id: string };
      const socket = new WebSocket(`${server.url.replace('http', 'ws')}/widget/v1/ws`);
      const frames: Array<Record<string, unknown>> = [];
      socket.on('message', (data) =>
        frames.push(JSON.parse((data as Buffer).toString('utf8')) as Record<string, unknown>),
      );
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      socket.send(JSON.stringify({ type: 'auth', key: org.widgetKey, token: session.token }));
      await waitFor('the socket to be ready', async () =>
        frames.some((f) => f.type === 'ready') ? true : undefined,
      );
      const live = await reply(server, conversation.id, 'Yes — live from the worker');
      const frame = await waitFor('the live reply', async () => frames.find((f) => f.type === 'message'));
      expect(frame).toMatchObject({
        conversationId: conversation.id,
        message: { id: live.id, role: 'agent', text: 'Yes — live from the worker' },
      });
      socket.close();
    } finally {
      await worker.stop();
      await server.stop();
      await sink.close();
    }
  });

  it('marks API-channel replies sent at once and never delivers internal notes', async () => {
    const server = await serve({ SMTP_URL: `smtp://127.0.0.1:${await closedPort()}` });
    try {
      const client = api(server);
      const ticket = await client.post('/v1/tickets', {
        subject: 'From our backend',
        customer: { name: 'Dan', email: 'dan@customer.example' },
        message: 'Hello from the API',
      });
      expect(ticket.status).toBe(201);
      const answer = await reply(server, ticket.body.id as string, 'Answered through the event log');
      expect(answer.deliveryStatus).toBe('sent');
      const { ticketId } = await emailTicket(server);
      const note = await client.post(`/v1/tickets/${ticketId}/messages`, {
        text: 'Internal only',
        internal: true,
      });
      expect(note.body.deliveryStatus).toBeNull();
      const customerMessage = (await client.get(`/v1/tickets/${ticketId}`)).body.messages[0] as Message;
      expect(customerMessage.deliveryStatus).toBeNull();
      const retry = await client.post(`/v1/tickets/${ticketId}/messages/${note.body.id}/retry`);
      expect(retry.status).toBe(409);
      expect(retry.body.error.code).toBe('CONFLICT');
    } finally {
      await server.stop();
    }
  });

  it('retries while the SMTP server is down, then delivers once it is back', async () => {
    const port = await closedPort();
    const server = await serve({ SMTP_URL: `smtp://127.0.0.1:${port}` });
    let sink: SmtpSink | undefined;
    try {
      const { ticketId } = await emailTicket(server);
      const message = await reply(server, ticketId, 'Sorry for the wait.');
      const failing = await waitFor('a failed attempt to show', async () => {
        const current = await api(server).message(ticketId, message.id);
        return current.deliveryError ? current : undefined;
      });
      expect(failing.deliveryStatus).toBe('queued');
      expect(failing.deliveryError).toMatch(/ECONNREFUSED|connect/i);
      sink = await startSmtpSink(undefined, port);
      await waitFor('the reply to be sent after the outage', async () => {
        const current = await api(server).message(ticketId, message.id);
        return current.deliveryStatus === 'sent' ? current : undefined;
      });
      expect(sentTo(sink, message.id)).toHaveLength(1);
      const attempts = await database.db.kysely
        .selectFrom('job_attempts')
        .innerJoin('jobs', 'jobs.id', 'job_attempts.job_id')
        .select(['job_attempts.error'])
        .where('jobs.payload', 'like', `%${message.id}%`)
        .orderBy('job_attempts.attempt')
        .execute();
      expect(attempts.length).toBeGreaterThanOrEqual(2);
      expect(attempts.at(-1)?.error).toBeNull();
      expect(attempts[0]?.error).toMatch(/ECONNREFUSED|connect/i);
    } finally {
      await server.stop();
      await sink?.close();
    }
  });

  it('fails a delivery the server refuses for good, and delivers it when retried', async () => {
    const refusing = await startSmtpSink({ at: 'rcpt', code: 550, message: '5.1.1 Mailbox unavailable' });
    const port = refusing.port;
    const server = await serve({ SMTP_URL: refusing.url });
    let sink: SmtpSink | undefined;
    try {
      const { ticketId } = await emailTicket(server);
      const message = await reply(server, ticketId, 'Here is your refund.');
      const failed = await waitFor('the delivery to fail', async () => {
        const current = await api(server).message(ticketId, message.id);
        return current.deliveryStatus === 'failed' ? current : undefined;
      });
      expect(failed.deliveryError).toMatch(/550|Mailbox unavailable/);
      const events = await api(server).get('/v1/events?types=message.delivery_failed');
      expect(
        events.body.data.some(
          (e: { subjectId?: string; data: { messageId: string } }) => e.data.messageId === message.id,
        ),
      ).toBe(true);
      await refusing.close();
      sink = await startSmtpSink(undefined, port);
      const retried = await api(server).post(`/v1/tickets/${ticketId}/messages/${message.id}/retry`);
      expect(retried.status, JSON.stringify(retried.body)).toBe(200);
      expect(retried.body).toMatchObject({ id: message.id, deliveryStatus: 'queued', deliveryError: null });
      await waitFor('the retried delivery', async () => {
        const current = await api(server).message(ticketId, message.id);
        return current.deliveryStatus === 'sent' ? current : undefined;
      });
      expect(sentTo(sink, message.id)).toHaveLength(1);
      const again = await api(server).post(`/v1/tickets/${ticketId}/messages/${message.id}/retry`);
      expect(again.status).toBe(409);
      const unknown = await api(server).post(`/v1/tickets/${ticketId}/messages/msg_nope/retry`);
      expect(unknown.status).toBe(404);
    } finally {
      await server.stop();
      await sink?.close();
    }
  });

  it('refuses to retry a reply whose channel was deleted (409)', async () => {
    const refusing = await startSmtpSink({ at: 'rcpt', code: 550, message: '5.1.1 No such user' });
    const server = await serve({ SMTP_URL: refusing.url });
    try {
      const { ticketId, channelId } = await emailTicket(server);
      const message = await reply(server, ticketId, 'Hello?');
      await waitFor('the delivery to fail', async () =>
        (await api(server).message(ticketId, message.id)).deliveryStatus === 'failed' ? true : undefined,
      );
      const deleted = await fetch(`${server.url}/v1/channels/${channelId}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${org.apiKey}` },
      });
      expect(deleted.status).toBe(204);
      const retry = await api(server).post(`/v1/tickets/${ticketId}/messages/${message.id}/retry`);
      expect(retry.status).toBe(409);
      expect(retry.body.error.message).toMatch(/channel was deleted/);
      const later = await reply(server, ticketId, 'Anyone?');
      const failed = await waitFor('the next reply to fail', async () => {
        const current = await api(server).message(ticketId, later.id);
        return current.deliveryStatus === 'failed' ? current : undefined;
      });
      expect(failed.deliveryError).toMatch(/no longer exists/);
    } finally {
      await server.stop();
      await refusing.close();
    }
  });

  it('loses no delivery when the server is killed with -9 mid-delivery and restarted', async () => {
    const hanging = await startHangingSink();
    const first = await serve({ SMTP_URL: hanging.url, TALKI_JOB_CONCURRENCY: '2' });
    const { ticketId } = await emailTicket(first);
    const replies: Message[] = [];
    for (let i = 1; i <= 5; i++) replies.push(await reply(first, ticketId, `Update number ${i}`));
    // Two deliveries are stuck inside the SMTP conversation, three wait their turn.
    await waitFor('deliveries to be in flight', async () => {
      const running = await database.db.kysely
        .selectFrom('jobs')
        .select('id')
        .where('status', '=', 'running')
        .execute();
      return running.length >= 2 ? running : undefined;
    });
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    hanging.close();

    const sink = await startSmtpSink();
    const second = await serve({ SMTP_URL: sink.url });
    try {
      for (const message of replies) {
        await waitFor(`delivery of ${message.id}`, async () => {
          const current = await api(second).message(ticketId, message.id);
          return current.deliveryStatus === 'sent' ? current : undefined;
        });
        // At least once: a mail the dead server had half-sent may go twice, with the same Message-ID.
        expect(sentTo(sink, message.id).length).toBeGreaterThanOrEqual(1);
      }
      const jobs = await database.db.kysely.selectFrom('jobs').select(['payload', 'status']).execute();
      for (const message of replies) {
        const mine = jobs.filter((job) => job.payload.includes(message.id));
        expect(mine.map((job) => job.status)).toEqual(['done']);
      }
    } finally {
      await second.stop();
      await sink.close();
    }
  });
});
