/**
 * Table types as Kysely sees them. Times are epoch milliseconds (BIGINT) on both dialects so
 * that comparisons, sorting and cursors behave identically; the API renders them as ISO 8601.
 */
export interface OrgsTable {
  id: string;
  name: string;
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
}

export interface CustomersTable {
  id: string;
  org_id: string;
  name: string | null;
  email: string | null;
  email_lower: string | null;
  user_id: string | null;
  created_at: number;
  updated_at: number;
}

export type TicketStatus = 'open' | 'pending' | 'resolved';
export type TicketChannel = 'widget' | 'email' | 'telegram' | 'api';

export interface TicketsTable {
  id: string;
  org_id: string;
  status: TicketStatus;
  channel: TicketChannel;
  subject: string;
  customer_id: string;
  assigned_to: string | null;
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

export type MessageRole = 'customer' | 'agent';

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
  created_at: number;
}

export interface Database {
  orgs: OrgsTable;
  agents: AgentsTable;
  org_members: OrgMembersTable;
  api_keys: ApiKeysTable;
  customers: CustomersTable;
  tickets: TicketsTable;
  ticket_tags: TicketTagsTable;
  messages: MessagesTable;
}
