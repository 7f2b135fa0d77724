import {
  CompiledQuery,
  sql,
  type Insertable,
  type Kysely,
  type KyselyPlugin,
  type RootOperationNode,
} from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectName } from '../src/db/database.js';
import type { Database, MessagesTable, TicketTagsTable, TicketsTable } from '../src/db/schema.js';
import { newId } from '../src/lib/ids.js';
import { addAgent } from '../src/modules/agents/agents.service.js';
import { findApiKeyByHash } from '../src/modules/api-keys/api-keys.queries.js';
import { hashKey } from '../src/modules/api-keys/api-keys.secrets.js';
import { messagesOf } from '../src/modules/messages/messages.queries.js';
import { createOrg, type CreatedOrg } from '../src/modules/orgs/orgs.service.js';
import {
  countByStatus,
  countTickets,
  findTicket,
  listTickets,
  lockTicket,
  tagsOf,
  type TicketFilters,
} from '../src/modules/tickets/tickets.queries.js';
import { TICKET_SORTS, type TicketSort } from '../src/modules/tickets/tickets.schemas.js';
import { DIALECTS, createTestDatabase, type TestDatabase } from './support/databases.js';

/**
 * Every list and lookup the API issues must reach its rows through an index, never by reading
 * the whole table: the SQL is captured from the real query functions, then EXPLAINed on a
 * seeded, ANALYZEd database (EXPLAIN QUERY PLAN on SQLite, EXPLAIN (FORMAT JSON) on
 * PostgreSQL). Where an index was built to supply a list's order, the plan must not sort.
 * TALKI_EXPLAIN=1 prints every plan.
 */

/** Tables whose rows must only be reached through an index seek. */
const INDEXED_TABLES = ['tickets', 'ticket_tags', 'messages', 'api_keys'];
const ALIASES: Record<string, string> = { t: 'tickets', tt: 'ticket_tags', c: 'customers' };

interface Plan {
  /** Tables read without an index (full scans). */
  fullScans: string[];
  /** Tables read through an index seek. */
  indexed: string[];
  /** The seek conditions, e.g. `org_id=? AND status=?`. */
  seeks: string[];
  /** A sort step the index could not spare (SQLite's temp B-tree for ORDER BY, PostgreSQL's Sort). */
  sorts: boolean;
  text: string;
}

/** Records the operation node of every query built through it, so the SQL can be compiled again. */
class Capture implements KyselyPlugin {
  nodes: RootOperationNode[] = [];
  transformQuery({ node }: { node: RootOperationNode }): RootOperationNode {
    this.nodes.push(node);
    return node;
  }
  transformResult<T>({ result }: { result: T }): Promise<T> {
    return Promise.resolve(result);
  }
}

async function compiled(
  db: Kysely<Database>,
  run: (db: Kysely<Database>) => Promise<unknown>,
): Promise<CompiledQuery> {
  const capture = new Capture();
  await run(db.withPlugin(capture));
  // A subquery's builder passes through the plugin too; the executed query is the last one.
  const node = capture.nodes.at(-1);
  if (!node) throw new Error('the query function ran no query');
  return db.getExecutor().compileQuery(node, { queryId: 'explain' });
}

interface SqlitePlanRow {
  detail: string;
}

function sqlitePlan(rows: SqlitePlanRow[]): Plan {
  const fullScans: string[] = [];
  const indexed: string[] = [];
  const seeks: string[] = [];
  for (const { detail } of rows) {
    // "SCAN t", "SCAN t USING INDEX x", "SEARCH t USING INDEX tickets_org_id_idx (org_id=?)"
    const match = /^(SCAN|SEARCH) (\w+)(.*)$/.exec(detail);
    if (!match) continue;
    const table = ALIASES[match[2]!] ?? match[2]!;
    if (!INDEXED_TABLES.includes(table)) continue;
    // A SCAN walks the table or a whole index: every org's rows. An automatic index is built
    // from such a scan for this one query.
    const how = match[3]!;
    const seek =
      match[1] === 'SEARCH' && /USING (COVERING )?INDEX|PRIMARY KEY/.test(how) && !how.includes('AUTOMATIC');
    (seek ? indexed : fullScans).push(table);
    if (seek) seeks.push(`${table}: ${how}`);
  }
  return {
    fullScans,
    indexed,
    seeks,
    sorts: rows.some((r) => r.detail.includes('USE TEMP B-TREE')),
    text: rows.map((r) => r.detail).join('\n'),
  };
}

interface PgNode {
  'Node Type': string;
  'Relation Name'?: string;
  Alias?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Sort Key'?: string[];
  Plans?: PgNode[];
}

