/**
 * A local stand-in for Telegram's Bot API (https://core.telegram.org/bots/api), enough for
 * Talki's Telegram channel: getMe, setWebhook, deleteWebhook, getUpdates (a real long poll over
 * pushed updates, with offsets, and Telegram's 409 when two pollers or a webhook compete),
 * sendMessage, sendDocument (multipart), getFile and file downloads. Every call is recorded;
 * failures can be injected per method. The tests drive it from code; operators run it with
 * `talki dev telegram-stand-in` and play the customer through its `/stand-in/` routes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TelegramMessage, TelegramUpdate, TelegramUser } from '../channels/telegram/telegram.types.js';
import {
  ok,
  paramsOf,
  readBody,
  refuse,
  type Answer,
  type Bot,
  type Failure,
  type RecordedCall,
  type RecordedFile,
  type StoredFile,
  type Webhook,
} from './telegram-stand-in.wire.js';

export type { Failure, RecordedCall, RecordedFile, Webhook } from './telegram-stand-in.wire.js';

export interface StandInOptions {
  /** The bot tokens it knows (others get 401); unset: any token shaped like Telegram's, `<digits>:<text>`. */
  tokens?: string[];
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

const TOKEN_SHAPE = /^\d+:[A-Za-z0-9_-]+$/;

