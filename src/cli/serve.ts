import type { AddressInfo } from 'node:net';
import closeWithGrace from 'close-with-grace';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { createRateLimiter } from '../http/rate-limit.factory.js';

/** `talki serve`: migrate, listen, and on SIGTERM/SIGINT stop accepting, finish in-flight requests, close the database. */
export async function serve(): Promise<void> {
  const config = loadConfig();
  const db = openDatabase(config);
  await migrateToLatest(db);
  const limiter = createRateLimiter(config);
  const app = await buildApp({ config, db, limiter });
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an unexpected error');
    else app.log.info({ signal }, 'shutting down');
    // In this order: in-flight requests still need the database and the limiter.
    await app.close();
    await limiter.close();
    await db.close();
  });

  await app.listen({ port: config.port, host: config.host });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  app.log.info(
    { database: db.dialect, rateLimits: config.redisUrl ? 'redis' : 'memory', port },
    `Talki is serving on ${url}`,
  );
  // One plain line on stderr whatever the log level: tests and scripts started with PORT=0 read the port here.
  process.stderr.write(`talki: listening on ${url}\n`);
}
