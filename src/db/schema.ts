import type { Generated } from 'kysely';

/**
 * Table types as Kysely sees them. Times are epoch milliseconds (BIGINT) on both dialects so
 * that comparisons, sorting and cursors behave identically; the API renders them as ISO 8601.
 */
export interface OrgsTable {
  id: string;
  name: string;
  /** Prefix of human ticket codes (ACME-42). */
  code_prefix: Generated<string>;
  /** Last ticket number handed out (PostgreSQL; SQLite derives the next one from the tickets). */
  ticket_seq: Generated<number>;
  /** Requests per minute for this org's keys without their own limit; null = the server default. */
  default_rate_limit: number | null;
  time_zone: Generated<string>;
  /** Shown to customers as the author of replies no person wrote (API keys); null = the org's name. */
  support_name: string | null;
  created_at: number;
  updated_at: number;
}

/** A person who answers tickets; may belong to several orgs through `org_members`. */
export interface AgentsTable {
  id: string;
  email: string;
  email_lower: string;
  name: string;
  password_hash: string | null;
  created_at: number;
  updated_at: number;
}

export type AgentRole = 'admin' | 'agent';

export interface OrgMembersTable {
  org_id: string;
  agent_id: string;
  role: AgentRole;
  /** 1 active, 0 deactivated (kept for history: their messages and assignments stay readable). */
  active: number;
  created_at: number;
}

/**
 * A pending invitation of an existing person (agent_id) into an org. `id` is what the org sees
 * as the agent's id until the person accepts; email, name and role are the org's own input.
 */
export interface OrgInvitationsTable {
  id: string;
  org_id: string;
  agent_id: string;
  email: string;
  name: string;
  role: AgentRole;
  /** The membership's `active` once accepted (an admin may deactivate a pending one). */
  active: number;
  invited_by: string | null;
  created_at: number;
}

export type ApiKeyKind = 'secret' | 'widget';
export type ApiKeyScope = 'read' | 'write';

export interface ApiKeysTable {
  id: string;
  org_id: string;
  kind: ApiKeyKind;
  name: string;
  /** The first characters of the key, shown to humans to tell keys apart. */
  prefix: string;
  /** SHA-256 (hex) of the whole key; the key itself is never stored for secret keys. */
  key_hash: string;
  /** Widget keys are public by design and shown again in the admin; null for secret keys. */
  public_key: string | null;
  scope: ApiKeyScope;
  /** Requests per rolling minute; null = the server default, 0 = unlimited. */
  rate_limit: number | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  /** After this instant (epoch ms) the key no longer authenticates; null = never expires. */
  expires_at: number | null;
}

/** Values the server generates once and every process shares, e.g. the JWT signing key. */
export interface ServerSecretsTable {
  name: string;
  value: string;
  created_at: number;
}

/**
 * One refresh token of an agent's login session. Each refresh spends the token (used_at) and
 * issues the next one in the same family; presenting a spent token revokes the whole family.
 */
export interface RefreshTokensTable {
  id: string;
  /** The session: every token issued from one login shares it (sess_…). */
  family_id: string;
  agent_id: string;
  /** SHA-256 (hex) of the token; the token itself is never stored. */
  token_hash: string;
  expires_at: number;
  used_at: number | null;
  revoked_at: number | null;
  created_at: number;
  user_agent: string | null;
  ip: string | null;
}

export interface CustomersTable {
  id: string;
  org_id: string;
  name: string | null;
  email: string | null;
  email_lower: string | null;
  /** The company's own id for the person; unique per org. */
  user_id: string | null;
  /** A userId a widget visitor gave unsigned: shown to agents as unverified, never matched on. */
  claimed_user_id: string | null;
  /** An address a widget visitor typed that another customer holds: theirs, so kept apart here. */
  claimed_email: string | null;
  phone: string | null;
  company: string | null;
  /** JSON object of the org's own fields (string, number, boolean values). */
  custom_fields: Generated<string>;
  /** Set on deletion: the row stays as a tombstone (contact data cleared) so tickets keep their customer. */
  deleted_at: number | null;
  created_at: number;
  updated_at: number;
}

export type TicketStatus = 'open' | 'pending' | 'resolved';
export type TicketPriority = 'low' | 'normal' | 'high' | 'urgent';
export type TicketChannel = 'widget' | 'email' | 'telegram' | 'api';

