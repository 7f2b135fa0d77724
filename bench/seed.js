// Seeds one org with realistic tickets, fast: ids and times are computed up front, then rows are
// written with multi-row INSERTs through Kysely (SQLite: one big transaction; PostgreSQL: one
// statement of BATCH rows at a time, well under its 65,535 bind-parameter limit).
import { sql } from 'kysely';
import { newId } from '../dist/lib/ids.js';

const BATCH = 1000; // tickets or rows per INSERT: at most 9,000 (or 3 × 1000 tags × 5 = 15,000) parameters
const DAY = 86_400_000;
const MESSAGES_PER_TICKET = 3;

export const TAGS = [
  'billing', 'bug', 'feature-request', 'login', 'refund', 'shipping', 'account', 'urgent', 'vip', 'mobile',
  'api', 'integration', 'onboarding', 'invoice', 'password', 'export', 'performance', 'security', 'feedback', 'churn-risk',
]; // prettier-ignore
const CHANNELS = [['widget', 0.4], ['email', 0.35], ['telegram', 0.1], ['api', 0.15]]; // prettier-ignore
const STATUSES = [['open', 0.25], ['pending', 0.15], ['resolved', 0.6]]; // prettier-ignore
const SUBJECTS = ['Cannot log in', 'Question about my invoice', 'App crashes on start', 'Refund request',
  'Where is my order?', 'How do I export my data?', 'Feature idea', 'Password reset not arriving']; // prettier-ignore
const TEXTS = [
  'Hi, I tried again this morning and it still does not work. Could you have a look? Thanks a lot.',
  'Thanks for reaching out! I have checked your account and applied the fix. Please try again and let me know.',
  'Hello, I was charged twice for the same month. My card ends in 4242. Can you refund one of the charges?',
  'We have forwarded this to our engineering team; you will hear from us as soon as there is an update.',
  'It works now, thank you so much for the quick help. Have a great day!',
  'Could you send me a screenshot of the error message and tell me which browser and version you are using?',
];

/** A small seeded PRNG (mulberry32), so two runs seed the same data. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weighted(rnd, pairs) {
  let x = rnd();
  for (const [value, weight] of pairs) if ((x -= weight) < 0) return value;
  return pairs[pairs.length - 1][0];
}

function shuffle(rnd, array) {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [array[i], array[j]] = [array[j], array[i]];
  }
  return array;
}

/** 0–3 distinct tags, popular ones (low index, Zipf-like) more often. */
function pickTags(rnd) {
  const count = weighted(rnd, [[0, 0.3], [1, 0.35], [2, 0.25], [3, 0.1]]); // prettier-ignore
  const tags = new Set();
  while (tags.size < count) tags.add(TAGS[Math.floor(TAGS.length ** rnd()) - 1]);
  return [...tags];
}

/** A reply delay: mostly minutes to hours, sometimes days. */
const delay = (rnd) => Math.floor(60_000 + rnd() ** 3 * 3 * DAY);

/** Plans every row in memory (ids in global time order, as the server would have issued them). */
function plan(n, rnd) {
  const now = Date.now();
  const first = now - 365 * DAY;
  const last = now - 10 * 60_000; // everything strictly in the past: later server ids sort after
  const created = new Float64Array(n).map(() => Math.floor(first + rnd() * (last - 3 * DAY - first))).sort();
  const msgAt = new Float64Array(n * MESSAGES_PER_TICKET);
  for (let i = 0; i < n; i++) {
    let t = created[i];
    for (let k = 0; k < MESSAGES_PER_TICKET; k++, t += delay(rnd))
      msgAt[i * MESSAGES_PER_TICKET + k] = Math.min(t, last);
  }
  const customerCount = Math.max(1, Math.floor(n / 5));
  const customerOf = shuffle(
    rnd,
    Array.from({ length: n }, (_, i) => (i < customerCount ? i : Math.floor(rnd() * customerCount))),
  );

  // newId() is monotonic across prefixes: hand out ids in one pass over all events in time order.
  const msgOrder = new Uint32Array(msgAt.length)
    .map((_, i) => i)
    .sort((a, b) => msgAt[a] - msgAt[b] || a - b);
  const ticketIds = new Array(n);
  const msgIds = new Array(msgAt.length);
  const customers = []; // [customer index, createdAt] in creation order
  const customerIds = new Array(customerCount);
  for (let i = 0, q = 0; i < n || q < msgOrder.length;) {
    if (i < n && (q === msgOrder.length || created[i] <= msgAt[msgOrder[q]])) {
      const c = customerOf[i];
      if (customerIds[c] === undefined) {
        customerIds[c] = newId('cus', created[i]);
        customers.push([c, created[i]]);
      }
      ticketIds[i] = newId('tkt', created[i++]);
    } else {
      msgIds[msgOrder[q]] = newId('msg', msgAt[msgOrder[q++]]);
    }
  }
  const tickets = Array.from({ length: n }, () => ({
    status: weighted(rnd, STATUSES),
    channel: weighted(rnd, CHANNELS),
    tags: pickTags(rnd),
    assigned: rnd() < 0.6,
  }));
  return { created, msgAt, msgOrder, customerOf, customerIds, customers, ticketIds, msgIds, tickets };
}

