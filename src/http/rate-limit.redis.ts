import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { WINDOW_MS, secondsUntil, type RateDecision, type RateLimiter } from './rate-limit.js';

/**
 * A sliding log in a sorted set per key, checked and updated atomically by one script so
 * that every server process shares one budget. Redis's clock is the only clock used, so
 * processes with skewed clocks still agree.
 */
const SLIDING_LOG = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < limit then
  redis.call('ZADD', KEYS[1], now, now .. '-' .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  count = count + 1
  allowed = 1
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local oldestAt = now
if oldest[2] then oldestAt = tonumber(oldest[2]) end
return {allowed, count, oldestAt, now}
`;

type ScriptReply = [number, number, number, number];

export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;
  private readonly salt = randomBytes(6).toString('hex');
  private counter = 0;

  constructor(url: string) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
    this.redis.defineCommand('talkiSlidingLog', { numberOfKeys: 1, lua: SLIDING_LOG });
    // Connection errors surface on each hit (handled by the caller); don't crash on the event.
    this.redis.on('error', () => {});
  }

  async hit(key: string, limit: number, windowMs: number = WINDOW_MS): Promise<RateDecision> {
    // A member unique across processes, so two requests in the same millisecond both count.
    const member = `${this.salt}-${this.counter++}`;
    const command = (this.redis as unknown as Record<string, (...args: unknown[]) => Promise<ScriptReply>>)
      .talkiSlidingLog!;
    const [allowed, count, oldestAt, now] = await command.call(
      this.redis,
      `talki:rl:${key}`,
      windowMs,
      limit,
      member,
    );
    return {
      allowed: allowed === 1,
      remaining: Math.max(0, limit - count),
      resetSeconds: secondsUntil(oldestAt + windowMs, now),
    };
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