export interface TicketsTable {
  id: string;
  org_id: string;
  status: TicketStatus;
  channel: TicketChannel;
  subject: string;
  customer_id: string;
  assigned_to: string | null;
  /** Per-org sequential number: the `42` of ACME-42. */
  number: number | null;
  priority: Generated<TicketPriority>;
  /** 1 low … 4 urgent, kept with `priority` for index-ordered sorting. */
  priority_rank: Generated<number>;
  /** JSON object of the org's own fields. */
  custom_fields: Generated<string>;
  /** Set when this ticket was merged into another. */
  merged_into: string | null;
  /** The channel (email address, Telegram bot) the ticket came in on; replies go out through it. */
  channel_id: Generated<string | null>;
  /** Sum of the ticket's time entries, kept with each entry change. */
  time_spent_minutes: Generated<number>;
  created_at: number;
  updated_at: number;
}

/**
 * A ticket's tags. `ticket_updated_at` mirrors the ticket's updated_at so that a tag filter
 * sorted by recent activity reads one index in order instead of sorting every tagged ticket.
 */
export interface TicketTagsTable {
  org_id: string;
  ticket_id: string;
  tag: string;
  /** Order the tags were given in, so the API returns them as they were set. */
  position: number;
  ticket_updated_at: number;
}

export type MessageRole = 'customer' | 'agent' | 'system';

export interface MessagesTable {
  id: string;
  org_id: string;
  ticket_id: string;
  role: MessageRole;
  text: string;
  /** Who wrote it, as shown at the time: an agent's name or the posting API key's name. */
  author_name: string | null;
  agent_id: string | null;
  api_key_id: string | null;
  /** 1 for internal notes: shown to agents, never delivered to the customer. */
  internal: Generated<number>;
  /** System messages: JSON describing the change they record. */
  data: string | null;
  /** Agent messages on a delivering channel: where delivery to the customer stands. */
  delivery_status: Generated<DeliveryStatus | null>;
  /** The last delivery attempt's error, kept until a later attempt succeeds. */
  delivery_error: Generated<string | null>;
  delivered_at: Generated<number | null>;
  /** Parts of a delivery in several (Telegram text chunks and files) that went out already. */
  delivery_parts: Generated<number>;
  /** The channel's id for the message (email Message-ID, Telegram "chat:message"): dedupe and threading. */
  external_id: Generated<string | null>;
  /** Sanitised HTML body of an email. */
  html: Generated<string | null>;
  /** Customer mail: JSON {text, authenticationResults}, the whole text before quotes were folded away. */
  source: Generated<string | null>;
  created_at: number;
}

export type DeliveryStatus = 'queued' | 'sent' | 'failed';

export interface TagsTable {
  id: string;
  org_id: string;
  name: string;
  color: string | null;
  created_at: number;
  updated_at: number;
}

/** The event log: every change, in commit order per org, for export, webhooks and realtime. */
export interface EventsTable {
  id: string;
  org_id: string;
  type: string;
  subject_id: string | null;
  actor_type: string | null;
  actor_id: string | null;
  /** JSON payload: the changed resource as the API shows it, plus change details. */
  data: string;
  created_at: number;
  /**
   * Commit order, set by the database (see 0012_event_stream): the writer's xid8 on
   * PostgreSQL, an integer on SQLite. Read it cast to text.
   */
  stream_pos: Generated<string>;
}

export interface IdempotencyKeysTable {
  org_id: string;
  key: string;
  actor_id: string;
  /** Hash of method, path and body: the same key with a different request is a conflict. */
  fingerprint: string;
  /** Null while the first request is still running. */
  status_code: number | null;
  response_body: string | null;
  created_at: number;
}

/** Time an agent spent on a ticket; `date` is the day worked (YYYY-MM-DD, org time zone). */
export interface TimeEntriesTable {
  id: string;
  org_id: string;
  ticket_id: string;
  /** The agent the time is for; null only once that agent is gone. */
  agent_id: string | null;
  minutes: number;
  note: string | null;
  date: string;
  created_by_type: string;
  created_by_id: string;
  created_at: number;
  updated_at: number;
}

/** An uploaded file; `message_id` is set once a message claims it as an attachment. */
export interface UploadsTable {
  id: string;
  org_id: string;
  message_id: string | null;
  uploader_type: string;
  uploader_id: string;
  /** Sanitised display name; never used as a storage path. */
  name: string;
  size: number;
  /** Sniffed from the bytes, never taken from the client. */
  content_type: string;
  /** What the client claimed, kept for diagnosis only. */
  declared_type: string | null;
  sha256: string;
  storage_key: string;
  created_at: number;
}

/** What a search document describes; `ref_id` is that thing's id. */
export type SearchKind = 'ticket' | 'article' | 'customer';

/**
 * One searchable thing as normalised search text (lower-cased, accents folded, words only).
 * The full-text index over it differs per dialect (FTS5 on SQLite, a tsvector column on
 * PostgreSQL) and is reached only through db/search.ts.
 */
export interface SearchDocumentsTable {
  org_id: string;
  kind: SearchKind;
  ref_id: string;
  title: string;
  body: string;
}

