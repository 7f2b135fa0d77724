export const USAGE = `Talki — open-source customer support.

Usage: talki <command> [options]

Commands:
  serve                          Serve the HTTP API (PORT, HOST; migrates first), with the job
                                 worker (TALKI_WORKER=off: without) and, when TALKI_SMTP_PORT is
                                 set, the inbound SMTP listener
  worker                         Run only the job worker and Telegram polling (deliveries), for
                                 separate worker processes
  migrate                        Apply database migrations
  org create --name NAME         Create an org with its admin agent, a secret API key and a widget key
      [--admin-email EMAIL] [--admin-password PASSWORD] [--admin-name NAME] [--json]
  apikey create --org ORG_ID     Create a secret API key (shown once)
      [--name NAME] [--scope read|write] [--rate-limit N] [--json]
      --rate-limit N: requests per rolling minute; 0 = unlimited; default TALKI_RATE_LIMIT_PER_MIN
  apikey list --org ORG_ID [--json]
  apikey revoke KEY_ID [--org ORG_ID] [--json]
  agent create --org ORG_ID --email EMAIL
      [--name NAME] [--password PASSWORD] [--role admin|agent] [--json]
  openapi                        Print the OpenAPI 3.1 document
  dev telegram-stand-in          Run a local stand-in for Telegram's Bot API, to try the
      [--port N] [--host H]      Telegram channel without a real bot
  dev seed [--org ORG_ID]        Fill an org (a new one without --org) with realistic tickets,
      [--tickets N] [--name NAME] [--admin-email E --admin-password P] [--json]
  help [COMMAND]                 Show this text, or one command's (so does COMMAND --help)

Every command applies pending migrations first, against TALKI_DATA_DIR (SQLite, default ./data)
or DATABASE_URL (PostgreSQL). With --json, stdout carries exactly one JSON object.
`;

const DATABASE = `Database: TALKI_DATA_DIR (SQLite, default ./data) or DATABASE_URL (PostgreSQL); pending
migrations are applied first.`;

const JSON_OPTION = '  --json                   Print exactly one JSON object on stdout';

