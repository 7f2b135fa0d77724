import closeWithGrace from 'close-with-grace';
import pino from 'pino';
import { SecretBox } from '../channels/secret-box.js';
import { loadConfig } from '../config.js';
import { createRealtimeBus } from '../realtime/bus.js';
import { openBlobStorage } from '../storage/index.js';
import { startBackground } from './background.js';
import { openReadyDatabase } from './context.js';
import { StartedParts, assertRedisReachable } from './startup.js';

/**
 * `talki worker`: the job worker and Telegram polling without HTTP, for running jobs in
 * separate processes (run the servers with TALKI_WORKER=off). Live widget events reach the
 * servers' sockets through Redis (REDIS_URL). Like serve, a failed start closes what it opened.
 */
export async function worker(): Promise<void> {
  const config = loadConfig();
  const log = pino({ level: config.logLevel });
  const parts = new StartedParts();
  try {
    const db = await openReadyDatabase(config);
    parts.add(() => db.close());
    if (config.redisUrl) await assertRedisReachable(config.redisUrl);
    const bus = createRealtimeBus(config);
    parts.add(() => bus.close());
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
  } catch (error) {
    await parts.closeAll();
    throw error;
  }
}