function pgPlan(root: PgNode): Plan {
  const fullScans: string[] = [];
  const indexed: string[] = [];
  const seeks: string[] = [];
  const lines: string[] = [];
  let sorts = false;
  const walk = (node: PgNode, depth: number): void => {
    const type = node['Node Type'];
    const table = node['Relation Name'];
    const index = node['Index Name'];
    const cond = node['Index Cond'];
    lines.push(
      `${'  '.repeat(depth)}${type}${index ? ` using ${index}` : ''}${table ? ` on ${table} ${node.Alias ?? ''}` : ''}` +
        `${cond ? ` (${cond})` : ''}${node['Sort Key'] ? ` by ${node['Sort Key'].join(', ')}` : ''}`,
    );
    if (table && INDEXED_TABLES.includes(table)) {
      // Bitmap heap scans are fed by a bitmap index scan; an index scan with no Index Cond
      // walks the whole index (every org's rows), which is a sequential scan in disguise.
      const seek = type === 'Bitmap Heap Scan' || (type.startsWith('Index') && cond !== undefined);
      (seek ? indexed : fullScans).push(table);
    }
    if (cond) seeks.push(`${table ?? index}: ${cond}`);
    if (type === 'Sort' || type === 'Incremental Sort') sorts = true;
    node.Plans?.forEach((child) => walk(child, depth + 1));
  };
  walk(root, 0);
  return { fullScans, indexed, seeks, sorts, text: lines.join('\n') };
}

/**
 * The plan of `query`. On PostgreSQL the test tables are tiny, so sequential scans (and, with
 * `avoidSort`, sorts) are switched off for the one transaction: what remains is the index
 * path the planner would take on a real inbox, and a sort that remains has no index to spare it.
 */
async function explain(
  dialect: DialectName,
  db: Kysely<Database>,
  query: CompiledQuery,
  avoidSort: boolean,
): Promise<Plan> {
  if (dialect === 'sqlite') {
    const result = await db.executeQuery<SqlitePlanRow>(
      CompiledQuery.raw(`EXPLAIN QUERY PLAN ${query.sql}`, [...query.parameters]),
    );
    return sqlitePlan(result.rows);
  }
  return db.transaction().execute(async (trx) => {
    await sql`SET LOCAL enable_seqscan = off`.execute(trx);
    if (avoidSort) await sql`SET LOCAL enable_sort = off`.execute(trx);
    const result = await trx.executeQuery<{ 'QUERY PLAN': Array<{ Plan: PgNode }> }>(
      CompiledQuery.raw(`EXPLAIN (FORMAT JSON) ${query.sql}`, [...query.parameters]),
    );
    return pgPlan(result.rows[0]!['QUERY PLAN'][0]!.Plan);
  });
}

const STATUSES = ['open', 'pending', 'resolved'] as const;
const CHANNELS = ['widget', 'email', 'telegram', 'api'] as const;
const TAGS = ['billing', 'urgent', 'password', 'vip', 'bug'];
const ORG_COUNT = 13;

interface Seeded {
  orgId: string;
  agentId: string;
  ticketId: string;
  apiKey: string;
}

/**
 * A multi-tenant inbox: the org under test holds a quarter of the tickets, as one tenant among
 * many would; every filterable value occurs, tickets have tags and messages.
 */