/** Each command's own usage, for `talki <command> --help` and `talki help <command>`. */
export const COMMAND_USAGE: Record<string, string> = {
  serve: `Usage: talki serve

Serve the HTTP API on HOST:PORT (what npm start runs). In order: open and migrate the
database, check Redis (REDIS_URL), listen on HTTP, listen on SMTP (TALKI_SMTP_PORT), then
start the job worker (TALKI_WORKER=off: none). If a step fails, everything started is stopped
and talki exits 1 with one line naming the setting to change. SIGTERM/SIGINT: graceful stop.

Settings (environment): PORT (3000), HOST (0.0.0.0), TALKI_WORKER (on), TALKI_SMTP_PORT,
TALKI_SMTP_HOST, REDIS_URL, LOG_LEVEL (info) and the rest of the README's configuration table.
${DATABASE}
`,
  worker: `Usage: talki worker

Run only the job worker (deliveries) and Telegram polling, for separate worker processes
beside servers started with TALKI_WORKER=off. Live events reach the servers through Redis.

Settings (environment): TALKI_JOB_CONCURRENCY (4), TALKI_JOB_POLL_MS (500), REDIS_URL, LOG_LEVEL.
${DATABASE}
`,
  migrate: `Usage: talki migrate

Apply pending database migrations and exit (serve and every command also do it first).
${DATABASE}
`,
  openapi: `Usage: talki openapi

Print the OpenAPI 3.1 document of the REST API (what GET /openapi.json serves) on stdout.
`,
  'org create': `Usage: talki org create --name NAME [options]

Create an org with its admin agent, a secret API key and a widget key.

Options:
  --name NAME              The org's name (required)
  --admin-email EMAIL      The admin agent's email (default admin@<name-slug>.localhost)
  --admin-password PASS    The admin's password, at least 8 characters (default: none yet)
  --admin-name NAME        The admin's display name (default Admin)
${JSON_OPTION}: {"org","apiKey","widgetKey","admin"}
${DATABASE}
`,
  'apikey create': `Usage: talki apikey create --org ORG_ID [options]

Create a secret API key for the org; the key is shown once.

Options:
  --org ORG_ID             The org (required)
  --name NAME              A label for the key (default "API key")
  --scope read|write       read keys may only GET (default write)
  --rate-limit N           Requests per rolling minute; 0 = unlimited
                           (default TALKI_RATE_LIMIT_PER_MIN)
${JSON_OPTION}: {"id","key","prefix","scope","rateLimit"}
${DATABASE}
`,
  'apikey list': `Usage: talki apikey list --org ORG_ID [--json]

List the org's API keys: id, prefix, kind, scope, state and name (never the key itself).

Options:
  --org ORG_ID             The org (required)
${JSON_OPTION}: {"data":[…]}
${DATABASE}
`,
  'apikey revoke': `Usage: talki apikey revoke KEY_ID [--org ORG_ID] [--json]

Revoke an API key: it is refused from the next request on.

Options:
  KEY_ID (or --id KEY_ID)  The key to revoke (required)
  --org ORG_ID             Only if the key belongs to this org
${JSON_OPTION}
${DATABASE}
`,
  'agent create': `Usage: talki agent create --org ORG_ID --email EMAIL [options]

Add an agent to the org. An email that already belongs to an agent joins with the same identity.

Options:
  --org ORG_ID             The org (required)
  --email EMAIL            The agent's email (required)
  --name NAME              Display name (default the email's local part)
  --password PASSWORD      At least 8 characters (default: none yet)
  --role admin|agent       (default agent)
${JSON_OPTION}
${DATABASE}
`,
  'dev telegram-stand-in': `Usage: talki dev telegram-stand-in [--port N] [--host H]

Run a local stand-in for Telegram's Bot API, enough for Talki's Telegram channel, so the
channel can be tried without a real bot. It prints the base URL to use as TELEGRAM_API_URL;
every bot token of the form <digits>:<text> is accepted. Stop it with Ctrl-C.

Options:
  --port N                 Port to listen on (default 8081; 0 picks a free one)
  --host H                 Interface to bind (default 127.0.0.1)
`,
  'dev seed': `Usage: talki dev seed [--org ORG_ID] [--tickets N] [options]

Fill an org with realistic data to try the inbox on: N tickets (default 100000) over the last
180 days on every channel, mostly resolved, some open or pending, with priorities, 0–3 of 12
coloured tags, 1–4 messages each (customer messages, agent replies, internal notes), spread
over up to 2,000 customers and 5 new agents or unassigned. Tickets take the org's next codes,
and are searchable, listed and counted like any other. Progress is printed on stderr.
Without --org, an org is created first with its admin, as "talki org create" does.

Options:
  --org ORG_ID             Seed this existing org (default: create one)
  --tickets N              How many tickets (default 100000)
  --name NAME              The new org's name (default "Seed Co")
  --admin-email EMAIL      The new org's admin email (default admin.<random>@seed.localhost)
  --admin-password PASS    The new admin's password, at least 8 characters (default: none yet)
${JSON_OPTION}: {"org","apiKey","widgetKey","admin","seeded"}
                           (with --org: {"org","seeded"})
${DATABASE}
`,
  help: `Usage: talki help [COMMAND]

Show the list of commands, or one command's usage and options (same as COMMAND --help).
`,
};

/** Commands grouped under a first word, for `talki org --help`. */
export function groupUsage(group: string): string | undefined {
  const members = Object.keys(COMMAND_USAGE).filter((name) => name.startsWith(`${group} `));
  if (members.length === 0) return undefined;
  return `Usage: talki ${group} <${members.map((name) => name.slice(group.length + 1)).join('|')}> [options]\n\n${members
    .map((name) => COMMAND_USAGE[name]!.split('\n')[0]!.replace('Usage: ', '  '))
    .join('\n')}\n\nRun "talki ${group} <command> --help" for one command's options.\n`;
}

/** A mistake in how the command was called: printed with a hint, exit code 2. */
export class UsageError extends Error {}
