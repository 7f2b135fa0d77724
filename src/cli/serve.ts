import type { AddressInfo } from 'node:net';
import closeWithGrace from 'close-with-grace';
import pino from 'pino';
import { buildApp } from '../app.js';
import { startSmtpListener, type SmtpListener } from '../channels/email/smtp-listener.js';
import { SecretBox } from '../channels/secret-box.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { createRateLimiter } from '../http/rate-limit.factory.js';
import { createRealtimeBus } from '../realtime/bus.js';
import { openBlobStorage } from '../storage/index.js';
import { startBackground } from './background.js';

/**
 * `talki serve`: migrate, listen (HTTP, and SMTP when TALKI_SMTP_PORT is set), run the job
 * worker unless TALKI_WORKER=off; on SIGTERM/SIGINT stop accepting, finish in-flight requests
 * and jobs, close the database.
 */
export async function serve(): Promise<void> {
  const config = loadConfig();
  const db = openDatabase(config);
  await migrateToLatest(db);
  const limiter = createRateLimiter(config);
  const bus = createRealtimeBus(config);
  const box = await SecretBox.open(db.kysely, config);
  const storage = openBlobStorage(config);
  const app = await buildApp({ config, db, limiter, bus, box, storage });
  const background = config.runWorker
    ? startBackground({ config, db, bus, box, storage, log: app.log as pino.Logger })
    : undefined;
  let smtp: SmtpListener | undefined;
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an unexpected error');
    else app.log.info({ signal }, 'shutting down');
    // In this order: in-flight requests and jobs still need the database, the bus and the limiter.
    await smtp?.close();
    await app.close();
    await background?.stop();
    await bus.close();
    await limiter.close();
    await db.close();
  });

  await app.listen({ port: config.port, host: config.host });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  if (config.smtpPort !== undefined) {
    smtp = await startSmtpListener({ config, db: db.kysely, storage, box, log: app.log });
    process.stderr.write(`talki: smtp listening on ${config.smtpHost}:${smtp.port}\n`);
  }
  app.log.info(
    {
      database: db.dialect,
      coordination: config.redisUrl ? 'redis' : 'memory',
      worker: config.runWorker,
      smtpPort: smtp?.port,
      port,
    },
    `Talki is serving on ${url}`,
  );
  // One plain line on stderr whatever the log level: tests and scripts started with PORT=0 read the port here.
  process.stderr.write(`talki: listening on ${url}\n`);
}
