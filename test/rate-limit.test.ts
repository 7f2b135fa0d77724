import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { WINDOW_MS } from '../src/http/rate-limit.js';
import { MemoryRateLimiter } from '../src/http/rate-limit.memory.js';
import { RedisRateLimiter } from '../src/http/rate-limit.redis.js';

describe('in-memory sliding-window limiter', () => {
  it('lets exactly `limit` requests through in any rolling window', async () => {
    let now = 1_000_000;
    const limiter = new MemoryRateLimiter(() => now);
    const results = [];
    for (let i = 0; i < 4; i++) {
      results.push(await limiter.hit('k', 3));
      now += 1000;
    }
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
    // The first request (at 1,000,000) leaves the window 60 s later: 57 s from the 4th request.
    expect(results[3]!.resetSeconds).toBe(57);

    now = 1_000_000 + WINDOW_MS; // the first request has just left the window
    expect((await limiter.hit('k', 3)).allowed).toBe(true);
    expect((await limiter.hit('k', 3)).allowed).toBe(false);
    expect((await limiter.hit('other', 3)).allowed).toBe(true);
    await limiter.close();
  });

  it('never allows more than the limit within any 60 s span (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 60 }),
        async (limit, gaps) => {
          let now = 0;
          const limiter = new MemoryRateLimiter(() => now);
          const allowedAt: number[] = [];
          for (const gap of gaps) {
            now += gap * 50;
            if ((await limiter.hit('k', limit)).allowed) allowedAt.push(now);
          }
          await limiter.close();
          for (let i = limit; i < allowedAt.length; i++) {
            expect(allowedAt[i]! - allowedAt[i - limit]!).toBeGreaterThanOrEqual(WINDOW_MS);
          }
          // And a request is refused only when `limit` others really are inside the window.
          expect(allowedAt.length).toBeGreaterThanOrEqual(Math.min(limit, gaps.length));
        },
      ),
    );
  });
});

describe('Redis sliding-window limiter', () => {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const a = new RedisRateLimiter(url);
  const b = new RedisRateLimiter(url);
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('shares one budget between limiter instances (as between processes)', async () => {
    const key = `test-${randomBytes(6).toString('hex')}`;
    const decisions = [];
    for (let i = 0; i < 6; i++) decisions.push(await (i % 2 ? a : b).hit(key, 4));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, false, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([3, 2, 1, 0, 0, 0]);
    expect(decisions[5]!.resetSeconds).toBeGreaterThanOrEqual(59);
    expect(decisions[5]!.resetSeconds).toBeLessThanOrEqual(60);
  });

  it('counts concurrent requests exactly', async () => {
    const key = `test-${randomBytes(6).toString('hex')}`;
    const decisions = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).hit(key, 20)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(20);
  });
});
