/** Rolling-window request budgets, one per API key (or agent, or login throttle). */
export const WINDOW_MS = 60_000;

export interface RateDecision {
  allowed: boolean;
  /** Requests still allowed in the current rolling window after this one. */
  remaining: number;
  /** Seconds until the oldest counted request leaves the window (a slot frees up). */
  resetSeconds: number;
}

export interface RateLimiter {
  /**
   * Counts one request against `key` if the budget allows it, and says what is left. The window
   * is a rolling minute unless `windowMs` says otherwise (login throttles use 15 minutes).
   */
  hit(key: string, limit: number, windowMs?: number): Promise<RateDecision>;
  close(): Promise<void>;
}

export function secondsUntil(epochMs: number, now: number): number {
  return Math.max(1, Math.ceil((epochMs - now) / 1000));
}