async function seed(db: Kysely<Database>): Promise<Seeded> {
  const orgs: Array<{ created: CreatedOrg; agents: string[]; tickets: number }> = [];
  for (let n = 0; n < ORG_COUNT; n++) {
    const slug = `org${n}`;
    const created = await createOrg(db, {
      name: `Org ${n}`,
      adminEmail: `admin@${slug}.test`,
      adminName: 'Admin',
    });
    const agents = [created.admin.id];
    for (const a of [1, 2]) {
      const agent = await addAgent(db, {
        orgId: created.org.id,
        email: `agent${a}@${slug}.test`,
        name: `Agent ${a}`,
        role: 'agent',
      });
      agents.push(agent.id);
    }
    orgs.push({ created, agents, tickets: n === 0 ? 300 : 75 });
  }
  let at = Date.now() - 100_000_000;
  await db.transaction().execute(async (trx) => {
    for (const { created, agents, tickets: count } of orgs) {
      const orgId = created.org.id;
      const customers = Array.from({ length: count / 3 }, (_, i) => ({
        id: newId('cus', at),
        org_id: orgId,
        name: `Customer ${i}`,
        email: `c${i}@example.com`,
        email_lower: `c${i}@example.com`,
        user_id: null,
        created_at: at,
        updated_at: at,
      }));
      await trx.insertInto('customers').values(customers).execute();
      const tickets: Insertable<TicketsTable>[] = [];
      const tags: Insertable<TicketTagsTable>[] = [];
      const messages: Insertable<MessagesTable>[] = [];
      for (let i = 0; i < count; i++) {
        at += 1000;
        const id = newId('tkt', at);
        const updated = at + ((i * 7919) % 5000) * 1000;
        tickets.push({
          id,
          org_id: orgId,
          status: STATUSES[i % STATUSES.length]!,
          channel: CHANNELS[i % CHANNELS.length]!,
          subject: `Ticket ${i}`,
          customer_id: customers[i % customers.length]!.id,
          assigned_to: i % 4 === 0 ? null : agents[i % agents.length]!,
          created_at: at,
          updated_at: updated,
        });
        [...new Set([TAGS[i % TAGS.length]!, TAGS[(i * 3 + 1) % TAGS.length]!])].forEach((tag, position) =>
          tags.push({ org_id: orgId, ticket_id: id, tag, position, ticket_updated_at: updated }),
        );
        for (const n of [0, 1]) {
          messages.push({
            id: newId('msg', at + n),
            org_id: orgId,
            ticket_id: id,
            role: n === 0 ? 'customer' : 'agent',
            text: `Message ${n}`,
            author_name: null,
            agent_id: null,
            api_key_id: null,
            created_at: at + n,
          });
        }
      }
      await trx.insertInto('tickets').values(tickets).execute();
      await trx.insertInto('ticket_tags').values(tags).execute();
      await trx.insertInto('messages').values(messages).execute();
    }
  });
  await sql`ANALYZE`.execute(db);
  const acme = orgs[0]!.created;
  const ticket = await db
    .selectFrom('tickets')
    .select('id')
    .where('org_id', '=', acme.org.id)
    .orderBy('id')
    .executeTakeFirstOrThrow();
  return { orgId: acme.org.id, agentId: orgs[0]!.agents[1]!, ticketId: ticket.id, apiKey: acme.apiKey };
}

type FilterName = 'none' | 'status' | 'channel' | 'assignedTo' | 'unassigned' | 'tag';
const FILTER_NAMES: FilterName[] = ['none', 'status', 'channel', 'assignedTo', 'unassigned', 'tag'];

function filtersFor(name: FilterName, seeded: Seeded): TicketFilters {
  switch (name) {
    case 'none':
      return {};
    case 'status':
      return { status: 'open' };
    case 'channel':
      return { channel: 'email' };
    case 'assignedTo':
      return { assignedTo: seeded.agentId };
    case 'unassigned':
      return { assignedTo: null };
    case 'tag':
      return { tag: 'billing' };
  }
}

/**
 * Filter + sort combinations an index was built to supply in order (migration 0001: one index
 * per filter ending in `id`; status, tag and no filter also have an `updated_at` variant).
 * The others (channel or assignee, sorted by updated_desc) only have to use an index.
 */
// Every documented filter has an index per sort order: (org, filter, id) and (org, filter,
// updated_at, id); unassigned tickets have partial indexes (WHERE assigned_to IS NULL), because
// PostgreSQL does not treat IS NULL as an equality when matching ORDER BY to an index.
// Priority order has one index, (org_id, priority_rank, id): filtered priority lists use the
// filter's index and sort what matches.
function hasOrderedIndex(_dialect: DialectName, filter: FilterName, sort: TicketSort): boolean {
  return sort !== 'priority_desc' || filter === 'none';
}

// Relevance orders by a search rank, not by an index: the search tests cover it.
const INDEXED_SORTS = TICKET_SORTS.filter((sort) => sort !== 'relevance');

/** Either a seek on assigned_to or one of the partial indexes built for unassigned tickets. */
const UNASSIGNED_SEEK = 'assigned_to (or a partial unassigned index)';

/** The column an index seek must constrain for each filter (not merely filter rows it walks). */
const FILTER_COLUMNS: Record<FilterName, string> = {
  none: 'org_id',
  status: 'status',
  channel: 'channel',
  assignedTo: 'assigned_to',
  unassigned: UNASSIGNED_SEEK,
  tag: 'tag',
};

