import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import type { Config } from '../config.js';

/** A JSON event published to everyone listening on a topic, in this process or (with Redis) any. */
export type RealtimeEvent = Record<string, unknown>;
export type Unsubscribe = () => void;

/**
 * Fan-out of live events (an agent's reply to an open widget). Best effort by design: a
 * listener that is not connected misses the event and catches up by reading the API, so
 * nothing here needs to be durable.
 */
export interface RealtimeBus {
  publish(topic: string, event: RealtimeEvent): Promise<void>;
  subscribe(topic: string, listener: (event: RealtimeEvent) => void): Unsubscribe;
  close(): Promise<void>;
}

/** One process: an EventEmitter. */
export class MemoryBus implements RealtimeBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish(topic: string, event: RealtimeEvent): Promise<void> {
    this.emitter.emit(topic, event);
  }

  subscribe(topic: string, listener: (event: RealtimeEvent) => void): Unsubscribe {
    this.emitter.on(topic, listener);
    return () => this.emitter.off(topic, listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

const PREFIX = 'talki:rt:';

/**
 * Several processes: Redis pub/sub. A subscriber connection can do nothing else, so there are
 * two; each topic is subscribed in Redis once per process however many sockets listen to it.
 */
export class RedisBus implements RealtimeBus {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly local = new MemoryBus();
  private readonly counts = new Map<string, number>();

  constructor(url: string) {
    this.pub = new Redis(url, { maxRetriesPerRequest: 2 });
    this.sub = new Redis(url);
    // Errors reach publish() callers; a subscriber reconnects (and resubscribes) by itself.
    this.pub.on('error', () => {});
    this.sub.on('error', () => {});
    this.sub.on('message', (channel: string, text: string) => {
      if (!channel.startsWith(PREFIX)) return;
      try {
        void this.local.publish(channel.slice(PREFIX.length), JSON.parse(text) as RealtimeEvent);
      } catch {
        // Not ours to understand: ignore.
      }
    });
  }

  async publish(topic: string, event: RealtimeEvent): Promise<void> {
    await this.pub.publish(PREFIX + topic, JSON.stringify(event));
  }

  subscribe(topic: string, listener: (event: RealtimeEvent) => void): Unsubscribe {
    const unsubscribe = this.local.subscribe(topic, listener);
    const count = (this.counts.get(topic) ?? 0) + 1;
    this.counts.set(topic, count);
    if (count === 1) void this.sub.subscribe(PREFIX + topic).catch(() => {});
    let done = false;
    return () => {
      if (done) return;
      done = true;
      unsubscribe();
      const left = (this.counts.get(topic) ?? 1) - 1;
      if (left > 0) this.counts.set(topic, left);
      else {
        this.counts.delete(topic);
        void this.sub.unsubscribe(PREFIX + topic).catch(() => {});
      }
    };
  }

  async close(): Promise<void> {
    await this.local.close();
    this.sub.disconnect();
    this.pub.disconnect();
  }
}

export function createRealtimeBus(config: Pick<Config, 'redisUrl'>): RealtimeBus {
  return config.redisUrl ? new RedisBus(config.redisUrl) : new MemoryBus();
}
