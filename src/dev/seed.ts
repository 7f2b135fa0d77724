import { randomBytes } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import type {
  CustomersTable,
  Database,
  MessagesTable,
  SearchDocumentsTable,
  TicketChannel,
  TicketPriority,
  TicketStatus,
  TicketsTable,
  TicketTagsTable,
} from '../db/schema.js';
import { MAX_BODY_CHARS, MAX_TITLE_CHARS, searchText } from '../db/search.js';
import { reserveTicketNumbers } from '../db/sequences.js';
import { idAt } from '../lib/ids.js';
import { addAgent, type AgentView } from '../modules/agents/agents.service.js';
import { ticketCodePrefix } from '../modules/orgs/orgs.service.js';
import {
  AGENT_NAMES,
  AGENT_TEXTS,
  COMPANIES,
  CUSTOMER_TEXTS,
  DOMAINS,
  FIRST_NAMES,
  LAST_NAMES,
  NOTE_TEXTS,
  SUBJECTS,
  TAGS,
} from './seed.data.js';

/**
 * `talki dev seed`: a large, realistic org written straight into the tables the app reads —
 * tickets with their per-org numbers, customers, tags, messages and the search documents
 * (db/search.ts's normalised text, so FTS5/tsvector index them as the app would) — in bulk
 * inserts, a transaction per batch. No events are recorded: a seed is not activity to replay.
 */

export interface SeedOptions {
  orgId: string;
  tickets: number;
  /** Called with a line of progress (the CLI prints it on stderr). */
  progress?: (line: string) => void;
  /** Deterministic by default, so two seeds of the same size look alike. */
  seed?: number;
}

