// `npm run bench`: seeds a fresh database, starts `talki serve` and a bare node:http ceiling,
// and measures the v1 API with autocannon. See bench/README.md.
/* global fetch */
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { openDatabase } from '../dist/db/database.js';
import { migrateToLatest } from '../dist/db/migrate.js';
import {
  cleanup,
  cli,
  createPgDatabase,
  freePort,
  onCleanup,
  root,
  startChild,
  waitReady,
} from './processes.js';
import { analyze, seed } from './seed.js';

const { values: args } = parseArgs({
  options: {
    tickets: { type: 'string', default: process.env.BENCH_TICKETS ?? '100000' },
    duration: { type: 'string', default: '15' },
    connections: { type: 'string', default: '64' },
    warmup: { type: 'string', default: '3' },
    json: { type: 'string' },
  },
});
const n = Number(args.tickets);
const duration = Number(args.duration);
const connections = Number(args.connections);
const warmup = Number(args.warmup);

const log = (line = '') => console.log(line);
const seconds = (since) => ((performance.now() - since) / 1000).toFixed(1);

function shuffled(array) {
  const copy = [...array];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = crypto.randomInt(i + 1);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** One autocannon request whose path/body changes on every call. */
function each(make) {
  let i = 0;
  const setupRequest = (request) => {
    const next = make(i++);
    return { ...request, ...next, headers: { ...request.headers, ...next.headers } };
  };
  return [{ setupRequest }];
}

const postJson = (body) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** Fresh SQLite dir or PostgreSQL database, an org, an unlimited key, and N seeded tickets. */
async function prepare() {
  const env = { ...process.env, LOG_LEVEL: 'warn' };
  let label;
  if (process.env.DATABASE_URL) {
    const created = await createPgDatabase(process.env.DATABASE_URL);
    env.DATABASE_URL = created.url;
    label = `postgres (database ${created.name})`;
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'talki-bench-'));
    onCleanup(async () => fs.rmSync(dir, { recursive: true, force: true }));
    env.TALKI_DATA_DIR = dir;
    label = `sqlite (${dir}, WAL, synchronous=FULL)`;
  }
  const org = await cli(env, 'org', 'create', '--name', 'Bench');
  const key = await cli(env, 'apikey', 'create', '--org', org.org.id, '--name', 'bench', '--rate-limit', '0');

  const db = openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.TALKI_DATA_DIR ?? '' });
  try {
    await migrateToLatest(db);
    let t = performance.now();
    const seeded = await seed(db, { orgId: org.org.id, admin: org.admin, n });
    log(`seeded ${n} tickets, ${n * 3} messages, ${seeded.customers} customers in ${seconds(t)} s`);
    t = performance.now();
    await analyze(db);
    log(`${db.dialect === 'sqlite' ? 'ANALYZE' : 'VACUUM ANALYZE'} in ${seconds(t)} s`);
    return { env, label, dialect: db.dialect, key: key.key, seeded };
  } finally {
    await db.close();
  }
}

