import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from './support/databases.js';
import { runCli } from './support/processes.js';

describe.each(DIALECTS)('talki CLI on %s', (dialect) => {
  let database: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    env = database.env;
  });
  afterAll(() => database.drop());

  async function json(args: string[]) {
    const result = await runCli([...args, '--json'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // Exactly one JSON object and nothing else on stdout.
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  }

  it('org create prints the documented JSON contract', async () => {
    const out = await json([
      'org',
      'create',
      '--name',
      'Acme',
      '--admin-email',
      'Ops@Acme.test',
      '--admin-password',
      'pw-12345678',
    ]);
    expect(Object.keys(out).sort()).toEqual(['admin', 'apiKey', 'org', 'widgetKey']);
    expect(out.org).toMatchObject({ id: expect.stringMatching(/^org_[0-9a-z]{26}$/), name: 'Acme' });
    expect(out.apiKey).toMatch(/^talki_sk_/);
    expect(out.widgetKey).toMatch(/^talki_pk_/);
    expect(out.admin).toMatchObject({ id: expect.stringMatching(/^agent_/), email: 'Ops@Acme.test' });
  });

  it('org create works on an empty data dir (migrates first)', async () => {
    const fresh = await createTestDatabase(dialect);
    try {
      const result = await runCli(['org', 'create', '--name', 'Fresh', '--json'], fresh.env);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout).org.name).toBe('Fresh');
    } finally {
      await fresh.drop();
    }
  });

  it('apikey create prints {id,key,prefix,scope,rateLimit}; list and revoke manage it', async () => {
    const org = (await json(['org', 'create', '--name', 'Keys'])) as { org: { id: string } };
    const key = await json([
      'apikey',
      'create',
      '--org',
      org.org.id,
      '--name',
      'bench',
      '--scope',
      'read',
      '--rate-limit',
      '0',
    ]);
    expect(Object.keys(key).sort()).toEqual(['id', 'key', 'prefix', 'rateLimit', 'scope']);
    expect(key).toMatchObject({ id: expect.stringMatching(/^key_/), scope: 'read', rateLimit: 0 });
    expect(String(key.key).startsWith(String(key.prefix))).toBe(true);

    const defaults = await json(['apikey', 'create', '--org', org.org.id]);
    expect(defaults).toMatchObject({ scope: 'write', rateLimit: null });

    const list = (await json(['apikey', 'list', '--org', org.org.id])) as {
      data: Array<Record<string, unknown>>;
    };
    expect(list.data.map((k) => k.id)).toContain(key.id);
    expect(JSON.stringify(list)).not.toContain(String(key.key));

    const revoked = await json(['apikey', 'revoke', String(key.id)]);
    expect(revoked.revokedAt).toEqual(expect.any(String));
    const again = await runCli(['apikey', 'revoke', String(key.id)], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already revoked/);
  });

  it('agent create adds an agent to the org', async () => {
    const org = (await json(['org', 'create', '--name', 'Agents'])) as { org: { id: string } };
    const agent = await json([
      'agent',
      'create',
      '--org',
      org.org.id,
      '--email',
      'bob@agents.test',
      '--name',
      'Bob',
    ]);
    expect(agent).toMatchObject({
      id: expect.stringMatching(/^agent_/),
      email: 'bob@agents.test',
      name: 'Bob',
      role: 'agent',
    });
  });

  it('rejects bad input with a message on stderr and a non-zero exit', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['apikey', 'create', '--org', 'org_missing', '--json'], 1, /not found/],
      [['apikey', 'create', '--json'], 2, /--org is required/],
      [['apikey', 'create', '--org', 'x', '--scope', 'admin', '--json'], 2, /--scope must be one of/],
      [['apikey', 'create', '--org', 'x', '--rate-limit', '-1', '--json'], 2, /--rate-limit/],
      [['org', 'create', '--json'], 2, /--name is required/],
      [['org', 'create', '--name', 'X', '--admin-email', 'nope', '--json'], 2, /--admin-email/],
      [['frobnicate'], 2, /unknown command/],
      [['org', 'create', '--bogus'], 2, /Unknown option/],
    ];
    for (const [args, code, message] of cases) {
      const result = await runCli(args, env);
      expect({ args, code: result.code }).toEqual({ args, code });
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    }
  });

  it('help prints usage; migrate is idempotent', async () => {
    const help = await runCli(['help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: talki <command>/);
    for (let i = 0; i < 2; i++) {
      const migrate = await runCli(['migrate'], env);
      expect(migrate.code).toBe(0);
    }
  });
});
