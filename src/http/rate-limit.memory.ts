import { WINDOW_MS, secondsUntil, type RateDecision, type RateLimiter } from './rate-limit.js';

/**
 * One process's budgets: per key, the times of the requests inside the window (a sliding
 * log, so exactly `limit` requests pass in any 60 s span). A queue with a moving head keeps
 * each hit O(1) amortised.
 */
class Log {
  times: number[] = [];
  head = 0;

  constructor(readonly windowMs: number) {}

  prune(now: number): void {
    while (this.head < this.times.length && this.times[this.head]! <= now - this.windowMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }

  get size(): number {
    return this.times.length - this.head;
  }
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly logs = new Map<string, Log>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    // Forget keys idle for a whole window so the map does not grow with every key ever seen
    // (checked every minute; longer windows are pruned with their own length).
    this.sweeper = setInterval(() => this.sweep(), WINDOW_MS);
    this.sweeper.unref();
  }

  hit(key: string, limit: number, windowMs: number = WINDOW_MS): Promise<RateDecision> {
    const now = this.now();
    let log = this.logs.get(key);
    if (!log || log.windowMs !== windowMs) {
      log = new Log(windowMs);
      this.logs.set(key, log);
    }
    log.prune(now);
    const allowed = log.size < limit;
    if (allowed) log.times.push(now);
    const oldest = log.size > 0 ? log.times[log.head]! : now;
    return Promise.resolve({
      allowed,
      remaining: Math.max(0, limit - log.size),
      resetSeconds: secondsUntil(oldest + windowMs, now),
    });
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, log] of this.logs) {
      log.prune(now);
      if (log.size === 0) this.logs.delete(key);
    }
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
    return Promise.resolve();
  }
}
