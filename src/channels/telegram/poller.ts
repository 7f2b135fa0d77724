import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { Database } from '../../db/schema.js';
import { pollingTelegramChannels } from '../../modules/channels/channels.lookup.js';
import type { BlobStorage } from '../../storage/storage.js';
import type { SecretBox } from '../secret-box.js';
import type { Channel } from '../types.js';
import { BotApi, TelegramApiError } from './bot-api.js';
import { releasePollLease, pollOffset, storePollOffset, takePollLease } from './telegram.queries.js';
import type { TelegramUpdate } from './telegram.types.js';
import { handleUpdate } from './updates.js';

/** How long a lease lasts; renewed well before it runs out while the process is alive. */
const LEASE_MS = 30_000;
/** A held lease is renewed once less than this is left (every ~10 s). */
const RENEW_WHEN_LEFT_MS = 20_000;
const SCAN_INTERVAL_MS = 2_000;
const DEFAULT_POLL_TIMEOUT_SEC = 25;
const MAX_BACKOFF_MS = 60_000;
/** An update that fails this often in a row is skipped, so one bad update cannot block a bot for good. */
const MAX_UPDATE_ATTEMPTS = 10;

export interface PollerLog {
  debug(details: object, message: string): void;
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface PollerDeps {
  db: Kysely<Database>;
  box: SecretBox;
  config: Pick<Config, 'telegramApiUrl' | 'uploadMaxBytes'>;
  storage: BlobStorage;
  log: PollerLog;
  /** This process among all that poll: who holds a channel's lease. */
  ownerId: string;
  /** Seconds one getUpdates waits for updates; default 25. */
  pollTimeoutSec?: number;
  /** How often the channel list is read again, in ms; default 2000. */
  scanIntervalMs?: number;
}

export interface TelegramPollers {
  /** Ends every long poll, waits for updates in hand to be handled, and releases the leases. */
  stop(): Promise<void>;
}

interface Poll {
  token: string;
  controller: AbortController;
  leaseUntil: number;
  done: Promise<void>;
}

/** The shortest time between two polls that brought nothing. */
const MIN_EMPTY_POLL_MS = 500;

/** Each update once, in order, the offset stored after each: a crash re-reads at most the update in hand. */
async function pollChannel(deps: PollerDeps, channel: Channel<'telegram'>, poll: Poll): Promise<void> {
  const { db, log, ownerId } = deps;
  const signal = poll.controller.signal;
  const api = new BotApi(deps.config.telegramApiUrl, channel.secrets.botToken);
  const updateDeps = { db, storage: deps.storage, api, channel, maxFileBytes: deps.config.uploadMaxBytes };
  let offset: number | null | undefined;
  let failures = 0;
  let stuck = { updateId: -1, attempts: 0 };

  async function handle(update: TelegramUpdate): Promise<void> {
    try {
      const result = await handleUpdate(updateDeps, update);
      log.debug(
        { channelId: channel.id, updateId: update.update_id, outcome: result?.outcome ?? 'ignored' },
        'telegram update handled',
      );
    } catch (error) {
      stuck =
        stuck.updateId === update.update_id
          ? { ...stuck, attempts: stuck.attempts + 1 }
          : { updateId: update.update_id, attempts: 1 };
      if (stuck.attempts < MAX_UPDATE_ATTEMPTS) throw error;
      log.error(
        { err: error, channelId: channel.id, updateId: update.update_id },
        `telegram update skipped after ${MAX_UPDATE_ATTEMPTS} failed attempts`,
      );
    }
  }

  while (!signal.aborted) {
    try {
      offset ??= await pollOffset(db, channel.id);
      const askedAt = Date.now();
      const updates = await api.getUpdates(offset, deps.pollTimeoutSec ?? DEFAULT_POLL_TIMEOUT_SEC, signal);
      failures = 0;
      // A Bot API server that answers an empty poll at once (ignoring `timeout`) must not be
      // asked again in a tight loop.
      const early = MIN_EMPTY_POLL_MS - (Date.now() - askedAt);
      if (updates.length === 0 && early > 0) await sleep(early, undefined, { signal }).catch(() => undefined);
      for (const update of updates) {
        await handle(update);
        offset = update.update_id + 1;
        poll.leaseUntil = Date.now() + LEASE_MS;
        if (!(await storePollOffset(db, channel.id, ownerId, offset, poll.leaseUntil))) {
          log.info({ channelId: channel.id }, 'telegram polling taken over by another process');
          return;
        }
        if (signal.aborted) return;
      }
    } catch (error) {
      if (signal.aborted) return;
      failures += 1;
      const retryAfter = error instanceof TelegramApiError ? error.retryAfter : undefined;
      const delayMs = retryAfter ? retryAfter * 1000 : Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (failures - 1));
      log.warn({ err: error, channelId: channel.id, retryInMs: delayMs }, 'telegram polling failed');
      await sleep(delayMs, undefined, { signal }).catch(() => undefined);
    }
  }
}

