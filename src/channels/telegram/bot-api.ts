import type { TelegramFile, TelegramMessage, TelegramUpdate, TelegramUser } from './telegram.types.js';

const DEFAULT_TIMEOUT_MS = 15_000;

/** The only updates Talki asks Telegram for (edits, reactions, joins… are not conversations). */
const ALLOWED_UPDATES = ['message'];

/** Telegram answered, and refused: `{ok:false, error_code, description, parameters}`. */
export class TelegramApiError extends Error {
  constructor(
    readonly method: string,
    /** The HTTP status of the answer. */
    readonly status: number,
    readonly errorCode: number,
    readonly description: string,
    /** Seconds to wait before asking again (on 429). */
    readonly retryAfter?: number,
  ) {
    super(`Telegram ${method} failed (${errorCode}): ${description}`);
    this.name = 'TelegramApiError';
  }
}

/** Telegram could not be reached, or did not answer in time: worth trying again later. */
export class TelegramNetworkError extends Error {
  constructor(
    readonly method: string,
    reason: string,
  ) {
    super(`Telegram ${method}: ${reason}`);
    this.name = 'TelegramNetworkError';
  }
}

/** A file to download was larger than the caller accepts. */
export class TelegramFileTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`The file is larger than ${maxBytes} bytes`);
    this.name = 'TelegramFileTooLarge';
  }
}

export interface OutgoingDocument {
  name: string;
  contentType: string;
  data: Buffer;
}

interface Envelope {
  ok?: boolean;
  result?: unknown;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
}

/** What a failed request says about itself, without any URL (the URL carries the token). */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  if (cause && typeof cause === 'object') {
    const code = typeof cause.code === 'string' ? `${cause.code} ` : '';
    return `${code}${typeof cause.message === 'string' ? cause.message : error.message}`;
  }
  return error.message;
}

/**
 * A client of one bot's Bot API. The token is part of every URL, so no URL ever leaves this
 * class: errors name the method, never the address.
 */
export class BotApi {
  readonly #token: string;
  private readonly timeoutMs: number;

  constructor(
    private readonly baseUrl: string,
    token: string,
    options: { timeoutMs?: number } = {},
  ) {
    this.#token = token;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  getMe(): Promise<TelegramUser> {
    return this.call('getMe', {});
  }

  setWebhook(url: string, secretToken: string): Promise<true> {
    return this.call('setWebhook', { url, secret_token: secretToken, allowed_updates: ALLOWED_UPDATES });
  }

  deleteWebhook(): Promise<true> {
    return this.call('deleteWebhook', {});
  }

  /** A long poll: waits up to `timeoutSec` for updates from `offset` on (all unconfirmed ones when null). */
  getUpdates(offset: number | null, timeoutSec: number, signal?: AbortSignal): Promise<TelegramUpdate[]> {
    return this.call(
      'getUpdates',
      { ...(offset === null ? {} : { offset }), timeout: timeoutSec, allowed_updates: ALLOWED_UPDATES },
      { signal, timeoutMs: this.timeoutMs + timeoutSec * 1000 },
    );
  }

  sendMessage(chatId: string | number, text: string): Promise<TelegramMessage> {
    return this.call('sendMessage', { chat_id: numericChatId(chatId), text });
  }

  sendDocument(chatId: string | number, file: OutgoingDocument, caption?: string): Promise<TelegramMessage> {
    const form = new FormData();
    form.append('chat_id', String(chatId));
    if (caption) form.append('caption', caption);
    form.append('document', new Blob([file.data], { type: file.contentType }), file.name);
    return this.call('sendDocument', form);
  }

  getFile(fileId: string): Promise<TelegramFile> {
    return this.call('getFile', { file_id: fileId });
  }

  /** The bytes of a file getFile named; rejects with TelegramFileTooLarge past `maxBytes`. */
  async downloadFile(filePath: string, maxBytes: number): Promise<Buffer> {
    const url = `${this.baseUrl}/file/bot${this.#token}/${filePath}`;
    return this.exchange('downloadFile', url, { method: 'GET' }, {}, async (response) => {
      if (!response.ok) throw await this.refusal('downloadFile', response);
      const declared = Number(response.headers.get('content-length') ?? 0);
      if (declared > maxBytes) {
        await response.body?.cancel();
        throw new TelegramFileTooLarge(maxBytes);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      if (response.body) {
        for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
          size += chunk.byteLength;
          if (size > maxBytes) throw new TelegramFileTooLarge(maxBytes);
          chunks.push(Buffer.from(chunk));
        }
      }
      return Buffer.concat(chunks);
    });
  }

  private async call<T>(
    method: string,
    body: Record<string, unknown> | FormData,
    options: { signal?: AbortSignal | undefined; timeoutMs?: number } = {},
  ): Promise<T> {
    const init: RequestInit =
      body instanceof FormData
        ? { method: 'POST', body }
        : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    const url = `${this.baseUrl}/bot${this.#token}/${method}`;
    return this.exchange(method, url, init, options, async (response) => {
      const envelope = await this.envelopeOf(response);
      if (envelope?.ok === true) return envelope.result as T;
      if (envelope === undefined && response.ok) throw new TelegramNetworkError(method, 'unreadable answer');
      throw this.apiError(method, response, envelope);
    });
  }

  /** One request and the reading of its answer, under one deadline; failures told apart. */
  private async exchange<T>(
    method: string,
    url: string,
    init: RequestInit,
    options: { signal?: AbortSignal | undefined; timeoutMs?: number },
    read: (response: Response) => Promise<T>,
  ): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    try {
      return await read(await fetch(url, { ...init, signal }));
    } catch (error) {
      if (
        error instanceof TelegramApiError ||
        error instanceof TelegramNetworkError ||
        error instanceof TelegramFileTooLarge
      ) {
        throw error;
      }
      // The caller gave up (a poller stopping): not a failure of Telegram's.
      if (options.signal?.aborted) throw options.signal.reason;
      if (deadline.aborted) throw new TelegramNetworkError(method, `no answer within ${timeoutMs} ms`);
      throw new TelegramNetworkError(method, this.redact(reasonOf(error)));
    }
  }

  private async envelopeOf(response: Response): Promise<Envelope | undefined> {
    const text = await response.text();
    try {
      const value: unknown = JSON.parse(text);
      return value !== null && typeof value === 'object' ? value : undefined;
    } catch {
      return undefined;
    }
  }

  private apiError(method: string, response: Response, envelope: Envelope | undefined): TelegramApiError {
    const retryAfter = envelope?.parameters?.retry_after;
    return new TelegramApiError(
      method,
      response.status,
      envelope?.error_code ?? response.status,
      this.redact(envelope?.description ?? `HTTP ${response.status}`),
      typeof retryAfter === 'number' ? retryAfter : undefined,
    );
  }

  private async refusal(method: string, response: Response): Promise<TelegramApiError> {
    return this.apiError(method, response, await this.envelopeOf(response));
  }

  private redact(text: string): string {
    return this.#token ? text.split(this.#token).join('<token>') : text;
  }
}

/** Chat ids are stored as text; Telegram documents them as integers, so numeric ones go out as numbers. */
function numericChatId(chatId: string | number): string | number {
  return typeof chatId === 'string' && /^-?\d{1,16}$/.test(chatId) ? Number(chatId) : chatId;
}