describe.each(DIALECTS)('query plans on %s', (dialect) => {
  let database: TestDatabase;
  let db: Kysely<Database>;
  let seeded: Seeded;
  const report: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    db = database.db.kysely;
    seeded = await seed(db);
  });

  afterAll(async () => {
    if (process.env.TALKI_EXPLAIN) console.log(report.join('\n\n'));
    await database?.drop();
  });

  async function planOf(
    label: string,
    run: (db: Kysely<Database>) => Promise<unknown>,
    avoidSort = false,
  ): Promise<Plan> {
    const plan = await explain(dialect, db, await compiled(db, run), avoidSort);
    report.push(
      `## ${dialect}: ${label}${avoidSort ? ' (sorts disabled)' : ''}${plan.sorts ? '  [sorts]' : ''}\n${plan.text}`,
    );
    return plan;
  }

  function expectIndexed(plan: Plan, table: string): void {
    expect(plan.fullScans, `full scan in:\n${plan.text}`).toEqual([]);
    expect(plan.indexed, `no index on ${table} in:\n${plan.text}`).toContain(table);
  }

  function expectSeekOn(plan: Plan, column: string): void {
    if (column === UNASSIGNED_SEEK) {
      // A partial index holds only unassigned tickets: using it is the seek.
      expect(plan.text, `no unassigned index in:\n${plan.text}`).toMatch(
        /tickets_org_unassigned\w*_idx|\bassigned_to\b/,
      );
      return;
    }
    expect(plan.seeks.join('\n'), `no index seek on ${column} in:\n${plan.text}`).toMatch(
      new RegExp(`\\b${column}\\b`),
    );
  }

  function expectNoSort(plan: Plan): void {
    expect(plan.sorts, `sorts instead of reading an index in order:\n${plan.text}`).toBe(false);
  }

  describe.each(FILTER_NAMES)('tickets filtered by %s', (filter) => {
    it.each(INDEXED_SORTS)('list sorted %s reads an index', async (sort: TicketSort) => {
      const filters = filtersFor(filter, seeded);
      const run = (q: Kysely<Database>) => listTickets(q, seeded.orgId, filters, sort, 25, 0);
      const plan = await planOf(`listTickets ${filter} ${sort}`, run);
      expectIndexed(plan, 'tickets');
      if (filter === 'tag') expectIndexed(plan, 'ticket_tags');
      if (hasOrderedIndex(dialect, filter, sort)) {
        const ordered =
          dialect === 'postgres' ? await planOf(`listTickets ${filter} ${sort}`, run, true) : plan;
        expectSeekOn(ordered, FILTER_COLUMNS[filter]);
        expectNoSort(ordered);
      }
    });

    it('count reads an index', async () => {
      const filters = filtersFor(filter, seeded);
      const plan = await planOf(`countTickets ${filter}`, (q) => countTickets(q, seeded.orgId, filters));
      expectIndexed(plan, filter === 'tag' ? 'ticket_tags' : 'tickets');
      expectSeekOn(plan, FILTER_COLUMNS[filter]);
    });
  });

  it.each([
    ['all', undefined],
    ['mine', 'agent'],
    ['unassigned', null],
  ] as const)("the inbox's %s counts per status read an index", async (view, who) => {
    const filters: TicketFilters =
      who === undefined ? {} : { assignedTo: who === null ? null : seeded.agentId };
    const plan = await planOf(`countByStatus ${view}`, (q) => countByStatus(q, seeded.orgId, filters));
    expectIndexed(plan, 'tickets');
    expectSeekOn(plan, who === undefined ? 'org_id' : who === null ? UNASSIGNED_SEEK : 'assigned_to');
  });

  it('a search runs its full-text match once, not once per ticket', async () => {
    const plan = await planOf('countByStatus search', (q) =>
      countByStatus(q, seeded.orgId, { search: 'hello' }),
    );
    expectIndexed(plan, 'tickets');
    if (dialect === 'sqlite') {
      // The MATCH must drive the join (or be computed apart), never sit inside the ticket loop.
      const lines = plan.text.split('\n');
      const match = lines.findIndex((l) => l.includes('search_documents_fts'));
      const tickets = lines.findIndex((l) => /^(SCAN|SEARCH) t\b/.test(l));
      expect(match, plan.text).toBeGreaterThanOrEqual(0);
      expect(match, plan.text).toBeLessThan(tickets);
    }
  });

  it('finds a ticket by id through an index', async () => {
    expectIndexed(
      await planOf('findTicket', (q) => findTicket(q, seeded.orgId, { id: seeded.ticketId })),
      'tickets',
    );
  });

  it('locks a ticket by id through an index', async () => {
    expectIndexed(
      await planOf('lockTicket', (q) => lockTicket(q, seeded.orgId, { id: seeded.ticketId })),
      'tickets',
    );
  });

  it("reads a page's tags through an index", async () => {
    const ids = (await listTickets(db, seeded.orgId, {}, 'created_desc', 25, 0)).map((r) => r.id);
    expectIndexed(await planOf('tagsOf', (q) => tagsOf(q, seeded.orgId, ids)), 'ticket_tags');
  });

  it("reads a ticket's messages through an index, in order", async () => {
    const run = (q: Kysely<Database>) => messagesOf(q, seeded.orgId, seeded.ticketId);
    const plan = await planOf('messagesOf', run);
    expectIndexed(plan, 'messages');
    expectNoSort(dialect === 'postgres' ? await planOf('messagesOf', run, true) : plan);
  });

  it('finds an API key by its hash through an index', async () => {
    const plan = await planOf('findApiKeyByHash', (q) => findApiKeyByHash(q, hashKey(seeded.apiKey)));
    expectIndexed(plan, 'api_keys');
  });
});
