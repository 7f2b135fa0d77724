/**
 * The wait before the next attempt after attempt `attempt` (1-based) failed: doubling from
 * `baseMs`, capped at `maxMs`, with ±50% jitter so jobs that failed together (an outage)
 * don't all come back in the same instant. Whole milliseconds: run_at is a BIGINT.
 */
export function retryDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const capped = Math.min(baseMs * 2 ** exponent, maxMs);
  return Math.round(capped * (0.5 + random()));
}
