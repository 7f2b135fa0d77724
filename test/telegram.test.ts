/**
 * The Telegram channel against a local Bot API stand-in: the webhook (secret, dedupe,
 * threading, photos and documents), long polling across two pollers on one database,
 * delivery of agent messages (429, 403, attachments), and channel setup (token check, webhook
 * registration).
 */
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../src/channels/secret-box.js';
import { BotApi, TelegramApiError, TelegramNetworkError } from '../src/channels/telegram/bot-api.js';
import { deliverTelegram, splitText } from '../src/channels/telegram/outbound.js';
import { startTelegramPollers, type PollerLog } from '../src/channels/telegram/poller.js';
import {
  prepareTelegramChannel,
  teardownTelegramChannel,
  telegramWebhookUrl,
} from '../src/channels/telegram/setup.js';
import type { TelegramMessage, TelegramUpdate } from '../src/channels/telegram/telegram.types.js';
import type { Channel, DeliveryContext, DeliveryProgress, TelegramSettings } from '../src/channels/types.js';
import { PermanentFailure, RetryLater } from '../src/jobs/errors.js';
import { newId } from '../src/lib/ids.js';
import { insertChannel } from '../src/modules/channels/channels.queries.js';
import { MemoryBus } from '../src/realtime/bus.js';
import { openBlobStorage } from '../src/storage/index.js';
import { client, newOrg, startTestApp, type Client, type TestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';
import { startTelegramStandIn, type TelegramStandIn } from './support/telegram-stand-in.js';

const KEY = 'x'.repeat(32);
const WEBHOOK_TOKEN = '111111:webhook-bot-token';
const POLLING_TOKEN = '222222:polling-bot-token';
const DELIVERY_TOKEN = '333333:delivery-bot-token';
const FLAKY_TOKEN = '444444:flaky-bot-token';
const SECRET = 'webhook-secret_0123456789';

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

let messageIds = 1;

/** A customer's message as Telegram sends it, in a private chat with `chatId`. */
function message(chatId: number, extra: Partial<TelegramMessage> = {}): TelegramMessage {
  return {
    message_id: messageIds++,
    date: Math.floor(Date.now() / 1000),
    chat: { id: chatId, type: 'private', first_name: 'Ada', last_name: 'Lovelace', username: 'ada' },
    from: { id: chatId, is_bot: false, first_name: 'Ada', last_name: 'Lovelace' },
    ...extra,
  };
}

async function until<T>(check: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A logger that keeps what pollers report. */
function recordingLog() {
  const entries: Array<{ level: string; details: Record<string, unknown>; message: string }> = [];
  const at =
    (level: string) =>
    (details: object, msg: string): void => {
      entries.push({ level, details: details as Record<string, unknown>, message: msg });
    };
  const log: PollerLog = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { log, entries };
}

describe.each(DIALECTS)('Telegram channel (%s)', (dialect) => {
  let t: TestApp;
  let standIn: TelegramStandIn;
  let api: Client;
  let orgId: string;
  let appUrl: string;
  const box = SecretBox.fromKey(KEY);

  async function addChannel(
    token: string,
    settings: TelegramSettings,
    options: { enabled?: boolean; id?: string } = {},
  ): Promise<Channel<'telegram'>> {
    const id = options.id ?? newId('chn');
    const now = Date.now();
    await insertChannel(t.database.db.kysely, {
      id,
      org_id: orgId,
      type: 'telegram',
      name: `Bot ${token.split(':')[0]}`,
      enabled: options.enabled === false ? 0 : 1,
      settings: JSON.stringify(settings),
      secrets: box.seal({ botToken: token, webhookSecret: SECRET }),
      inbound_token: null,
      address: null,
      created_at: now,
      updated_at: now,
    });
    return {
      id,
      orgId,
      type: 'telegram',
      name: 'Bot',
      enabled: options.enabled !== false,
      settings,
      secrets: { botToken: token, webhookSecret: SECRET },
    };
  }

  const messagesWith = (externalIdPrefix: string) =>
    t.database.db.kysely
      .selectFrom('messages')
      .select(['id', 'ticket_id', 'external_id', 'text'])
      .where('org_id', '=', orgId)
      .where('external_id', 'like', `${externalIdPrefix}%`)
      .orderBy('id')
      .execute();

  const ticketOf = async (update: TelegramUpdate) => {
    const m = update.message!;
    const rows = await messagesWith(`tg:${m.chat.id}:${m.message_id}`);
    expect(rows).toHaveLength(1);
    const res = await api.get(`/v1/tickets/${rows[0]!.ticket_id}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    standIn = await startTelegramStandIn({
      tokens: [WEBHOOK_TOKEN, POLLING_TOKEN, DELIVERY_TOKEN, FLAKY_TOKEN],
    });
    t = await startTestApp(dialect, {
      env: { TELEGRAM_API_URL: standIn.url, TALKI_ENCRYPTION_KEY: KEY },
    });
    // Telegram reaches the webhook over HTTP, so the app listens.
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    appUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const org = await newOrg(t);
    orgId = org.org.id;
    api = client(t.app, org.apiKey);
  });

  afterAll(async () => {
    await t?.close();
    await standIn?.close();
  });

  describe('setup', () => {
    it('rejects a token Telegram answers 401 for, as a 400 on botToken', async () => {
      await expect(
        prepareTelegramChannel({
          config: t.config,
          token: '999999:not-a-known-token',
          mode: 'webhook',
          webhookUrl: 'https://help.example.com/hook',
          webhookSecret: SECRET,
        }),
      ).rejects.toMatchObject({
        statusCode: 400,
        code: 'BAD_REQUEST',
        details: { fields: [{ field: 'botToken' }] },
      });
      await expect(
        prepareTelegramChannel({
          config: t.config,
          token: 'no colon',
          mode: 'polling',
          webhookUrl: null,
          webhookSecret: SECRET,
        }),
      ).rejects.toMatchObject({ statusCode: 400 });
    });

    it('registers the webhook with the secret, and reports what Telegram refused', async () => {
      const setup = await prepareTelegramChannel({
        config: t.config,
        token: DELIVERY_TOKEN,
        mode: 'webhook',
        webhookUrl: 'https://help.example.com/channels/telegram/chn_1/webhook',
        webhookSecret: SECRET,
      });
      expect(setup).toEqual({
        botUsername: 'talki333333_bot',
        webhookUrl: 'https://help.example.com/channels/telegram/chn_1/webhook',
        webhookError: null,
      });
      expect(standIn.webhookOf(DELIVERY_TOKEN)).toEqual({
        url: 'https://help.example.com/channels/telegram/chn_1/webhook',
        secret: SECRET,
      });

      // getMe failing for another reason than the token is tolerated; a refused webhook is reported.
      standIn.failNext('getMe', { status: 404, description: 'Not Found' });
      standIn.failNext('setWebhook', {
        status: 400,
        description: 'Bad Request: bad webhook: HTTPS url must be provided for webhook',
      });
      const refused = await prepareTelegramChannel({
        config: t.config,
        token: DELIVERY_TOKEN,
        mode: 'webhook',
        webhookUrl: 'http://insecure.example.com/hook',
        webhookSecret: SECRET,
      });
      expect(refused).toEqual({
        botUsername: null,
        webhookUrl: 'http://insecure.example.com/hook',
        webhookError: 'Bad Request: bad webhook: HTTPS url must be provided for webhook',
      });

      // Polling mode and channel deletion remove the webhook.
      const polling = await prepareTelegramChannel({
        config: t.config,
        token: DELIVERY_TOKEN,
        mode: 'polling',
        webhookUrl: null,
        webhookSecret: SECRET,
      });
      expect(polling).toEqual({ botUsername: 'talki333333_bot', webhookUrl: null, webhookError: null });
      expect(standIn.webhookOf(DELIVERY_TOKEN)).toBeNull();
      await teardownTelegramChannel(t.config, DELIVERY_TOKEN);
      expect(standIn.callsOf('deleteWebhook', DELIVERY_TOKEN)).toHaveLength(2);
    });

    it('never puts the token in an error', async () => {
      const offline = new BotApi('http://127.0.0.1:1', WEBHOOK_TOKEN, { timeoutMs: 2000 });
      const error = await offline.getMe().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TelegramNetworkError);
      expect(String((error as Error).message)).not.toContain(WEBHOOK_TOKEN);
      const refused = await new BotApi(standIn.url, '1:unknown').getMe().catch((e: unknown) => e);
      expect(refused).toMatchObject({ status: 401, errorCode: 401, description: 'Unauthorized' });
      expect((refused as Error).message).not.toContain('1:unknown');
    });
  });

  describe('webhook', () => {
    let channel: Channel<'telegram'>;
    const chat = 5001;
    const deliver = (update: TelegramUpdate) => standIn.deliverWebhook(WEBHOOK_TOKEN, update);

    beforeAll(async () => {
      const id = newId('chn');
      const settings = await prepareTelegramChannel({
        config: t.config,
        token: WEBHOOK_TOKEN,
        mode: 'webhook',
        webhookUrl: telegramWebhookUrl(appUrl, id),
        webhookSecret: SECRET,
      });
      expect(settings.webhookError).toBeNull();
      channel = await addChannel(WEBHOOK_TOKEN, { mode: 'webhook', ...settings }, { id });
      expect(standIn.webhookOf(WEBHOOK_TOKEN)).toEqual({
        url: `${appUrl}/channels/telegram/${id}/webhook`,
        secret: SECRET,
      });
    });

    it('refuses a missing or wrong secret with 401 and stores nothing', async () => {
      const update = { update_id: 1, message: message(chat, { text: 'hello?' }) };
      const url = `/channels/telegram/${channel.id}/webhook`;
      for (const headers of [{}, { 'x-telegram-bot-api-secret-token': 'wrong' }]) {
        const res = await t.app.inject({ method: 'POST', url, headers, payload: update });
        expect(res.statusCode, res.body).toBe(401);
        expect(res.json()).toEqual({
          error: { code: 'UNAUTHORIZED', message: expect.any(String), details: null },
        });
      }
      expect(await messagesWith(`tg:${chat}:`)).toEqual([]);
      const tickets = await api.get('/v1/tickets?channel=telegram');
      expect(tickets.json().data).toEqual([]);
    });

    it('answers 404 for an unknown channel, 403 for a disabled one, 400 for a body that is no update', async () => {
      const headers = { 'x-telegram-bot-api-secret-token': SECRET };
      const unknown = await t.app.inject({
        method: 'POST',
        url: `/channels/telegram/${newId('chn')}/webhook`,
        headers,
        payload: { update_id: 1 },
      });
      expect(unknown.statusCode).toBe(404);
      const disabled = await addChannel(
        WEBHOOK_TOKEN,
        { mode: 'webhook', botUsername: null, webhookUrl: null, webhookError: null },
        { enabled: false },
      );
      const off = await t.app.inject({
        method: 'POST',
        url: `/channels/telegram/${disabled.id}/webhook`,
        headers,
        payload: { update_id: 1 },
      });
      expect(off.statusCode).toBe(403);
      const url = `/channels/telegram/${channel.id}/webhook`;
      for (const payload of [[1, 2], { update_id: 'one' }, { message: {} }]) {
        const res = await t.app.inject({ method: 'POST', url, headers, payload });
        expect(res.statusCode, res.body).toBe(400);
        expect(res.json().error.code).toBe('BAD_REQUEST');
      }
    });

    it('opens a ticket on the telegram channel for the chat, and continues it with the next message', async () => {
      const first = {
        update_id: 10,
        message: message(chat, { text: 'My order never arrived\nOrder #1234' }),
      };
      expect(await deliver(first)).toEqual({ status: 200, body: { ok: true } });
      const ticket = await ticketOf(first);
      expect(ticket).toMatchObject({
        channel: 'telegram',
        status: 'open',
        subject: 'My order never arrived',
        customer: { name: 'Ada Lovelace' },
      });
      const list = await api.get('/v1/tickets?channel=telegram');
      expect(list.json().data.map((x: { id: string }) => x.id)).toContain(ticket.id);

      const second = { update_id: 11, message: message(chat, { text: 'Any news?' }) };
      expect((await deliver(second)).status).toBe(200);
      const again = await ticketOf(second);
      expect(again.id).toBe(ticket.id);
      const texts = again.messages
        .filter((m: { role: string }) => m.role === 'customer')
        .map((m: { text: string }) => m.text);
      expect(texts).toEqual(['My order never arrived\nOrder #1234', 'Any news?']);
    });

    it('names a new customer by full name and keeps their @username', async () => {
      const chatId = 700_000 + Math.floor(Math.random() * 100_000);
      // The chat carries only the first name here; the sender's user has the rest.
      const update = {
        update_id: 12,
        message: message(chatId, {
          text: 'Hello',
          chat: { id: chatId, type: 'private', first_name: 'Grace' },
          from: { id: chatId, is_bot: false, first_name: 'Grace', last_name: 'Hopper', username: 'grace' },
        }),
      };
      expect((await deliver(update)).status).toBe(200);
      const ticket = await ticketOf(update);
      expect(ticket.customer).toMatchObject({ name: 'Grace Hopper' });
      const customer = await api.get(`/v1/customers/${ticket.customer.id}`);
      expect(customer.statusCode, customer.body).toBe(200);
      expect(customer.json().customFields).toEqual({ telegramUsername: 'grace' });
    });

    it('stores a redelivered update once', async () => {
      const update = { update_id: 20, message: message(chat, { text: 'Sent twice' }) };
      expect((await deliver(update)).status).toBe(200);
      expect((await deliver(update)).status).toBe(200);
      expect(await messagesWith(`tg:${chat}:${update.message.message_id}`)).toHaveLength(1);
    });

    it('lands a message after the ticket was resolved on a ticket that is not resolved', async () => {
      const update = { update_id: 30, message: message(chat, { text: 'One more thing' }) };
      const [row] = await messagesWith(`tg:${chat}:`);
      const resolved = await api.patch(`/v1/tickets/${row!.ticket_id}`, { status: 'resolved' });
      expect(resolved.statusCode, resolved.body).toBe(200);
      expect((await deliver(update)).status).toBe(200);
      const ticket = await ticketOf(update);
      expect(ticket.status).not.toBe('resolved');
      expect(ticket.messages.some((m: { text: string }) => m.text === 'One more thing')).toBe(true);
    });

    it('attaches the largest photo size and a document', async () => {
      standIn.addFile('photo-small', Buffer.from('small'), 'photos/file_1.jpg');
      standIn.addFile('photo-large', PNG, 'photos/file_2.jpg');
      standIn.addFile('doc-1', PDF, 'documents/file_3.pdf');
      const photoChat = 5002;
      const photo = {
        update_id: 40,
        message: message(photoChat, {
          caption: 'Screenshot of the error',
          photo: [
            { file_id: 'photo-small', file_unique_id: 's', width: 90, height: 60, file_size: 5 },
            { file_id: 'photo-large', file_unique_id: 'l', width: 1280, height: 853, file_size: PNG.length },
          ],
        }),
      };
      const document = {
        update_id: 41,
        message: message(photoChat, {
          document: {
            file_id: 'doc-1',
            file_unique_id: 'd',
            file_name: 'invoice.pdf',
            mime_type: 'application/pdf',
            file_size: PDF.length,
          },
        }),
      };
      expect((await deliver(photo)).status).toBe(200);
      expect((await deliver(document)).status).toBe(200);
      expect(standIn.callsOf('getFile', WEBHOOK_TOKEN).map((c) => c.params.file_id)).toEqual([
        'photo-large',
        'doc-1',
      ]);

      // A redelivered update is a duplicate before anything is downloaded again.
      expect((await deliver(photo)).status).toBe(200);
      expect(standIn.callsOf('getFile', WEBHOOK_TOKEN)).toHaveLength(2);

      const ticket = await ticketOf(document);
      expect(ticket.subject).toBe('Screenshot of the error');
      const customer = ticket.messages.filter((m: { role: string }) => m.role === 'customer');
      expect(customer).toHaveLength(2);
      expect(customer[0].text).toBe('Screenshot of the error');
      expect(customer[0].attachments).toEqual([
        expect.objectContaining({ name: 'photo.jpg', size: PNG.length, contentType: 'image/png' }),
      ]);
      expect(customer[1].attachments).toEqual([
        expect.objectContaining({ name: 'invoice.pdf', size: PDF.length, contentType: 'application/pdf' }),
      ]);
      const content = await api.get(customer[0].attachments[0].url);
      expect(content.statusCode).toBe(200);
      expect(content.rawPayload.equals(PNG)).toBe(true);
    });

    it('ignores edits, bots, service messages and channel posts', async () => {
      const ignoredChat = 5003;
      const updates: TelegramUpdate[] = [
        { update_id: 50, edited_message: message(ignoredChat, { text: 'edited' }) },
        {
          update_id: 51,
          message: message(ignoredChat, { text: 'beep', from: { id: 9, is_bot: true, first_name: 'Bot' } }),
        },
        { update_id: 52, message: message(ignoredChat) },
        {
          update_id: 53,
          channel_post: message(ignoredChat, {
            text: 'news',
            chat: { id: ignoredChat, type: 'channel', title: 'News' },
          }),
        },
      ];
      for (const update of updates) expect((await deliver(update)).status).toBe(200);
      expect(await messagesWith(`tg:${ignoredChat}:`)).toEqual([]);
    });
  });

  describe('long polling', () => {
    it('handles each pushed update once across two pollers, advancing the offset', async () => {
      const setup = await prepareTelegramChannel({
        config: t.config,
        token: POLLING_TOKEN,
        mode: 'polling',
        webhookUrl: null,
        webhookSecret: SECRET,
      });
      const channel = await addChannel(POLLING_TOKEN, { mode: 'polling', ...setup });
      const db = t.database.db.kysely;
      const storage = openBlobStorage(t.config);
      // One log for both pollers, so that entries are in the order things happened.
      const { log, entries } = recordingLog();
      const base = { db, box, config: t.config, storage, pollTimeoutSec: 1, scanIntervalMs: 100 };
      const first = startTelegramPollers({ ...base, log, ownerId: 'poller-1' });
      const second = startTelegramPollers({ ...base, log, ownerId: 'poller-2' });
      const pollState = () =>
        db
          .selectFrom('channels')
          .select(['poll_owner', 'poll_offset'])
          .where('id', '=', channel.id)
          .executeTakeFirstOrThrow();
      const handled = () =>
        entries
          .filter((e) => e.message === 'telegram update handled' && e.details.channelId === channel.id)
          .map((e) => e.details.updateId);
      try {
        const chat = 6001;
        const pushed = ['first', 'second', 'third'].map((text) =>
          standIn.pushUpdate(POLLING_TOKEN, { message: message(chat, { text }) }),
        );
        const last = pushed[pushed.length - 1]!.update_id;
        await until(async () => (await pollState()).poll_offset === last + 1);
        const rows = await messagesWith(`tg:${chat}:`);
        expect(rows.map((r) => r.text)).toEqual(['first', 'second', 'third']);
        expect(new Set(rows.map((r) => r.ticket_id)).size).toBe(1);
        expect(handled()).toEqual(pushed.map((u) => u.update_id));
        expect(standIn.conflicts()).toBe(0);
        const owner = (await pollState()).poll_owner;
        expect(['poller-1', 'poller-2']).toContain(owner);

        // The owner stops: the other takes over and picks up what comes next.
        const [stopped, remaining] = owner === 'poller-1' ? [first, 'poller-2'] : [second, 'poller-1'];
        await stopped.stop();
        const later = standIn.pushUpdate(POLLING_TOKEN, { message: message(chat, { text: 'fourth' }) });
        await until(async () => (await pollState()).poll_offset === later.update_id + 1);
        expect((await pollState()).poll_owner).toBe(remaining);
        expect(handled()).toEqual([...pushed, later].map((u) => u.update_id));
        await until(async () => standIn.pendingUpdates(POLLING_TOKEN).length === 0);

        // Switched off: polling stops and the lease is given back.
        await db.updateTable('channels').set({ enabled: 0 }).where('id', '=', channel.id).execute();
        await until(async () => (await pollState()).poll_owner === null);
        standIn.pushUpdate(POLLING_TOKEN, { message: message(chat, { text: 'while off' }) });
        await new Promise((resolve) => setTimeout(resolve, 1500));
        expect((await messagesWith(`tg:${chat}:`)).map((r) => r.text)).not.toContain('while off');
        expect(standIn.conflicts()).toBe(0);
      } finally {
        await Promise.all([first.stop(), second.stop()]);
      }
      expect((await pollState()).poll_owner).toBeNull();
    });

    it('backs off and keeps polling after Telegram fails', async () => {
      const token = FLAKY_TOKEN;
      await addChannel(token, {
        mode: 'polling',
        botUsername: null,
        webhookUrl: null,
        webhookError: null,
      });
      const db = t.database.db.kysely;
      const { log, entries } = recordingLog();
      standIn.failNext('getUpdates', { status: 502, description: 'Bad Gateway' }, { token });
      const pollers = startTelegramPollers({
        db,
        box,
        config: t.config,
        storage: openBlobStorage(t.config),
        log,
        ownerId: 'poller-3',
        pollTimeoutSec: 1,
        scanIntervalMs: 100,
      });
      try {
        const update = standIn.pushUpdate(token, { message: message(6002, { text: 'after the outage' }) });
        await until(async () => (await messagesWith(`tg:6002:${update.message!.message_id}`)).length === 1);
        expect(entries.some((e) => e.level === 'warn' && e.message === 'telegram polling failed')).toBe(true);
        expect(JSON.stringify(entries.map((e) => String(e.details.err)))).not.toContain(token);
      } finally {
        await pollers.stop();
      }
    });
  });

  describe('delivery', () => {
    const chatId = '7001';
    let channel: Channel<'telegram'>;

    /** What the delivery worker keeps between attempts, in memory. */
    const memoryProgress = (): DeliveryProgress => {
      const progress: DeliveryProgress = {
        sent: 0,
        externalId: null,
        async record(sent, externalId) {
          progress.sent = sent;
          progress.externalId = externalId;
        },
      };
      return progress;
    };

    const context = (
      text: string,
      attachments: DeliveryContext['message']['attachments'] = [],
      chat: string | null = chatId,
      progress: DeliveryProgress = memoryProgress(),
    ): DeliveryContext<'telegram'> => ({
      config: t.config,
      db: t.database.db.kysely,
      storage: openBlobStorage(t.config),
      bus: new MemoryBus(),
      box,
      channel,
      ticket: { id: 'tkt_1', code: 'ACME-1', subject: 'Help' },
      customer: { id: 'cus_1', name: 'Ada', email: null },
      message: { id: 'msg_1', text, agentName: 'Bob', createdAt: Date.now(), attachments },
      thread: [],
      chatId: chat,
      progress,
    });

    beforeAll(async () => {
      channel = await addChannel(DELIVERY_TOKEN, {
        mode: 'webhook',
        botUsername: null,
        webhookUrl: null,
        webhookError: null,
      });
    });

    it('sends the text to the chat and keeps the sent message id', async () => {
      const before = standIn.callsOf('sendMessage', DELIVERY_TOKEN).length;
      const result = await deliverTelegram(context('Your parcel is on its way.'));
      const calls = standIn.callsOf('sendMessage', DELIVERY_TOKEN).slice(before);
      expect(calls.map((c) => c.params)).toEqual([
        { chat_id: Number(chatId), text: 'Your parcel is on its way.' },
      ]);
      expect(result.externalId).toMatch(new RegExp(`^tg:${chatId}:\\d+$`));
    });

    it('splits text over 4096 characters into several messages', async () => {
      const long = `${'a'.repeat(3000)}\n${'b'.repeat(3000)}`;
      expect(splitText(long)).toEqual(['a'.repeat(3000), 'b'.repeat(3000)]);
      expect(splitText('x'.repeat(9000)).map((c) => c.length)).toEqual([4096, 4096, 808]);
      const before = standIn.callsOf('sendMessage', DELIVERY_TOKEN).length;
      await deliverTelegram(context(long));
      expect(standIn.callsOf('sendMessage', DELIVERY_TOKEN).slice(before)).toHaveLength(2);
    });

    it('sends attachments as documents', async () => {
      const file = {
        name: 'label.pdf',
        contentType: 'application/pdf',
        size: PDF.length,
        open: async () => Readable.from([PDF]),
      };
      const before = standIn.callsOf('sendDocument', DELIVERY_TOKEN).length;
      await deliverTelegram(context('Here is the label', [file]));
      const [call] = standIn.callsOf('sendDocument', DELIVERY_TOKEN).slice(before);
      expect(call!.params.chat_id).toBe(chatId);
      expect(call!.files).toEqual([
        { field: 'document', name: 'label.pdf', contentType: 'application/pdf', data: PDF },
      ]);
    });

    it('resumes after the parts already sent when a later part fails, so the customer gets each once', async () => {
      const file = {
        name: 'label.pdf',
        contentType: 'application/pdf',
        size: PDF.length,
        open: async () => Readable.from([PDF]),
      };
      const progress = memoryProgress();
      const texts = standIn.callsOf('sendMessage', DELIVERY_TOKEN).length;
      const documents = standIn.callsOf('sendDocument', DELIVERY_TOKEN).length;
      standIn.failNext('sendDocument', { status: 502, description: 'Bad Gateway' }, { times: 2 });
      for (let attempt = 0; attempt < 2; attempt++) {
        await expect(deliverTelegram(context('Your label', [file], chatId, progress))).rejects.toBeInstanceOf(
          TelegramApiError,
        );
      }
      const result = await deliverTelegram(context('Your label', [file], chatId, progress));
      expect(standIn.callsOf('sendMessage', DELIVERY_TOKEN).slice(texts)).toHaveLength(1);
      expect(standIn.callsOf('sendDocument', DELIVERY_TOKEN).slice(documents)).toHaveLength(3);
      expect(progress.sent).toBe(2);
      // The id is the first part's, sent on the first attempt.
      expect(result.externalId).toBe(progress.externalId);
      expect(result.externalId).toMatch(new RegExp(`^tg:${chatId}:\\d+$`));
    });

    it('turns 429 into RetryLater with retry_after, 403 into PermanentFailure, and keeps 5xx transient', async () => {
      standIn.failNext('sendMessage', {
        status: 429,
        description: 'Too Many Requests: retry after 7',
        retryAfter: 7,
      });
      const limited = await deliverTelegram(context('hi')).catch((e: unknown) => e);
      expect(limited).toBeInstanceOf(RetryLater);
      expect((limited as RetryLater).delayMs).toBe(7000);

      standIn.failNext('sendMessage', { status: 403, description: 'Forbidden: bot was blocked by the user' });
      const blocked = await deliverTelegram(context('hi')).catch((e: unknown) => e);
      expect(blocked).toBeInstanceOf(PermanentFailure);
      expect((blocked as Error).message).toBe('Forbidden: bot was blocked by the user');

      standIn.failNext('sendMessage', { status: 400, description: 'Bad Request: chat not found' });
      await expect(deliverTelegram(context('hi'))).rejects.toBeInstanceOf(PermanentFailure);

      standIn.failNext('sendMessage', { status: 502, description: 'Bad Gateway' });
      await expect(deliverTelegram(context('hi'))).rejects.toBeInstanceOf(TelegramApiError);

      await expect(deliverTelegram(context('hi', [], null))).rejects.toBeInstanceOf(PermanentFailure);
    });
  });
});
