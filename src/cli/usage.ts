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
  help                           Show this text

Every command applies pending migrations first, against TALKI_DATA_DIR (SQLite, default ./data)
or DATABASE_URL (PostgreSQL). With --json, stdout carries exactly one JSON object.
`;

/** A mistake in how the command was called: printed with a hint, exit code 2. */
export class UsageError extends Error {}
