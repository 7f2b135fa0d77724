import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { orgsWithEventsAfter, tail, type StreamPosition } from '../modules/events/events.stream.queries.js';
import type { Unsubscribe } from './bus.js';

/** Orgs' new events one look reports at most; more are picked up by the next look at once. */
const SCAN_LIMIT = 1000;

/**
 * Tells this process's open streams that their org has new events. It only wakes them: each
 * stream reads the log itself from its own position, so a missed or spurious wake-up costs
 * latency, never an event. One query per interval per process, whatever the number of streams,
 * and it sees every process's writes, since they all share the database.
 */
export class EventFeed {
  private readonly listeners = new Map<string, Set<() => void>>();
  private position: StreamPosition | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly pollMs: number,
    private readonly log: FastifyBaseLogger,
  ) {}

  subscribe(orgId: string, wake: () => void): Unsubscribe {
    let set = this.listeners.get(orgId);
    if (!set) this.listeners.set(orgId, (set = new Set()));
    set.add(wake);
    if (this.timer === undefined && !this.closed) this.schedule(0);
    return () => {
      set.delete(wake);
      if (set.size === 0) this.listeners.delete(orgId);
    };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.listeners.clear();
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => void this.look(), delay);
  }

  private async look(): Promise<void> {
    if (this.listeners.size === 0) {
      // Nobody listens: stop, and start again from the then-current tail.
      this.timer = undefined;
      this.position = undefined;
      return;
    }
    let more = false;
    try {
      if (this.position === undefined) this.position = await tail(this.db);
      const found = await orgsWithEventsAfter(this.db, this.position, SCAN_LIMIT);
      this.position = found.position;
      more = found.orgIds.size > 0;
      for (const orgId of found.orgIds) for (const wake of this.listeners.get(orgId) ?? []) wake();
    } catch (error) {
      this.log.error({ err: error }, 'event feed could not read the log; retrying');
    }
    if (!this.closed) this.schedule(more ? 0 : this.pollMs);
  }
}

const feeds = new WeakMap<Kysely<Database>, { feed: EventFeed; users: number }>();

/** The one feed of this database in this process; release it when the user closes. */
export function acquireFeed(
  db: Kysely<Database>,
  pollMs: number,
  log: FastifyBaseLogger,
): { feed: EventFeed; release(): void } {
  let entry = feeds.get(db);
  if (!entry) feeds.set(db, (entry = { feed: new EventFeed(db, pollMs, log), users: 0 }));
  entry.users += 1;
  const held = entry;
  let released = false;
  return {
    feed: held.feed,
    release() {
      if (released) return;
      released = true;
      held.users -= 1;
      if (held.users === 0) {
        held.feed.close();
        feeds.delete(db);
      }
    },
  };
}
