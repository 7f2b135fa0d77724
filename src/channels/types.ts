import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { ChannelType, Database } from '../db/schema.js';
import type { RealtimeBus } from '../realtime/bus.js';
import type { SecretBox } from './secret-box.js';
import type { BlobStorage } from '../storage/storage.js';

/** An email channel: the address customers write to and replies come from. */
export interface EmailSettings {
  address: string;
  displayName: string | null;
}
export interface EmailSecrets {
  /** Overrides the server's SMTP_URL for this channel's replies. */
  smtpUrl?: string;
}

export type TelegramMode = 'webhook' | 'polling';
export interface TelegramSettings {
  mode: TelegramMode;
  /** From getMe when the channel was saved; null when the Bot API did not say. */
  botUsername: string | null;
  /** Where Telegram was told to send updates (webhook mode). */
  webhookUrl: string | null;
  /** Why registering the webhook failed, if it did. */
  webhookError: string | null;
}
export interface TelegramSecrets {
  botToken: string;
  /** Telegram sends it back in X-Telegram-Bot-Api-Secret-Token on every webhook call. */
  webhookSecret: string;
}

export interface WidgetSettings {
  /** Origins (https://shop.example) whose pages may use the widget; empty = any origin. */
  allowedOrigins: string[];
  /** Accent colour, #rrggbb. */
  color: string;
  title: string;
  greeting: string;
  /** A visitor must give an email address before the first message. */
  requireEmail: boolean;
  /** Only signed identities may claim a userId (unsigned ones are refused, not just ignored). */
  requireSignedIdentity: boolean;
}
export interface WidgetSecrets {
  /** HMAC-SHA256 key for signed identities: signature = hex(HMAC(identitySecret, userId)). */
  identitySecret?: string;
}

export interface SettingsOf {
  email: EmailSettings;
  telegram: TelegramSettings;
  widget: WidgetSettings;
}
export interface SecretsOf {
  email: EmailSecrets;
  telegram: TelegramSecrets;
  widget: WidgetSecrets;
}

/** A channel as the server uses it, secrets decrypted. */
export interface Channel<T extends ChannelType = ChannelType> {
  id: string;
  orgId: string;
  type: T;
  name: string;
  enabled: boolean;
  settings: SettingsOf[T];
  secrets: SecretsOf[T];
}

/** A file that arrived with an inbound message (an email attachment, a Telegram photo). */
export interface InboundFile {
  filename: string | undefined;
  declaredType: string | undefined;
  content: Buffer;
}

/** A stored file of an outbound message, as a channel adapter sends it. */
export interface OutboundFile {
  name: string;
  contentType: string;
  size: number;
  open(): Promise<Readable>;
}

/** Everything an adapter needs to deliver one agent message to the customer. */
export interface DeliveryContext<T extends ChannelType = ChannelType> {
  config: Config;
  db: Kysely<Database>;
  storage: BlobStorage;
  /** Live events (the widget's delivery is a publish to the visitor's open widgets). */
  bus: RealtimeBus;
  /** Channel keys: email Message-IDs carry a MAC made with them. */
  box: SecretBox;
  channel: Channel<T>;
  ticket: {
    id: string;
    /** ACME-42 */
    code: string;
    subject: string;
  };
  customer: { id: string; name: string | null; email: string | null };
  message: {
    id: string;
    text: string;
    agentName: string | null;
    createdAt: number;
    attachments: OutboundFile[];
  };
  /**
   * The external ids (email Message-IDs) of the ticket's earlier messages, oldest first: what
   * In-Reply-To / References are built from.
   */
  thread: string[];
  /** Telegram: the chat the customer writes from. */
  chatId: string | null;
  /**
   * A delivery in several parts (Telegram: text chunks, then files) resumes where an earlier
   * attempt stopped, so a retry does not send the customer what they already have: `sent`
   * parts went out (the first as `externalId`); call `record` after each part.
   */
  progress: DeliveryProgress;
}

export interface DeliveryProgress {
  sent: number;
  externalId: string | null;
  record(sent: number, externalId: string | null): Promise<void>;
}

/** What a delivery produced: the channel's id for the sent message, kept on the message. */
export interface DeliveryResult {
  externalId: string | null;
}

export type ChannelAdapter<T extends ChannelType> = (context: DeliveryContext<T>) => Promise<DeliveryResult>;
