#!/usr/bin/env node
import { parseArgs } from 'node:util';
import {
  agentCreate,
  apikeyCreate,
  apikeyList,
  apikeyRevoke,
  orgCreate,
  type CommandResult,
} from './cli/commands.js';
import { withContext } from './cli/context.js';
import { devSeed, telegramStandIn } from './cli/dev.js';
import { serve } from './cli/serve.js';
import { StartupError } from './cli/startup.js';
import { worker } from './cli/worker.js';
import { COMMAND_USAGE, USAGE, UsageError, groupUsage } from './cli/usage.js';
import { ConfigError } from './config.js';
import { AppError } from './http/errors.js';

const OPTIONS = {
  name: { type: 'string' },
  org: { type: 'string' },
  id: { type: 'string' },
  email: { type: 'string' },
  password: { type: 'string' },
  role: { type: 'string' },
  scope: { type: 'string' },
  'rate-limit': { type: 'string' },
  'admin-email': { type: 'string' },
  'admin-password': { type: 'string' },
  'admin-name': { type: 'string' },
  tickets: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Command = (
  options: Record<string, string | boolean | undefined>,
  positional: string[],
) => Promise<CommandResult>;

const COMMANDS: Record<string, Command> = {
  'org create': orgCreate,
  'apikey create': apikeyCreate,
  'apikey list': apikeyList,
  'apikey revoke': apikeyRevoke,
  'agent create': agentCreate,
  'dev seed': devSeed,
};

async function printOpenApi(): Promise<void> {
  const { buildApp } = await import('./app.js');
  const { MemoryRateLimiter } = await import('./http/rate-limit.memory.js');
  await withContext(async ({ config, db }) => {
    const limiter = new MemoryRateLimiter();
    const app = await buildApp({ config, db, limiter, logger: false });
    await app.ready();
    process.stdout.write(`${JSON.stringify(app.swagger(), null, 2)}\n`);
    await app.close();
    await limiter.close();
  });
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  const [first, second, ...rest] = positionals;
  if (values.help) return printHelp(positionals);
  if (first === 'help') return printHelp(positionals.slice(1));
  if (!first) {
    process.stdout.write(USAGE);
    return 2;
  }
  switch (first) {
    case 'serve':
      await serve();
      return 0;
    case 'worker':
      await worker();
      return 0;
    case 'migrate':
      await withContext(async () => {});
      process.stderr.write('Database is up to date.\n');
      return 0;
    case 'openapi':
      await printOpenApi();
      return 0;
    case 'dev':
      if (second === 'seed') break;
      if (second !== 'telegram-stand-in')
        throw new UsageError(`unknown command "dev ${second ?? ''}"`.trim());
      await telegramStandIn(values);
      return 0;
    default:
      break;
  }
  const command = COMMANDS[`${first} ${second ?? ''}`];
  if (!command) throw new UsageError(`unknown command "${[first, second].filter(Boolean).join(' ')}"`);
  const result = await command(values, rest);
  process.stdout.write(values.json ? `${JSON.stringify(result.json)}\n` : `${result.text.join('\n')}\n`);
  return 0;
}

/** `talki help org create` and `talki org create --help`: that command's usage, else the list. */
function printHelp(words: string[]): number {
  const [first, second] = words;
  // Help for a command that does not exist would read as if it did.
  const group = first ? groupUsage(first) : undefined;
  if (first && !COMMAND_USAGE[first] && (!group || (second && !COMMAND_USAGE[`${first} ${second}`]))) {
    throw new UsageError(`unknown command "${[first, second].filter(Boolean).join(' ')}"`);
  }
  const text =
    (first && second && COMMAND_USAGE[`${first} ${second}`]) ||
    (first && COMMAND_USAGE[first]) ||
    (first && groupUsage(first)) ||
    USAGE;
  process.stdout.write(text);
  return 0;
}

function fail(error: unknown): number {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`talki: ${(error as Error).message}\nRun "talki help" for usage.\n`);
    return 2;
  }
  if (error instanceof AppError || error instanceof ConfigError || error instanceof StartupError) {
    process.stderr.write(`talki: ${error.message}\n`);
    return 1;
  }
  process.stderr.write(`talki: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}

// A reader that stops early (`talki openapi | head -1`) is not an error of ours.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const LONG_RUNNING = ['serve', 'worker', 'dev telegram-stand-in'];

run(process.argv.slice(2)).then(
  (code) => {
    // serve, worker and the dev stand-in keep running; every other command ends here.
    const [first = '', second = ''] = process.argv.slice(2);
    if (!LONG_RUNNING.includes(first) && !LONG_RUNNING.includes(`${first} ${second}`))
      process.exitCode = code;
  },
  (error: unknown) => {
    const code = fail(error);
    process.exitCode = code;
    // A failed start has closed what it opened; should a handle still linger, exit regardless.
    setTimeout(() => process.exit(code), 500).unref();
  },
);
