import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMAND_USAGE, USAGE } from '../src/cli/usage.js';
import { runCli } from './support/processes.js';

const MAIN = path.resolve(import.meta.dirname, '../dist/main.js');
const COMMANDS = [
  'serve',
  'worker',
  'migrate',
  'openapi',
  'org create',
  'apikey create',
  'apikey list',
  'apikey revoke',
  'agent create',
  'dev telegram-stand-in',
  'dev seed',
  'help',
];

describe('talki <command> --help', () => {
  // No database is touched: a data dir that cannot exist proves --help opens nothing.
  const env = { TALKI_DATA_DIR: '/dev/null/talki' };

  async function expectOwnUsage(args: string[], command: string): Promise<string> {
    const result = await runCli(args, env);
    expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 0, stderr: '' });
    expect(result.stdout.startsWith(`Usage: talki ${command}`)).toBe(true);
    expect(result.stdout).not.toBe(USAGE);
    return result.stdout;
  }

  // One child process per command, on two shared cores: more time than the default.
  it('every command answers --help with its own usage and options', { timeout: 120_000 }, async () => {
    expect(Object.keys(COMMAND_USAGE).sort()).toEqual([...COMMANDS].sort());
    for (const command of COMMANDS) await expectOwnUsage([...command.split(' '), '--help'], command);
  });

  it('help COMMAND and -h say the same, with the options', async () => {
    const create = await expectOwnUsage(['help', 'apikey', 'create'], 'apikey create');
    expect(await expectOwnUsage(['apikey', 'create', '-h'], 'apikey create')).toBe(create);
    for (const option of ['--org', '--name', '--scope', '--rate-limit', '--json']) {
      expect(create).toContain(option);
    }
    expect(await expectOwnUsage(['help', 'serve'], 'serve')).toContain('PORT');
  });

  it('a group lists its commands; no command lists them all', async () => {
    const group = await runCli(['apikey', '--help'], env);
    expect(group.code).toBe(0);
    expect(group.stdout).toMatch(/^Usage: talki apikey <create\|list\|revoke>/);
    expect(group.stdout).toContain('talki apikey revoke KEY_ID');
    const all = await runCli(['--help'], env);
    expect(all.code).toBe(0);
    expect(all.stdout).toBe(USAGE);
  });

  it('help for a command that does not exist is wrong usage, not the general help', async () => {
    for (const args of [
      ['help', 'bogus'],
      ['bogus', '--help'],
      ['org', 'bogus', '--help'],
      ['help', 'org', 'bogus'],
    ]) {
      const result = await runCli(args, env);
      const name = args.filter((a) => a !== 'help' && a !== '--help').join(' ');
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(result.stderr).toBe(`talki: unknown command "${name}"\nRun "talki help" for usage.\n`);
    }
  });
});

describe('talki openapi into a pipe that closes early', () => {
  it('exits 0 without an EPIPE error, as `talki openapi | head -1` needs', async () => {
    const child = spawn(process.execPath, [MAIN, 'openapi'], {
      env: {
        ...process.env,
        DATABASE_URL: '',
        REDIS_URL: '',
        TALKI_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'talki-openapi-')),
      },
      stdio: 'pipe',
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let first = '';
    child.stdout.once('data', (chunk: Buffer) => {
      first = chunk.toString().split('\n')[0]!;
      // What head does after its first line: stops reading.
      child.stdout.destroy();
    });
    const [code] = (await once(child, 'close')) as [number | null];
    expect(first).toBe('{');
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