async function main() {
  if (!fs.existsSync(path.join(root, 'dist/main.js'))) throw new Error('no dist/: run `npm run build` first');
  const { env, label, dialect, key, seeded } = await prepare();

  const apiPort = await freePort();
  const server = startChild('talki serve', ['dist/main.js', 'serve'], {
    ...env,
    PORT: `${apiPort}`,
    HOST: '127.0.0.1',
  });
  const api = `http://127.0.0.1:${apiPort}`;
  await waitReady(`${api}/readyz`, server);

  // Sanity checks before measuring: a real ticket reads back, and the lists count what was seeded.
  const auth = { authorization: `Bearer ${key}` };
  const tag = Object.entries(seeded.tagCounts).sort((a, b) => b[1] - a[1])[0][0];
  const sample = await fetch(`${api}/v1/tickets/${seeded.ticketIds[0]}`, { headers: auth });
  const sampleBody = Buffer.from(await sample.arrayBuffer());
  if (sample.status !== 200) throw new Error(`GET /v1/tickets/:id answered ${sample.status}: ${sampleBody}`);
  for (const [query, expected] of [
    ['status=open', seeded.statusCounts.open],
    [`tag=${tag}`, seeded.tagCounts[tag]],
  ]) {
    const list = await (await fetch(`${api}/v1/tickets?${query}&per_page=25`, { headers: auth })).json();
    log(`check: ?${query} → meta.total ${list.meta?.total} (seeded ${expected}), ${list.data?.length} rows`);
  }

  const ceilingPort = await freePort();
  const ceilingEnv = { ...env, PORT: `${ceilingPort}`, CEILING_BYTES: `${sampleBody.length}` };
  const ceiling = startChild('ceiling', ['bench/ceiling.js'], ceilingEnv);
  await waitReady(`http://127.0.0.1:${ceilingPort}/`, ceiling);

  const getIds = shuffled(seeded.ticketIds);
  const postIds = shuffled(seeded.ticketIds);
  const run = crypto.randomBytes(3).toString('hex');
  const listTarget = { text: 'p99 ≤ 25 ms', ok: (r) => r.p99 <= 25 };
  const scenarios = [
    {
      name: 'ceiling (bare node:http)',
      url: `http://127.0.0.1:${ceilingPort}`,
      requests: () => [{ path: '/' }],
    },
    {
      name: 'GET /v1/tickets/:id',
      requests: () => each((i) => ({ path: `/v1/tickets/${getIds[i % getIds.length]}` })),
      target: { text: '≥ 50% & p99 ≤ 10 ms', ok: (r, ceilingRps) => r.rps >= ceilingRps / 2 && r.p99 <= 10 },
    },
    {
      name: 'GET /v1/tickets?status=open',
      requests: () => [{ path: '/v1/tickets?status=open&per_page=25' }],
      target: listTarget,
    },
    {
      name: `GET /v1/tickets?tag=${tag}&sort=updated_desc`,
      requests: () => [{ path: `/v1/tickets?tag=${tag}&sort=updated_desc` }],
      target: listTarget,
    },
    {
      name: 'POST /v1/tickets',
      requests: () =>
        each((i) => ({
          path: '/v1/tickets',
          ...postJson({
            subject: `Bench ${run} ticket ${i}`,
            customer: { name: `Bench Customer ${i}`, email: `bench-${run}-${i}@example.com` },
            message: 'Hello, my order has not arrived yet. Could you check where it is? Thank you!',
            tags: i % 2 ? [tag] : ['shipping', 'urgent'],
          }),
        })),
      target: { text: '≥ 2,000 req/s', ok: (r) => r.rps >= 2000 },
    },
    {
      name: 'POST /v1/tickets/:id/messages',
      requests: () =>
        each((i) => ({
          path: `/v1/tickets/${postIds[i % postIds.length]}/messages`,
          ...postJson({ text: `Reply ${i}: on it.` }),
        })),
    },
  ];

  const loadBefore = os.loadavg()[0].toFixed(2);
  const results = [];
  for (const s of scenarios) {
    const options = { url: s.url ?? api, connections, headers: s.url ? {} : auth };
    if (warmup > 0) await autocannon({ ...options, duration: warmup, requests: s.requests() });
    const linesBefore = server.lines;
    const r = await autocannon({ ...options, duration, requests: s.requests() });
    if (server.exited !== null)
      throw new Error(`talki serve died during ${s.name}:\n${server.tail.join('\n')}`);
    results.push({
      endpoint: s.name,
      rps: Math.round(r['2xx'] / duration), // successful responses only
      p50: r.latency.p50,
      p99: r.latency.p99,
      non2xx: r.non2xx,
      errors: r.errors, // socket errors, including timeouts (10 s)
      timeouts: r.timeouts,
      statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats).map(([code, v]) => [code, v.count])),
      serverLogLines: server.lines - linesBefore,
    });
    log(`  ${s.name}: ${results.at(-1).rps} req/s`);
  }

  const ceilingRps = results[0].rps || 1;
  const nproc = execFileSync('nproc').toString().trim();
  const commit = (() => {
    try {
      return execFileSync('git', ['describe', '--always', '--dirty'], { cwd: root }).toString().trim();
    } catch {
      return 'unknown';
    }
  })();
  const rows = [['endpoint', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'vs ceiling', 'target']];
  results.forEach((r, i) => {
    const target = scenarios[i].target;
    r.target = target && `${target.text}: ${target.ok(r, ceilingRps) ? 'met' : 'MISSED'}`;
    const ratio = `${((100 * r.rps) / ceilingRps).toFixed(1)}%`;
    rows.push([r.endpoint, r.rps, r.p50, r.p99, r.non2xx, r.errors, ratio, r.target ?? '']);
  });
  log();
  log(
    `${new Date().toISOString()} | ${label} | ${n} tickets | node ${process.version} | nproc ${nproc} | commit ${commit}`,
  );
  log(
    `autocannon in-process: ${connections} connections, ${duration} s per endpoint after ${warmup} s warm-up`,
  );
  log(`load average (1 min) before/after: ${loadBefore} / ${os.loadavg()[0].toFixed(2)}`);
  log(`GET /v1/tickets/:id body ${sampleBody.length} B; the ceiling sends the same size`);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => String(row[c]).length)));
  for (const row of rows)
    log(
      row
        .map((cell, c) => String(cell)[c && c < 7 ? 'padStart' : 'padEnd'](widths[c]))
        .join('  ')
        .trimEnd(),
    );

  const failed = results.filter((r) => r.non2xx > 0 || r.errors > 0);
  for (const r of failed) {
    log(
      `\n!!! ${r.endpoint}: ${r.non2xx} non-2xx, ${r.errors} socket errors (${r.timeouts} timeouts); status codes ${JSON.stringify(r.statusCodes)}`,
    );
  }
  if (server.lines > 0)
    log(`\nserver log: ${server.lines} lines at warn or above; the last:\n${server.tail.join('\n')}`);
  if (failed.length > 0) {
    log('\n!!! THIS BENCH HAD ERRORS: the figures above do not describe a healthy server. !!!');
    process.exitCode = 1;
  }
  if (args.json) {
    const report = {
      date: new Date().toISOString(),
      dialect,
      tickets: n,
      node: process.version,
      nproc,
      connections,
      duration,
      loadBefore,
      results,
    };
    fs.writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
  }
}

try {
  await main();
} catch (error) {
  console.error(`bench failed: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
