import type { Logger } from 'pino';
import { DELIVER_MESSAGE } from '../channels/delivery-queue.js';
import { deliveryHandler } from '../channels/delivery.js';
import { closeEmailTransports } from '../channels/email/outbound.js';
import type { SecretBox } from '../channels/secret-box.js';
import { startTelegramPollers } from '../channels/telegram/poller.js';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import { startWorker } from '../jobs/worker.js';
import type { RealtimeBus } from '../realtime/bus.js';
import type { BlobStorage } from '../storage/storage.js';

export interface BackgroundDeps {
  config: Config;
  db: Db;
  bus: RealtimeBus;
  box: SecretBox;
  storage: BlobStorage;
  log: Logger;
}

/**
 * The work that runs beside requests: the job worker (deliveries) and Telegram long polling.
 * `talki serve` runs it unless TALKI_WORKER=off; `talki worker` runs only this.
 */
export function startBackground(deps: BackgroundDeps): { stop(): Promise<void> } {
  const { config, log } = deps;
  const db = deps.db.kysely;
  const worker = startWorker({
    db,
    handlers: {
      [DELIVER_MESSAGE]: deliveryHandler({ db, config, storage: deps.storage, bus: deps.bus, box: deps.box }),
    },
    concurrency: config.jobConcurrency,
    pollMs: config.jobPollMs,
    retryBaseMs: config.jobRetryBaseMs,
    retryMaxMs: config.jobRetryMaxMs,
    giveUpAfterMs: config.jobGiveUpAfterSeconds * 1000,
    leaseMs: config.jobLeaseSeconds * 1000,
    log: log.child({ component: 'jobs' }),
  });
  const pollers = startTelegramPollers({
    db,
    box: deps.box,
    config,
    storage: deps.storage,
    log: log.child({ component: 'telegram' }),
    ownerId: worker.id,
  });
  return {
    async stop() {
      await Promise.all([worker.stop(), pollers.stop()]);
      closeEmailTransports();
    },
  };
}