export interface SeedResult {
  tickets: number;
  customers: number;
  messages: number;
  agents: AgentView[];
  /** Codes of the first and last seeded tickets (null when none were asked for). */
  firstCode: string | null;
  lastCode: string | null;
  seconds: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const SPREAD_MS = 180 * DAY_MS;
const BATCH_TICKETS = 2_000;
const MAX_CUSTOMERS = 2_000;
const PRIORITY_RANK: Record<TicketPriority, number> = { low: 1, normal: 2, high: 3, urgent: 4 };
/** Bound parameters per statement, well under SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_PARAMS = 16_000;

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
function weighted<T extends string>(random: Random, weights: ReadonlyArray<readonly [T, number]>): T {
  const total = weights.reduce((sum, [, w]) => sum + w, 0);
  let roll = random() * total;
  for (const [value, w] of weights) {
    roll -= w;
    if (roll < 0) return value;
  }
  return weights.at(-1)![0];
}
const fill = (random: Random, text: string) =>
  text.replace('{n}', String(10_000 + Math.floor(random() * 90_000)));

async function insertChunked<T extends keyof Database>(
  db: Kysely<Database>,
  table: T,
  rows: Insertable<Database[T]>[],
): Promise<void> {
  if (rows.length === 0) return;
  const size = Math.max(1, Math.floor(MAX_PARAMS / Object.keys(rows[0]!).length));
  for (let i = 0; i < rows.length; i += size) {
    await db
      .insertInto(table)
      .values(rows.slice(i, i + size))
      .execute();
  }
}

interface SeedCustomer {
  id: string;
  name: string;
  email: string;
}

function customerRows(
  orgId: string,
  count: number,
  random: Random,
  run: string,
): Insertable<CustomersTable>[] {
  const start = Date.now() - SPREAD_MS - DAY_MS;
  return Array.from({ length: count }, (_, i) => {
    const first = pick(random, FIRST_NAMES);
    const last = pick(random, LAST_NAMES);
    const email = `${first}.${last}.${i + 1}.${run}@${pick(random, DOMAINS)}`
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase();
    const at = start + i;
    return {
      id: idAt('cus', at),
      org_id: orgId,
      name: `${first} ${last}`,
      email,
      email_lower: email,
      user_id: null,
      claimed_user_id: null,
      claimed_email: null,
      phone: null,
      company: pick(random, COMPANIES),
      deleted_at: null,
      created_at: at,
      updated_at: at,
    };
  });
}

function statusFor(random: Random, ageMs: number): TicketStatus {
  // Recent tickets are still being worked on; old ones are mostly done.
  return ageMs < 14 * DAY_MS
    ? weighted(random, [
        ['open', 45],
        ['pending', 20],
        ['resolved', 35],
      ] as const)
    : weighted(random, [
        ['open', 6],
        ['pending', 6],
        ['resolved', 88],
      ] as const);
}

interface Batch {
  tickets: Insertable<TicketsTable>[];
  messages: Insertable<MessagesTable>[];
  tags: Insertable<TicketTagsTable>[];
  documents: Insertable<SearchDocumentsTable>[];
}

function buildBatch(
  orgId: string,
  times: number[],
  firstNumber: number,
  customers: SeedCustomer[],
  agents: AgentView[],
  random: Random,
  now: number,
): Batch {
  const batch: Batch = { tickets: [], messages: [], tags: [], documents: [] };
  times.forEach((createdAt, i) => {
    const id = idAt('tkt', createdAt);
    const customer = pick(random, customers);
    const status = statusFor(random, now - createdAt);
    const priority = weighted(random, [
      ['low', 15],
      ['normal', 60],
      ['high', 18],
      ['urgent', 7],
    ] as const);
    const channel = weighted<TicketChannel>(random, [
      ['email', 40],
      ['widget', 30],
      ['telegram', 15],
      ['api', 15],
    ]);
    const unassigned = random() < (status === 'resolved' ? 0.05 : 0.4);
    const assignee = unassigned ? null : pick(random, agents);
    const subject = fill(random, pick(random, SUBJECTS));

    const count = 1 + Math.floor(random() * 4);
    const texts: string[] = [];
    let at = createdAt;
    for (let m = 0; m < count; m++) {
      if (m > 0) at = Math.min(now, at + 60_000 + Math.floor(random() * 2 * DAY_MS));
      const byCustomer = m === 0 || (m % 2 === 0 && random() < 0.7);
      const note = !byCustomer && random() < 0.2;
      const agent = assignee ?? pick(random, agents);
      const text = fill(
        random,
        byCustomer ? pick(random, CUSTOMER_TEXTS) : pick(random, note ? NOTE_TEXTS : AGENT_TEXTS),
      );
      texts.push(text);
      batch.messages.push({
        // Distinct, rising times within a ticket, so its thread reads in order by id.
        id: idAt('msg', at + m),
        org_id: orgId,
        ticket_id: id,
        role: byCustomer ? 'customer' : 'agent',
        text,
        author_name: byCustomer ? customer.name : agent.name,
        agent_id: byCustomer ? null : agent.id,
        api_key_id: null,
        internal: note ? 1 : 0,
        data: null,
        delivery_status: byCustomer || note ? null : 'sent',
        delivered_at: byCustomer || note ? null : at + m,
        created_at: at + m,
      });
    }
    const updatedAt = at + count - 1;
    batch.tickets.push({
      id,
      org_id: orgId,
      number: firstNumber + i,
      status,
      priority,
      priority_rank: PRIORITY_RANK[priority],
      channel,
      subject,
      customer_id: customer.id,
      assigned_to: assignee?.id ?? null,
      custom_fields: '{}',
      merged_into: null,
      created_at: createdAt,
      updated_at: updatedAt,
    });
    const tagCount = Math.floor(random() * 4);
    const names = new Set<string>();
    while (names.size < tagCount) names.add(pick(random, TAGS)[0]);
    [...names].forEach((tag, position) =>
      batch.tags.push({ org_id: orgId, ticket_id: id, tag, position, ticket_updated_at: updatedAt }),
    );
    // The same document tickets.search.ts writes: subject as title; customer and conversation as body.
    batch.documents.push({
      org_id: orgId,
      kind: 'ticket',
      ref_id: id,
      title: searchText(subject, MAX_TITLE_CHARS),
      body: searchText([customer.name, customer.email, texts.join('\n')].join('\n'), MAX_BODY_CHARS),
    });
  });
  return batch;
}

/** Seeds `options.tickets` tickets (with 5 new agents, up to 2,000 customers and 12 tags) into an org. */
export async function seedOrg(db: Kysely<Database>, options: SeedOptions): Promise<SeedResult> {
  const started = Date.now();
  const progress = options.progress ?? (() => {});
  const random = prng(options.seed ?? 42);
  const run = randomBytes(3).toString('hex');
  const { orgId } = options;
  const prefix = await ticketCodePrefix(db, orgId);

  const agents: AgentView[] = [];
  for (const name of AGENT_NAMES) {
    const local = name.toLowerCase().replace(/[^a-z]+/g, '.');
    agents.push(await addAgent(db, { orgId, email: `${local}.${run}@seed.localhost`, name, role: 'agent' }));
  }
  const now = Date.now();
  await db
    .insertInto('tags')
    .values(
      TAGS.map(([name, color], i) => ({
        id: idAt('tag', now - SPREAD_MS - 2 * DAY_MS + i),
        org_id: orgId,
        name,
        color,
        created_at: now,
        updated_at: now,
      })),
    )
    .onConflict((oc) => oc.columns(['org_id', 'name']).doNothing())
    .execute();

  const customerCount = Math.min(MAX_CUSTOMERS, Math.max(1, options.tickets));
  const customers = customerRows(orgId, customerCount, random, run);
  await db.transaction().execute((trx) => insertChunked(trx, 'customers', customers));
  const seedCustomers = customers.map((c) => ({ id: c.id, name: c.name!, email: c.email! }));
  progress(`seed: ${agents.length} agents, ${TAGS.length} tags, ${customerCount} customers`);

  const times = Array.from({ length: options.tickets }, () => now - Math.floor(random() * SPREAD_MS)).sort(
    (a, b) => a - b,
  );
  const firstNumber = options.tickets > 0 ? await reserveTicketNumbers(db, orgId, options.tickets) : 0;
  let messages = 0;
  for (let offset = 0; offset < options.tickets; offset += BATCH_TICKETS) {
    const batch = buildBatch(
      orgId,
      times.slice(offset, offset + BATCH_TICKETS),
      firstNumber + offset,
      seedCustomers,
      agents,
      random,
      now,
    );
    await db.transaction().execute(async (trx) => {
      await insertChunked(trx, 'tickets', batch.tickets);
      await insertChunked(trx, 'messages', batch.messages);
      await insertChunked(trx, 'ticket_tags', batch.tags);
      await insertChunked(trx, 'search_documents', batch.documents);
    });
    messages += batch.messages.length;
    const done = Math.min(options.tickets, offset + BATCH_TICKETS);
    progress(`seed: ${done}/${options.tickets} tickets (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  return {
    tickets: options.tickets,
    customers: customerCount,
    messages,
    agents,
    firstCode: options.tickets > 0 ? `${prefix}-${firstNumber}` : null,
    lastCode: options.tickets > 0 ? `${prefix}-${firstNumber + options.tickets - 1}` : null,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
}