/**
 * Long-polls every enabled Telegram channel in polling mode that this process holds the lease
 * of, so that across all processes exactly one polls each bot (Telegram itself refuses two
 * concurrent getUpdates). The channel list is read again every few seconds: channels switched
 * off, switched to a webhook or given another token stop being polled, new ones start.
 */
export function startTelegramPollers(deps: PollerDeps): TelegramPollers {
  const { db, box, log, ownerId } = deps;
  const polls = new Map<string, Poll>();
  const stopping = new AbortController();

  function start(channel: Channel<'telegram'>, leaseUntil: number): void {
    const poll: Poll = {
      token: channel.secrets.botToken,
      controller: new AbortController(),
      leaseUntil,
      done: Promise.resolve(),
    };
    poll.done = pollChannel(deps, channel, poll)
      .catch((error: unknown) => log.error({ err: error, channelId: channel.id }, 'telegram polling crashed'))
      .then(() => releasePollLease(db, channel.id, ownerId))
      .catch((error: unknown) =>
        log.warn({ err: error, channelId: channel.id }, 'telegram lease not released'),
      )
      .finally(() => polls.delete(channel.id));
    polls.set(channel.id, poll);
  }

  /** Keeps the lease of a channel being polled; a lost lease ends the poll. */
  async function renew(channelId: string, poll: Poll): Promise<void> {
    const now = Date.now();
    if (poll.leaseUntil - now > RENEW_WHEN_LEFT_MS) return;
    if (await takePollLease(db, channelId, ownerId, now, now + LEASE_MS)) {
      poll.leaseUntil = now + LEASE_MS;
    } else {
      log.info({ channelId }, 'telegram polling lease lost');
      poll.controller.abort();
    }
  }

  async function scan(): Promise<void> {
    const channels = await pollingTelegramChannels(db, box);
    const wanted = new Map(channels.map((channel) => [channel.id, channel]));
    for (const [id, poll] of polls) {
      if (wanted.get(id)?.secrets.botToken !== poll.token) poll.controller.abort();
    }
    for (const channel of channels) {
      if (stopping.signal.aborted) return;
      const poll = polls.get(channel.id);
      // A poll still winding down (its token changed) is restarted on a later scan.
      if (poll) {
        if (!poll.controller.signal.aborted) await renew(channel.id, poll);
        continue;
      }
      const now = Date.now();
      if (await takePollLease(db, channel.id, ownerId, now, now + LEASE_MS)) start(channel, now + LEASE_MS);
    }
  }

  const scanning = (async () => {
    while (!stopping.signal.aborted) {
      await scan().catch((error: unknown) => log.warn({ err: error }, 'telegram channel scan failed'));
      await sleep(deps.scanIntervalMs ?? SCAN_INTERVAL_MS, undefined, { signal: stopping.signal }).catch(
        () => undefined,
      );
    }
  })();

  return {
    async stop() {
      stopping.abort();
      await scanning;
      const running = [...polls.values()];
      for (const poll of running) poll.controller.abort();
      await Promise.all(running.map((poll) => poll.done));
    },
  };
}
