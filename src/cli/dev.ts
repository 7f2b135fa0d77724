import { seedOrg } from '../dev/seed.js';
import { startTelegramStandIn } from '../dev/telegram-stand-in.js';
import { createOrg, requireOrg } from '../modules/orgs/orgs.service.js';
import type { CommandResult } from './commands.js';
import { withContext } from './context.js';
import { email, optionalInteger, optionalString, type Options } from './options.js';
import { listenError } from './startup.js';
import { UsageError } from './usage.js';

/**
 * `talki dev telegram-stand-in`: the Bot API stand-in the tests use, for trying the Telegram
 * channel without a real bot. Runs until SIGINT/SIGTERM.
 */
export async function telegramStandIn(options: Options): Promise<void> {
  const port = optionalInteger(options, 'port', 0, 65535) ?? 8081;
  const host = optionalString(options, 'host') ?? '127.0.0.1';
  let standIn: Awaited<ReturnType<typeof startTelegramStandIn>>;
  try {
    standIn = await startTelegramStandIn({ port, host });
  } catch (error) {
    throw listenError('', host, port, error, { port: '--port', host: '--host' });
  }
  const stop = () => {
    void standIn.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.write(
    [
      `Telegram Bot API stand-in listening on ${standIn.url}`,
      `Start Talki with: TELEGRAM_API_URL=${standIn.url} npm start`,
      'Any bot token like 123456:test works. Write to the bot as a customer:',
      `  curl -s -X POST ${standIn.url}/stand-in/bot123456:test/updates -H 'Content-Type: application/json' -d '{"text":"Hello"}'`,
      `See what the bot sent back: curl -s ${standIn.url}/stand-in/bot123456:test/sent`,
      '',
    ].join('\n'),
  );
}

/**
 * `talki dev seed`: a big org to try the inbox on. Without --org it first creates an org and its
 * admin as `org create` does (and prints the same fields); progress goes to stderr.
 */
export async function devSeed(options: Options): Promise<CommandResult> {
  const orgId = optionalString(options, 'org');
  const tickets = optionalInteger(options, 'tickets', 0, 10_000_000) ?? 100_000;
  const adminEmail = optionalString(options, 'admin-email');
  const adminPassword = optionalString(options, 'admin-password');
  if (orgId !== undefined && (adminEmail !== undefined || adminPassword !== undefined)) {
    throw new UsageError('--admin-email and --admin-password are for a new org: leave out --org');
  }
  const name = optionalString(options, 'name') ?? 'Seed Co';
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  return withContext(async ({ db }) => {
    const created =
      orgId === undefined
        ? await createOrg(db.kysely, {
            name,
            adminEmail: email(adminEmail ?? `admin.${Date.now().toString(36)}@seed.localhost`, 'admin-email'),
            adminName: 'Admin',
            adminPassword,
          })
        : undefined;
    const org = created?.org ?? (await requireOrg(db.kysely, orgId!));
    const seeded = await seedOrg(db.kysely, { orgId: org.id, tickets, progress });
    const agents = seeded.agents.map((a) => ({ id: a.id, email: a.email, name: a.name }));
    const summary = { ...seeded, agents };
    return {
      json: created
        ? {
            ...created,
            admin: { id: created.admin.id, email: created.admin.email, name: created.admin.name },
            seeded: summary,
          }
        : { org, seeded: summary },
      text: [
        ...(created
          ? [
              `Created org ${org.name} (${org.id})`,
              `Admin agent:  ${created.admin.email} (${created.admin.id})${adminPassword ? '' : ' — no password set'}`,
              `Secret API key (shown once, keep it private): ${created.apiKey}`,
              `Widget key (public, for the chat snippet):     ${created.widgetKey}`,
            ]
          : []),
        `Seeded ${seeded.tickets} tickets (${seeded.firstCode ?? '–'} … ${seeded.lastCode ?? '–'}), ${seeded.messages} messages, ${seeded.customers} customers and ${agents.length} agents into ${org.id} in ${seeded.seconds} s`,
      ],
    };
  });
}
