// `npm run bench:channels`: the email channel end to end over real SMTP. Mail goes into
// `talki serve`'s SMTP listener (tickets created per second), then agents' replies are posted
// and the job worker delivers them to an SMTP sink (replies per second, and the time from a
// reply's 201 to the sink receiving it). PostgreSQL when DATABASE_URL is set, else SQLite.
/* global fetch */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import {
  cleanup,
  cli,
  createPgDatabase,
  freePort,
  onCleanup,
  startChild,
  waitReady,
  root,
} from './processes.js';

const { values: args } = parseArgs({
  options: {
    mails: { type: 'string', default: '500' },
    replies: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '16' },
  },
});
const mails = Number(args.mails);
const replies = Number(args.replies);
const concurrency = Number(args.concurrency);

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function pool(count, worker) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await worker(next++);
    }),
  );
}

async function main() {
  // The sink: records when each reply (by its Message-ID, <msg_…@domain>) arrived.
  const arrived = new Map();
  const sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk) => {
        if (head.length < 8192) head += chunk.toString('latin1');
      });
      stream.on('end', () => {
        const id = /^Message-ID:\s*<(msg_[0-9a-z]+)@/im.exec(head)?.[1];
        if (id && !arrived.has(id)) arrived.set(id, performance.now());
        callback();
      });
    },
  });
  await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise((resolve) => sink.close(resolve)));

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'talki-bench-channels-'));
  onCleanup(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  const env = { ...process.env, TALKI_DATA_DIR: dataDir, LOG_LEVEL: 'warn', TALKI_RATE_LIMIT_PER_MIN: '0' };
  delete env.REDIS_URL;
  if (process.env.DATABASE_URL) env.DATABASE_URL = (await createPgDatabase(process.env.DATABASE_URL)).url;
  const [port, smtpPort] = [await freePort(), await freePort()];
  const org = await cli(env, 'org', 'create', '--name', 'Bench');
  const server = startChild('talki serve', [path.join(root, 'dist/main.js'), 'serve'], {
    ...env,
    HOST: '127.0.0.1',
    PORT: String(port),
    TALKI_SMTP_PORT: String(smtpPort),
    TALKI_SMTP_HOST: '127.0.0.1',
    SMTP_URL: `smtp://127.0.0.1:${sink.server.address().port}`,
  });
  const base = `http://127.0.0.1:${port}`;
  await waitReady(`${base}/readyz`, server);
  const call = async (method, url, body) => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { authorization: `Bearer ${org.apiKey}`, 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  await call('POST', '/v1/channels', {
    type: 'email',
    address: 'support@bench.example',
    displayName: 'Bench',
  });

  // Inbound: each mail opens a ticket.
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: smtpPort,
    pool: true,
    maxConnections: concurrency,
  });
  let started = performance.now();
  await pool(mails, (i) =>
    transport.sendMail({
      from: `customer${i}@bench.example`,
      to: 'support@bench.example',
      subject: `Question ${i}`,
      text: `Body of question ${i}`,
    }),
  );
  const inboundSeconds = (performance.now() - started) / 1000;
  transport.close();
  const tickets = (await call('GET', '/v1/tickets?channel=email&per_page=100')).data;

  // Outbound: replies spread over those tickets, delivered by the worker.
  const postedAt = new Map();
  started = performance.now();
  await pool(replies, async (i) => {
    const ticket = tickets[i % tickets.length];
    const message = await call('POST', `/v1/tickets/${ticket.id}/messages`, { text: `Answer ${i}` });
    postedAt.set(message.id, performance.now());
  });
  const postSeconds = (performance.now() - started) / 1000;
  const deadline = Date.now() + 10 * 60_000;
  while (arrived.size < replies && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const deliverSeconds = (performance.now() - started) / 1000;
  const latencies = [...postedAt].map(([id, at]) => (arrived.get(id) ?? Infinity) - at).sort((a, b) => a - b);

  const db = process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite';
  console.log(`channels bench on ${db} (${concurrency} concurrent clients)`);
  console.log(
    `  inbound SMTP: ${mails} mails → tickets in ${inboundSeconds.toFixed(1)} s = ${(mails / inboundSeconds).toFixed(0)} mails/s`,
  );
  console.log(
    `  POST replies: ${replies} in ${postSeconds.toFixed(1)} s = ${(replies / postSeconds).toFixed(0)} req/s`,
  );
  console.log(
    `  delivered:    ${arrived.size}/${replies} in ${deliverSeconds.toFixed(1)} s = ${(arrived.size / deliverSeconds).toFixed(0)} replies/s; ` +
      `201 → sink p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms`,
  );
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(cleanup);
