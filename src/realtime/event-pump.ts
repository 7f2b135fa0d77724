import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Caller } from '../http/caller.js';
import type { EventView } from '../modules/events/events.service.js';
import {
  readStream,
  STREAM_BATCH,
  type StreamFilter,
  type StreamPosition,
} from '../modules/events/events.stream.js';
import type { EventFeed } from './event-feed.js';
import type { Unsubscribe } from './bus.js';

/** A stream re-reads the log this often even without a wake-up: the safety net, not the path. */
const FALLBACK_READ_MS = 5000;

/**
 * Moves one client's stream along the log: replays from its start position, then waits for
 * the feed's wake-ups and reads again. `deliver` resolves once the client can take more
 * (backpressure), so a slow client is read for no faster than it receives.
 */
export class EventPump {
  private pending = true;
  private stopped = false;
  private wakeUp: (() => void) | undefined;
  private unsubscribe: Unsubscribe | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly feed: EventFeed,
    private readonly caller: Caller,
    private position: StreamPosition,
    private readonly filter: StreamFilter,
    private readonly deliver: (event: EventView) => Promise<void>,
    private readonly fail: (error: unknown) => void,
  ) {}

  start(): void {
    this.unsubscribe = this.feed.subscribe(this.caller.orgId, () => this.wake());
    this.run().catch((error: unknown) => {
      if (!this.stopped) this.fail(error);
    });
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    this.wake();
  }

  private wake(): void {
    this.pending = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (!this.pending) await this.sleep();
      this.pending = false;
      for (;;) {
        const batch = await readStream(this.db, this.caller, this.position, this.filter);
        for (const event of batch.events) {
          if (this.stopped) return;
          await this.deliver(event);
        }
        this.position = batch.position;
        if (batch.events.length < STREAM_BATCH) break;
      }
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, FALLBACK_READ_MS);
      this.wakeUp = done;
    });
  }
}
