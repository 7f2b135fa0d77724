import type { Readable } from 'node:stream';
import { PermanentFailure, RetryLater } from '../../jobs/errors.js';
import type { ChannelAdapter } from '../types.js';
import { BotApi, TelegramApiError } from './bot-api.js';
import { telegramExternalId } from './updates.js';

/** Telegram's limit for one text message, in UTF-16 code units. */
export const MAX_MESSAGE_LENGTH = 4096;

/**
 * Text cut into messages Telegram accepts: at a line break or a space in the second half of
 * the window when there is one, never inside a surrogate pair.
 */
export function splitText(text: string, limit = MAX_MESSAGE_LENGTH): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    const separator = Math.max(window.lastIndexOf('\n'), window.lastIndexOf(' '));
    if (separator >= limit / 2) {
      chunks.push(rest.slice(0, separator));
      rest = rest.slice(separator + 1);
      continue;
    }
    const last = rest.charCodeAt(limit - 1);
    const cut = last >= 0xd800 && last <= 0xdbff ? limit - 1 : limit;
    chunks.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  chunks.push(rest);
  // Telegram refuses blank messages.
  return chunks.filter((chunk) => chunk.trim() !== '');
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

/** Telegram's refusal as the job queue understands it; anything else stays transient. */
function jobError(error: unknown): unknown {
  if (!(error instanceof TelegramApiError)) return error;
  if (error.status === 429) {
    return new RetryLater(`Telegram asks to wait: ${error.description}`, (error.retryAfter ?? 1) * 1000);
  }
  // 400 chat not found, 401 token revoked, 403 bot blocked by the user, 404…: retrying cannot help.
  if (error.status >= 400 && error.status < 500) return new PermanentFailure(error.description);
  return error;
}

/**
 * Delivers an agent's message to the customer's chat: the text (in as many messages as it
 * takes), then each attachment as a document. Telegram can't tell a repeated send from a new
 * one, so each part is recorded as it goes out and a retry resumes after the last one sent.
 * The first sent message's id is kept.
 */
export const deliverTelegram: ChannelAdapter<'telegram'> = async (context) => {
  const { chatId, message, progress } = context;
  if (!chatId) throw new PermanentFailure('The customer has no Telegram chat to write to');
  const api = new BotApi(context.config.telegramApiUrl, context.channel.secrets.botToken);
  const parts: Array<() => Promise<{ message_id: number }>> = [
    ...splitText(message.text).map((chunk) => () => api.sendMessage(chatId, chunk)),
    ...message.attachments.map((file) => async () => {
      const data = await readAll(await file.open());
      return api.sendDocument(chatId, { name: file.name, contentType: file.contentType, data });
    }),
  ];
  let externalId = progress.externalId;
  try {
    for (let part = progress.sent; part < parts.length; part++) {
      const sent = await parts[part]!();
      externalId ??= telegramExternalId(chatId, sent.message_id);
      await progress.record(part + 1, externalId);
    }
  } catch (error) {
    throw jobError(error);
  }
  return { externalId };
};