/** A group of knowledge-base articles, shown in `position` order. */
export interface CollectionsTable {
  id: string;
  org_id: string;
  name: string;
  /** Unique per org. */
  slug: string;
  description: string | null;
  position: number;
  created_at: number;
  updated_at: number;
}

export type ArticleStatus = 'draft' | 'published';

/** A knowledge-base article; only published ones are visible through the widget key. */
export interface ArticlesTable {
  id: string;
  org_id: string;
  collection_id: string | null;
  title: string;
  /** Unique per org; never contains "_", so it can't be mistaken for an id. */
  slug: string;
  /** Markdown. */
  body: string;
  status: ArticleStatus;
  /** When it was last published; null while a draft. */
  published_at: number | null;
  /** Who wrote it, as shown at the time: the caller's type, id and name. */
  author_type: string;
  author_id: string;
  author_name: string;
  created_at: number;
  updated_at: number;
}

export type JobStatus = 'pending' | 'running' | 'done' | 'dead';

/**
 * The durable job queue. A job is enqueued in the transaction of the change that causes it,
 * claimed by one worker under a lease, retried with backoff, and `dead` past its horizon.
 */
export interface JobsTable {
  id: string;
  org_id: string | null;
  type: string;
  /** JSON. */
  payload: string;
  status: JobStatus;
  attempts: Generated<number>;
  /** Not before this instant (epoch ms). */
  run_at: number;
  /** The worker holding the job while it runs ("host:pid:random"). */
  locked_by: string | null;
  /** A running job whose lease has passed is claimed again (its worker died). */
  locked_until: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

/** One run of a job: who ran it, when, and how it failed (null error = success). */
export interface JobAttemptsTable {
  job_id: string;
  attempt: number;
  worker: string;
  started_at: number;
  finished_at: number | null;
  error: string | null;
}

export type ChannelType = 'email' | 'telegram' | 'widget';

export interface ChannelsTable {
  id: string;
  org_id: string;
  type: ChannelType;
  name: string;
  enabled: Generated<number>;
  /** JSON of the non-secret settings. */
  settings: Generated<string>;
  /** Encrypted JSON of the secret settings (see channels.secrets.ts); never sent to clients. */
  secrets: string | null;
  /** SHA-256 (hex) of the capability in an email channel's inbound URL; the token itself is not kept. */
  inbound_token: string | null;
  /** An email channel's address, lower-cased (unique across orgs: SMTP routes by it). */
  address: string | null;
  poll_owner: Generated<string | null>;
  poll_lease_until: Generated<number | null>;
  poll_offset: Generated<number | null>;
  created_at: number;
  updated_at: number;
}

/** The customer behind a chat on a channel without email addresses (a Telegram chat id). */
export interface ChannelContactsTable {
  channel_id: string;
  external_id: string;
  org_id: string;
  customer_id: string;
  created_at: number;
}

/** A browser using the widget; a returning visitor presents the token to see their history. */
export interface WidgetVisitorsTable {
  id: string;
  org_id: string;
  token_hash: string;
  customer_id: string | null;
  /** The site's user id, only when the site signed it (HMAC) — never from an unsigned claim. */
  user_id: string | null;
  /** The userId (or older visitorId) the page gave unsigned: recorded, never trusted. */
  claimed_user_id: string | null;
  created_at: number;
  last_seen_at: number;
}

/** A saved answer agents insert by shortcut; `body` may hold placeholders the inbox fills in. */
export interface CannedRepliesTable {
  id: string;
  org_id: string;
  /** Unique per org: lowercase letters, digits, - and _. */
  shortcut: string;
  title: string;
  body: string;
  /** The agent who wrote it; null when an API key did. */
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface Database {
  orgs: OrgsTable;
  agents: AgentsTable;
  org_members: OrgMembersTable;
  org_invitations: OrgInvitationsTable;
  api_keys: ApiKeysTable;
  customers: CustomersTable;
  tickets: TicketsTable;
  ticket_tags: TicketTagsTable;
  messages: MessagesTable;
  tags: TagsTable;
  events: EventsTable;
  idempotency_keys: IdempotencyKeysTable;
  server_secrets: ServerSecretsTable;
  refresh_tokens: RefreshTokensTable;
  time_entries: TimeEntriesTable;
  uploads: UploadsTable;
  search_documents: SearchDocumentsTable;
  collections: CollectionsTable;
  articles: ArticlesTable;
  jobs: JobsTable;
  job_attempts: JobAttemptsTable;
  channels: ChannelsTable;
  channel_contacts: ChannelContactsTable;
  widget_visitors: WidgetVisitorsTable;
  canned_replies: CannedRepliesTable;
}
