import { randomBytes } from 'node:crypto';
import type { Config } from '../../config.js';
import { invalidField } from '../../http/errors.js';
import type { TelegramMode, TelegramSettings } from '../types.js';
import { BotApi, TelegramApiError } from './bot-api.js';

/** What BotFather hands out: the bot's id, a colon, and the secret part. */
const TOKEN_FORMAT = /^\d+:[A-Za-z0-9_-]+$/;

export interface TelegramSetupInput {
  config: Pick<Config, 'telegramApiUrl'>;
  token: string;
  mode: TelegramMode;
  /** Where Telegram should post updates (webhook mode); see telegramWebhookUrl. */
  webhookUrl: string | null;
  webhookSecret: string;
}

export type TelegramSetup = Omit<TelegramSettings, 'mode'>;

/** The webhook address of a channel on a server reachable at `publicUrl` (no trailing slash). */
export function telegramWebhookUrl(publicUrl: string, channelId: string): string {
  return `${publicUrl}/channels/telegram/${encodeURIComponent(channelId)}/webhook`;
}

/** A secret for X-Telegram-Bot-Api-Secret-Token: 43 characters of Telegram's allowed A-Z a-z 0-9 _ -. */
export function newWebhookSecret(): string {
  return randomBytes(32).toString('base64url');
}

function reasonOf(error: unknown): string {
  if (error instanceof TelegramApiError) return error.description;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Checks a bot token and points the bot at Talki, when an admin saves a Telegram channel. A
 * token Telegram rejects is the admin's mistake (400); Telegram being unreachable is not, so
 * the channel is saved anyway and any webhook failure is reported in its settings.
 */
export async function prepareTelegramChannel(input: TelegramSetupInput): Promise<TelegramSetup> {
  if (!TOKEN_FORMAT.test(input.token)) {
    throw invalidField('botToken', 'is not a Telegram bot token (123456789:AA…, from @BotFather)');
  }
  const api = new BotApi(input.config.telegramApiUrl, input.token);
  let botUsername: string | null = null;
  try {
    botUsername = (await api.getMe()).username ?? null;
  } catch (error) {
    if (error instanceof TelegramApiError && error.status === 401) {
      throw invalidField('botToken', 'Telegram does not accept this bot token');
    }
  }

  if (input.mode === 'polling') {
    // A webhook left registered would make every getUpdates fail with 409.
    await api.deleteWebhook().catch(() => undefined);
    return { botUsername, webhookUrl: null, webhookError: null };
  }
  if (!input.webhookUrl) {
    return { botUsername, webhookUrl: null, webhookError: 'No public URL to register the webhook at' };
  }
  let webhookError: string | null = null;
  try {
    await api.setWebhook(input.webhookUrl, input.webhookSecret);
  } catch (error) {
    webhookError = reasonOf(error);
  }
  return { botUsername, webhookUrl: input.webhookUrl, webhookError };
}

/** Stops Telegram posting to a channel that is being deleted; Telegram being unreachable is no reason to keep it. */
export async function teardownTelegramChannel(
  config: Pick<Config, 'telegramApiUrl'>,
  token: string,
): Promise<void> {
  await new BotApi(config.telegramApiUrl, token).deleteWebhook().catch(() => undefined);
}