async function insertAll(db, table, count, rowAt) {
  for (let start = 0; start < count; start += BATCH) {
    const rows = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) rows.push(...rowAt(i));
    if (rows.length > 0) await db.insertInto(table).values(rows).execute();
  }
}

/**
 * Seeds `n` tickets (3 messages each, ~n/5 customers, 0–3 of 20 tags) into `orgId`, whose
 * admin agent answers. Returns the ticket ids and how many tickets carry each tag.
 */
export async function seed(database, { orgId, admin, n, seedValue = 42 }) {
  const rnd = random(seedValue);
  const p = plan(n, rnd);
  const status = (i) => p.tickets[i].status;
  const customerName = (c) => `Customer ${c + 1}`;

  // Later migrations may add per-org ticket numbers; fill them when the schema has them.
  const tables = await database.kysely.introspection.getTables();
  const hasColumn = (table, column) =>
    tables.some((t) => t.name === table && t.columns.some((c) => c.name === column));
  const numbered = hasColumn('tickets', 'number');

  const write = async (db) => {
    await insertAll(db, 'customers', p.customers.length, (j) => {
      const [c, at] = p.customers[j];
      const email = `customer${c + 1}@example.com`;
      const name = customerName(c);
      return [
        {
          id: p.customerIds[c],
          org_id: orgId,
          name,
          email,
          email_lower: email,
          user_id: null,
          created_at: at,
          updated_at: at,
        },
      ];
    });
    await insertAll(db, 'tickets', n, (i) => [
      {
        id: p.ticketIds[i],
        org_id: orgId,
        status: status(i),
        channel: p.tickets[i].channel,
        subject: `${SUBJECTS[i % SUBJECTS.length]} (#${i + 1})`,
        customer_id: p.customerIds[p.customerOf[i]],
        assigned_to: status(i) !== 'open' && p.tickets[i].assigned ? admin.id : null,
        created_at: p.created[i],
        updated_at: p.msgAt[i * MESSAGES_PER_TICKET + MESSAGES_PER_TICKET - 1],
        ...(numbered ? { number: i + 1 } : {}),
      },
    ]);
    if (hasColumn('orgs', 'ticket_seq')) {
      await db.updateTable('orgs').set({ ticket_seq: n }).where('id', '=', orgId).execute();
    }
    await insertAll(db, 'ticket_tags', n, (i) =>
      p.tickets[i].tags.map((tag, position) => ({
        org_id: orgId,
        ticket_id: p.ticketIds[i],
        tag,
        position,
        ticket_updated_at: p.msgAt[i * MESSAGES_PER_TICKET + MESSAGES_PER_TICKET - 1],
      })),
    );
    await insertAll(db, 'messages', p.msgOrder.length, (q) => {
      const m = p.msgOrder[q];
      const i = Math.floor(m / MESSAGES_PER_TICKET);
      const k = m % MESSAGES_PER_TICKET;
      // customer, agent, then the customer again on open tickets and the agent on the others
      const agent = k === 1 || (k === 2 && status(i) !== 'open');
      return [
        {
          id: p.msgIds[m],
          org_id: orgId,
          ticket_id: p.ticketIds[i],
          role: agent ? 'agent' : 'customer',
          text: TEXTS[(i + k) % TEXTS.length],
          author_name: agent ? admin.name : customerName(p.customerOf[i]),
          agent_id: agent ? admin.id : null,
          api_key_id: null,
          created_at: p.msgAt[m],
        },
      ];
    });
  };
  if (database.dialect === 'sqlite') await database.kysely.transaction().execute(write);
  else await write(database.kysely);

  const tagCounts = Object.fromEntries(TAGS.map((t) => [t, 0]));
  for (const t of p.tickets) for (const tag of t.tags) tagCounts[tag]++;
  const statusCounts = { open: 0, pending: 0, resolved: 0 };
  for (const t of p.tickets) statusCounts[t.status]++;
  return { ticketIds: p.ticketIds, customers: p.customers.length, tagCounts, statusCounts };
}

/** Fresh planner statistics (and on PostgreSQL a vacuumed visibility map, as autovacuum would leave it). */
export async function analyze(database) {
  if (database.dialect === 'sqlite') {
    await sql`analyze`.execute(database.kysely);
    await sql`pragma wal_checkpoint(truncate)`.execute(database.kysely);
  } else {
    await sql`vacuum analyze`.execute(database.kysely);
  }
}
