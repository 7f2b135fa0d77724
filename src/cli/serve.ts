import type { AddressInfo } from 'node:net';
import closeWithGrace from 'close-with-grace';
import pino from 'pino';
import { buildApp } from '../app.js';
import { startSmtpListener, type SmtpListener } from '../channels/email/smtp-listener.js';
import { SecretBox } from '../channels/secret-box.js';
import { loadConfig } from '../config.js';
import { createRateLimiter } from '../http/rate-limit.factory.js';
import { createRealtimeBus } from '../realtime/bus.js';
import { openBlobStorage } from '../storage/index.js';
import { startBackground } from './background.js';
import { openReadyDatabase } from './context.js';
import { StartedParts, assertRedisReachable, listenError } from './startup.js';

/**
 * `talki serve`, in this order: open and migrate the database, check Redis, listen on HTTP,
 * listen on SMTP (when TALKI_SMTP_PORT is set), and only then run the job worker (unless
 * TALKI_WORKER=off). A step that fails closes what the earlier ones started and rejects, so
 * the process exits instead of working jobs behind a listener that never came up. On
 * SIGTERM/SIGINT: stop accepting, finish in-flight requests and jobs, close the database.
 */
export async function serve(): Promise<void> {
  const config = loadConfig();
  const parts = new StartedParts();
  try {
    const db = await openReadyDatabase(config);
    parts.add(() => db.close());
    if (config.redisUrl) await assertRedisReachable(config.redisUrl);
    const limiter = createRateLimiter(config);
    parts.add(() => limiter.close());
    const bus = createRealtimeBus(config);
    parts.add(() => bus.close());
    const box = await SecretBox.open(db.kysely, config);
    const storage = openBlobStorage(config);
    const app = await buildApp({ config, db, limiter, bus, box, storage });
    parts.add(() => app.close());

    try {
      await app.listen({ port: config.port, host: config.host });
    } catch (error) {
      throw listenError('', config.host, config.port, error, { port: 'PORT', host: 'HOST' });
    }
    const { port } = app.server.address() as AddressInfo;
    const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;

    let smtp: SmtpListener | undefined;
    if (config.smtpPort !== undefined) {
      try {
        smtp = await startSmtpListener({ config, db: db.kysely, storage, box, limiter, log: app.log });
      } catch (error) {
        throw listenError(' for SMTP', config.smtpHost, config.smtpPort, error, {
          port: 'TALKI_SMTP_PORT',
          host: 'TALKI_SMTP_HOST',
        });
      }
      process.stderr.write(`talki: smtp listening on ${config.smtpHost}:${smtp.port}\n`);
    }

    const background = config.runWorker
      ? startBackground({ config, db, bus, box, storage, log: app.log as pino.Logger })
      : undefined;
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
  } catch (error) {
    await parts.closeAll();
    throw error;
  }
}
