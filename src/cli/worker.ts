import closeWithGrace from 'close-with-grace';
import pino from 'pino';
import { SecretBox } from '../channels/secret-box.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { createRealtimeBus } from '../realtime/bus.js';
import { openBlobStorage } from '../storage/index.js';
import { startBackground } from './background.js';

/**
 * `talki worker`: the job worker and Telegram polling without HTTP, for running jobs in
 * separate processes (run the servers with TALKI_WORKER=off). Live widget events reach the
 * servers' sockets through Redis (REDIS_URL).
 */
export async function worker(): Promise<void> {
  const config = loadConfig();
  const log = pino({ level: config.logLevel });
  const db = openDatabase(config);
  await migrateToLatest(db);
  const bus = createRealtimeBus(config);
  const box = await SecretBox.open(db.kysely, config);
  const background = startBackground({ config, db, bus, box, storage: openBlobStorage(config), log });
  closeWithGrace({ delay: 15_000 }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'worker stopping after an unexpected error');
    else log.info({ signal }, 'worker stopping');
    await background.stop();
    await bus.close();
    await db.close();
  });
  log.info({ database: db.dialect }, 'Talki worker running');
  process.stderr.write('talki: worker running\n');
}
