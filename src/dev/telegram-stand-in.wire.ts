/** The Bot API's wire format as the stand-in speaks it: answers, recorded calls, parameters. */
import type http from 'node:http';
import type { TelegramMessage, TelegramUpdate } from '../channels/telegram/telegram.types.js';

export interface RecordedFile {
  field: string;
  name: string;
  contentType: string;
  data: Buffer;
}

export interface RecordedCall {
  token: string;
  method: string;
  params: Record<string, unknown>;
  files: RecordedFile[];
}

export interface Failure {
  status: number;
  description: string;
  retryAfter?: number;
}

export interface Webhook {
  url: string;
  secret: string | undefined;
}

export interface Bot {
  updates: TelegramUpdate[];
  nextUpdateId: number;
  nextMessageId: number;
  webhook: Webhook | null;
  /** What the bot sent (sendMessage, sendDocument), for the operator's `GET /stand-in/bot<token>/sent`. */
  outbox: TelegramMessage[];
  /** The pending long poll, answered early when updates arrive or another poll replaces it. */
  waiting: { wake: () => void; conflict: () => void } | null;
}

export interface StoredFile {
  path: string;
  content: Buffer;
}

export type Answer = { status: number; body: unknown };

export const ok = (result: unknown): Answer => ({ status: 200, body: { ok: true, result } });
export const refuse = (status: number, description: string, retryAfter?: number): Answer => ({
  status,
  body: {
    ok: false,
    error_code: status,
    description,
    ...(retryAfter === undefined ? {} : { parameters: { retry_after: retryAfter } }),
  },
});

export async function readBody(request: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Parameters as Telegram takes them: query string, JSON, urlencoded or multipart form. */
export async function paramsOf(request: http.IncomingMessage, url: URL) {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const files: RecordedFile[] = [];
  const body = await readBody(request);
  const type = request.headers['content-type'] ?? '';
  if (body.length === 0) return { params, files };
  if (type.startsWith('application/json')) {
    Object.assign(params, JSON.parse(body.toString('utf8')));
  } else if (type.startsWith('multipart/form-data') || type.startsWith('application/x-www-form-urlencoded')) {
    const form = await new Response(body, { headers: { 'content-type': type } }).formData();
    for (const [field, value] of form) {
      if (typeof value === 'string') params[field] = value;
      else {
        files.push({
          field,
          name: value.name,
          contentType: value.type,
          data: Buffer.from(await value.arrayBuffer()),
        });
      }
    }
  }
  return { params, files };
}
