import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from './support/databases.js';
import { runCli, startServer, type ServerProcess } from './support/processes.js';

describe.each(DIALECTS)('rate limits shared through Redis by two server processes (%s)', (dialect) => {
  let database: TestDatabase;
  let servers: ServerProcess[];
  let key: string;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const env = { ...database.env, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' };
    const org = JSON.parse((await runCli(['org', 'create', '--name', 'Shared', '--json'], env)).stdout) as {
      org: { id: string };
    };
    const created = await runCli(
      ['apikey', 'create', '--org', org.org.id, '--rate-limit', '10', '--json'],
      env,
    );
    key = (JSON.parse(created.stdout) as { key: string }).key;
    servers = await Promise.all([startServer(env), startServer(env)]);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await database.drop();
  });

  it('lets exactly the key’s limit through across both processes, then answers 429 with Retry-After', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 14; i++) {
      last = await fetch(`${servers[i % 2]!.url}/v1/tickets`, {
        headers: { authorization: `Bearer ${key}` },
      });
      statuses.push(last.status);
      if (i === 9) expect(last.headers.get('x-ratelimit-remaining')).toBe('0');
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.slice(10)).toEqual([429, 429, 429, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(last!.headers.get('x-ratelimit-limit')).toBe('10');
    const body = (await last!.json()) as { error: { code: string } };
    expect(body.error.code).toBe('TOO_MANY_REQUESTS');
  });
});
