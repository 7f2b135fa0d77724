import type { Config } from '../config.js';
import type { RateLimiter } from './rate-limit.js';
import { MemoryRateLimiter } from './rate-limit.memory.js';
import { RedisRateLimiter } from './rate-limit.redis.js';

/** In-process budgets for one server; Redis when several servers must share them. */
export function createRateLimiter(config: Pick<Config, 'redisUrl'>): RateLimiter {
  return config.redisUrl ? new RedisRateLimiter(config.redisUrl) : new MemoryRateLimiter();
}