export async function startTelegramStandIn(options: StandInOptions = {}) {
  const known = options.tokens ? new Set(options.tokens) : undefined;
  const tokens = { has: (token: string) => (known ? known.has(token) : TOKEN_SHAPE.test(token)) };
  const bots = new Map<string, Bot>();
  const files = new Map<string, StoredFile>();
  const failures: Array<{ method: string; token: string | undefined; failure: Failure }> = [];
  const calls: RecordedCall[] = [];
  let conflicts = 0;
  let nextFile = 1;

  const bot = (token: string): Bot => {
    let found = bots.get(token);
    if (!found) {
      found = {
        updates: [],
        nextUpdateId: 1000,
        nextMessageId: 1,
        webhook: null,
        outbox: [],
        waiting: null,
      };
      bots.set(token, found);
    }
    return found;
  };

  function sent(state: Bot, chatId: unknown, extra: Partial<TelegramMessage>): TelegramMessage {
    const message: TelegramMessage = {
      message_id: state.nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat: { id: Number(chatId), type: 'private' },
      ...extra,
    };
    state.outbox.push(message);
    return message;
  }

  function pushUpdate(
    token: string,
    update: Omit<TelegramUpdate, 'update_id'> & { update_id?: number },
  ): TelegramUpdate {
    const state = bot(token);
    const full: TelegramUpdate = { ...update, update_id: update.update_id ?? state.nextUpdateId++ };
    state.updates.push(full);
    state.waiting?.wake();
    return full;
  }

  async function deliverWebhook(token: string, update: TelegramUpdate) {
    const webhook = bot(token).webhook;
    if (!webhook) throw new Error('no webhook registered for this bot');
    const response = await fetch(webhook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(webhook.secret ? { 'x-telegram-bot-api-secret-token': webhook.secret } : {}),
      },
      body: JSON.stringify(update),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /**
   * The operator's side of the stand-in: `POST /stand-in/bot<token>/updates` with
   * `{"text","chatId"?,"firstName"?,"lastName"?,"username"?}` is a customer writing to the bot (posted to the webhook
   * if one is set, else queued for getUpdates); `GET /stand-in/bot<token>/sent` lists what the
   * bot sent back.
   */
  async function operator(token: string, action: string, request: http.IncomingMessage): Promise<Answer> {
    if (!tokens.has(token)) return refuse(401, 'Unauthorized');
    if (action === 'sent' && request.method === 'GET') return ok(bot(token).outbox);
    if (action !== 'updates' || request.method !== 'POST') return refuse(404, 'Not Found');
    let input: {
      text?: unknown;
      chatId?: unknown;
      firstName?: unknown;
      lastName?: unknown;
      username?: unknown;
    };
    try {
      input = JSON.parse((await readBody(request)).toString('utf8') || '{}') as typeof input;
    } catch {
      return refuse(400, 'Bad Request: the body must be JSON like {"text":"Hello"}');
    }
    if (typeof input.text !== 'string' || input.text === '') {
      return refuse(400, 'Bad Request: "text" is required');
    }
    const chatId = input.chatId === undefined ? 1001 : Number(input.chatId);
    if (!Number.isSafeInteger(chatId)) return refuse(400, 'Bad Request: "chatId" must be an integer');
    const firstName =
      typeof input.firstName === 'string' && input.firstName ? input.firstName : 'Test Customer';
    const from: TelegramUser = {
      id: chatId,
      is_bot: false,
      first_name: firstName,
      ...(typeof input.lastName === 'string' && input.lastName ? { last_name: input.lastName } : {}),
      ...(typeof input.username === 'string' && input.username ? { username: input.username } : {}),
    };
    const message: TelegramMessage = {
      // One sequence with the bot's own messages, as in a real chat: Talki keys messages by chat and id.
      message_id: bot(token).nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat: {
        id: chatId,
        type: 'private',
        first_name: firstName,
        ...(from.last_name ? { last_name: from.last_name } : {}),
        ...(from.username ? { username: from.username } : {}),
      },
      from,
      text: input.text,
    };
    if (!bot(token).webhook) return ok({ via: 'getUpdates', update: pushUpdate(token, { message }) });
    const update: TelegramUpdate = { update_id: bot(token).nextUpdateId++, message };
    const delivered = await deliverWebhook(token, update).catch((error: unknown) => ({
      status: 0,
      body: { error: String(error) },
    }));
    return ok({ via: 'webhook', update, webhookStatus: delivered.status, webhookBody: delivered.body });
  }

  async function getUpdates(state: Bot, params: Record<string, unknown>): Promise<Answer> {
    if (state.webhook) {
      return refuse(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    const offset = params.offset === undefined ? undefined : Number(params.offset);
    // Asking from an offset confirms (forgets) every update before it, as Telegram does.
    if (offset !== undefined) state.updates = state.updates.filter((u) => u.update_id >= offset);
    const timeoutSec = Number(params.timeout ?? 0);
    if (state.updates.length === 0 && timeoutSec > 0) {
      state.waiting?.conflict();
      const outcome = await new Promise<'wake' | 'conflict'>((resolve) => {
        const timer = setTimeout(() => finish('wake'), timeoutSec * 1000);
        const finish = (how: 'wake' | 'conflict') => {
          clearTimeout(timer);
          if (state.waiting === waiting) state.waiting = null;
          resolve(how);
        };
        const waiting = { wake: () => finish('wake'), conflict: () => finish('conflict') };
        state.waiting = waiting;
      });
      if (outcome === 'conflict') {
        conflicts += 1;
        return refuse(
          409,
          'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
        );
      }
    }
    return ok(state.updates.slice(0, Number(params.limit ?? 100)));
  }

  async function answer(
    token: string,
    method: string,
    params: Record<string, unknown>,
    sentFiles: RecordedFile[],
  ): Promise<Answer> {
    const state = bot(token);
    switch (method) {
      case 'getMe': {
        const id = Number(token.split(':')[0]);
        const me: TelegramUser = { id, is_bot: true, first_name: 'Talki Test', username: `talki${id}_bot` };
        return ok(me);
      }
      case 'setWebhook':
        state.webhook = { url: String(params.url), secret: params.secret_token as string | undefined };
        return ok(true);
      case 'deleteWebhook':
        state.webhook = null;
        return ok(true);
      case 'getUpdates':
        return getUpdates(state, params);
      case 'sendMessage':
        return ok(sent(state, params.chat_id, { text: String(params.text) }));
      case 'sendDocument': {
        const document = sentFiles.find((f) => f.field === 'document');
        if (!document) return refuse(400, 'Bad Request: there is no document in the request');
        return ok(
          sent(state, params.chat_id, {
            document: {
              file_id: `sent-${nextFile++}`,
              file_unique_id: `u-${nextFile}`,
              file_name: document.name,
              mime_type: document.contentType,
              file_size: document.data.length,
            },
            ...(typeof params.caption === 'string' ? { caption: params.caption } : {}),
          }),
        );
      }
      case 'getFile': {
        const file = files.get(String(params.file_id));
        if (!file) return refuse(400, 'Bad Request: invalid file_id');
        return ok({
          file_id: params.file_id,
          file_unique_id: `u-${String(params.file_id)}`,
          file_size: file.content.length,
          file_path: file.path,
        });
      }
      default:
        return refuse(404, 'Not Found');
    }
  }

  async function route(request: http.IncomingMessage): Promise<Answer | { status: number; raw: Buffer }> {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (download) {
      const [, token, path] = download;
      if (!tokens.has(token!)) return refuse(401, 'Unauthorized');
      const file = [...files.values()].find((f) => f.path === decodeURIComponent(path!));
      return file ? { status: 200, raw: file.content } : refuse(404, 'Not Found');
    }
    const control = /^\/stand-in\/bot([^/]+)\/([a-z]+)$/.exec(url.pathname);
    if (control) return operator(control[1]!, control[2]!, request);
    const call = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!call) return refuse(404, 'Not Found');
    const [, token, method] = call as unknown as [string, string, string];
    const { params, files: sentFiles } = await paramsOf(request, url);
    calls.push({ token, method, params, files: sentFiles });
    if (!tokens.has(token)) return refuse(401, 'Unauthorized');
    const injected = failures.findIndex((f) => f.method === method && (f.token ?? token) === token);
    if (injected >= 0) {
      const { failure } = failures.splice(injected, 1)[0]!;
      return refuse(failure.status, failure.description, failure.retryAfter);
    }
    return answer(token, method, params, sentFiles);
  }

  const server = http.createServer((request, response) => {
    route(request).then(
      (result) => {
        if ('raw' in result) {
          response.writeHead(result.status, {
            'content-type': 'application/octet-stream',
            'content-length': result.raw.length,
          });
          response.end(result.raw);
          return;
        }
        response.writeHead(result.status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(result.body));
      },
      (error: unknown) => {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ ok: false, error_code: 500, description: String(error) }));
      },
    );
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  return {
    /** The base URL to configure as TELEGRAM_API_URL. */
    url: `http://${shownHost}:${port}`,
    calls,
    callsOf: (method: string, token?: string) =>
      calls.filter((c) => c.method === method && (token === undefined || c.token === token)),
    /** How many long polls another poll of the same bot cut short (Telegram's 409): 0 when one process polls. */
    conflicts: () => conflicts,
    webhookOf: (token: string): Webhook | null => bot(token).webhook,
    /** Queues an update for the bot (update_id assigned when missing) and wakes a waiting long poll. */
    pushUpdate,
    /** Updates not yet confirmed by a getUpdates with a higher offset. */
    pendingUpdates: (token: string) => [...bot(token).updates],
    /** Makes a file downloadable through getFile + /file/bot<token>/<path>. */
    addFile(fileId: string, content: Buffer, path = `documents/file_${nextFile++}`) {
      files.set(fileId, { path, content });
    },
    /** The next `times` calls of `method` (by any bot, or by `token`'s) fail with this answer. */
    failNext(method: string, failure: Failure, options: { times?: number; token?: string } = {}) {
      for (let i = 0; i < (options.times ?? 1); i++) failures.push({ method, token: options.token, failure });
    },
    /** Posts an update to the bot's registered webhook with its secret, as Telegram does. */
    deliverWebhook,
    async close() {
      for (const state of bots.values()) state.waiting?.wake();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type TelegramStandIn = Awaited<ReturnType<typeof startTelegramStandIn>>;
