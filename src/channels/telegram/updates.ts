import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { findByExternalId } from '../../modules/messages/messages.service.js';
import type { BlobStorage } from '../../storage/storage.js';
import { receiveMessage, type InboundResult } from '../inbound.js';
import type { Channel, InboundFile } from '../types.js';
import { TelegramApiError, TelegramFileTooLarge, type BotApi } from './bot-api.js';
import type {
  TelegramChat,
  TelegramMessage,
  TelegramPhotoSize,
  TelegramUpdate,
  TelegramUser,
} from './telegram.types.js';

export interface UpdateDeps {
  db: Kysely<Database>;
  storage: BlobStorage;
  api: BotApi;
  channel: Channel<'telegram'>;
  /** Larger files are not downloaded; the message says so instead. */
  maxFileBytes: number;
}

const SUBJECT_LENGTH = 80;
const DEFAULT_SUBJECT = 'Telegram message';
/** Chats a customer writes in; channel posts are broadcasts, not conversations. */
const CONVERSATION_CHATS = new Set<TelegramChat['type']>(['private', 'group', 'supergroup']);

/** The message id Talki keeps for a Telegram message, unique per org: chat and message id. */
export function telegramExternalId(chatId: string | number, messageId: number): string {
  return `tg:${chatId}:${messageId}`;
}

/** Who the chat is: a person's full name (first and last), else their username, else the group's title. */
export function chatName(chat: TelegramChat, from?: TelegramUser): string | null {
  // A private chat is the person: their user names them when the chat omits a part.
  const person = chat.type === 'private' ? { ...from, ...withoutEmpty(chat) } : chat;
  const name = [person.first_name, person.last_name]
    .map((part) => part?.trim())
    .filter(Boolean)
    .join(' ');
  return name || person.username || chat.title || null;
}

const withoutEmpty = <T extends object>(value: T): Partial<T> =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;

/** Customer fields a new chat customer gets: their @username, which the name alone loses. */
export function chatCustomFields(chat: TelegramChat, from?: TelegramUser): Record<string, string> {
  const username = chat.type === 'private' ? (chat.username ?? from?.username) : undefined;
  return username ? { telegramUsername: username } : {};
}

/** A new ticket's subject: the text's first line, at most 80 characters. */
export function subjectOf(text: string): string {
  const line = text.trim().split('\n', 1)[0]?.trim() ?? '';
  if (!line) return DEFAULT_SUBJECT;
  const chars = [...line];
  return chars.length <= SUBJECT_LENGTH ? line : `${chars.slice(0, SUBJECT_LENGTH - 1).join('')}…`;
}

function largest(sizes: TelegramPhotoSize[] | undefined): TelegramPhotoSize | undefined {
  return sizes?.reduce((best, size) => (size.width * size.height >= best.width * best.height ? size : best));
}

interface Wanted {
  fileId: string;
  size: number | undefined;
  /** The name to store; undefined: derived from Telegram's file path. */
  name: string | undefined;
  declaredType: string | undefined;
}

/** A file fetched, or why it could not be (a line for the message, so the agent knows). */
type Fetched = { file: InboundFile } | { missing: string };

async function fetchFile(api: BotApi, wanted: Wanted, maxBytes: number): Promise<Fetched> {
  const label = wanted.name ? `"${wanted.name}"` : 'a photo';
  const missing = (reason: string) => ({ missing: `[Attachment ${label} was not received: ${reason}]` });
  if (wanted.size !== undefined && wanted.size > maxBytes) return missing(`larger than ${maxBytes} bytes`);
  try {
    const file = await api.getFile(wanted.fileId);
    if (!file.file_path) return missing('Telegram does not serve it');
    const content = await api.downloadFile(file.file_path, maxBytes);
    const extension = path.posix.extname(file.file_path);
    return {
      file: { filename: wanted.name ?? `photo${extension}`, declaredType: wanted.declaredType, content },
    };
  } catch (error) {
    if (error instanceof TelegramFileTooLarge) return missing(`larger than ${maxBytes} bytes`);
    // Refused for good (Telegram's 20 MB limit, a stale file id); 429 and 5xx are worth a retry.
    if (
      error instanceof TelegramApiError &&
      error.status >= 400 &&
      error.status < 500 &&
      error.status !== 429
    ) {
      return missing(error.description);
    }
    throw error;
  }
}

function wantedFiles(message: TelegramMessage): Wanted[] {
  const wanted: Wanted[] = [];
  const photo = largest(message.photo);
  if (photo) {
    wanted.push({
      fileId: photo.file_id,
      size: photo.file_size,
      name: undefined,
      declaredType: 'image/jpeg',
    });
  }
  const document = message.document;
  if (document) {
    wanted.push({
      fileId: document.file_id,
      size: document.file_size,
      name: document.file_name ?? 'document',
      declaredType: document.mime_type,
    });
  }
  return wanted;
}

/**
 * One update from Telegram (webhook or long poll): a customer's message in a private chat or
 * a group becomes a message on the chat's open ticket, its photo or document attached. Edits,
 * bots, channel posts and service messages (joins, pins…) are ignored: null. A redelivered
 * update is a duplicate and downloads nothing.
 */
export async function handleUpdate(deps: UpdateDeps, update: TelegramUpdate): Promise<InboundResult | null> {
  const message = update.message;
  if (!message || !CONVERSATION_CHATS.has(message.chat.type) || message.from?.is_bot) return null;
  // Telegram's chat ids are integers; anything else can't be answered.
  if (!Number.isSafeInteger(message.chat.id) || !Number.isSafeInteger(message.message_id)) return null;
  const text = message.text ?? message.caption ?? '';
  const wanted = wantedFiles(message);
  if (!text.trim() && wanted.length === 0) return null;

  const { db, storage, channel } = deps;
  const externalId = telegramExternalId(message.chat.id, message.message_id);
  const files: InboundFile[] = [];
  const notes: string[] = [];
  if (!(await findByExternalId(db, channel.orgId, externalId))) {
    for (const item of wanted) {
      const fetched = await fetchFile(deps.api, item, deps.maxFileBytes);
      if ('file' in fetched) files.push(fetched.file);
      else notes.push(fetched.missing);
    }
  }
  return receiveMessage(db, storage, {
    orgId: channel.orgId,
    channelType: 'telegram',
    channelId: channel.id,
    customer: {
      contact: {
        externalId: String(message.chat.id),
        name: chatName(message.chat, message.from),
        customFields: chatCustomFields(message.chat, message.from),
      },
    },
    threading: { mode: 'open-ticket' },
    subject: subjectOf(text),
    text: [text, ...notes].filter(Boolean).join('\n\n'),
    externalId,
    files,
  });
}
