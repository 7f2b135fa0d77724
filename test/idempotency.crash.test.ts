import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg } from '../src/modules/orgs/orgs.service.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './support/databases.js';
import { startServer, type ServerProcess } from './support/processes.js';

const CLAIM_TIMEOUT_MS = 500;
const CLIENTS = 64;
/**
 * Kill/restart cycles per run: a kill lands between two writes only now and then (on SQLite,
 * which runs one request's queries back to back, rarely; idempotency.outcome.test.ts makes that
 * moment deterministic).
 */
const ROUNDS = 4;

interface Sent {
  body: Record<string, unknown>;
  /** The ticket id of the 2xx this key got before the crash, if any. */
  id?: string;
}

describe.each(DIALECTS)('Idempotency-Key across kill -9 (%s)', (dialect) => {
  let database: TestDatabase;
  let apiKey: string;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const org = await createOrg(database.db.kysely, {
      name: 'Crash Org',
      adminEmail: 'crash-admin@example.com',
      adminName: 'Ada Admin',
    });
    apiKey = org.apiKey;
  });
  afterAll(async () => {
    await server?.stop();
    await database.drop();
  });

  const start = () =>
    startServer({
      ...database.env,
      TALKI_IDEMPOTENCY_CLAIM_MS: String(CLAIM_TIMEOUT_MS),
      TALKI_RATE_LIMIT_PER_MIN: '0',
      TALKI_WORKER: 'off',
    });

  const createTicket = (url: string, key: string, body: Record<string, unknown>) =>
    fetch(`${url}/v1/tickets`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
        'idempotency-key': key,
      },
      body: JSON.stringify(body),
    });

  /** CLIENTS clients create tickets under fresh keys until the server dies under them. */
  async function createUntilKilled(running: ServerProcess, round: number, sent: Map<string, Sent>) {
    let answered = 0;
    let killed = false;
    const killAfter = 40 + round * 25;
    const clientLoop = async (client: number) => {
      for (let n = 0; !killed; n++) {
        const key = `crash-${round}-${client}-${n}`;
        const body = {
          subject: `Crash ${key}`,
          customer: { name: 'Crash Customer', email: `${key}@example.com` },
          message: 'Created while the server is killed.',
        };
        const entry: Sent = { body };
        sent.set(key, entry);
        try {
          const response = await createTicket(running.url, key, body);
          const text = await response.text();
          if (response.ok) entry.id = (JSON.parse(text) as { id: string }).id;
        } catch {
          return; // the connection died with the server
        }
        if (++answered === killAfter) {
          killed = true;
          running.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, client) => clientLoop(client)));
    if (running.child.exitCode === null && running.child.signalCode === null) {
      await new Promise((resolve) => running.child.once('exit', resolve));
    }
  }

  it('replays every committed result and creates each key’s ticket once', async () => {
    const sent = new Map<string, Sent>();
    for (let round = 0; round < ROUNDS; round++) {
      await createUntilKilled(await start(), round, sent);
    }
    // Every claim the dead servers left is now older than the claim timeout.
    await new Promise((resolve) => setTimeout(resolve, CLAIM_TIMEOUT_MS + 100));
    server = await start();
    const url = server.url;

    const retried = new Map<string, string>();
    const keys = [...sent.keys()];
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let key = keys.pop(); key !== undefined; key = keys.pop()) {
          const entry = sent.get(key)!;
          const response = await createTicket(url, key, entry.body);
          statuses.push(response.status);
          const ticket = (await response.json()) as { id: string };
          if (response.ok) retried.set(key, ticket.id);
        }
      }),
    );
    expect(statuses.filter((status) => status !== 201)).toEqual([]);
    for (const [key, entry] of sent) {
      if (entry.id !== undefined) expect({ key, id: retried.get(key) }).toEqual({ key, id: entry.id });
    }
    const listed = await fetch(`${url}/v1/tickets`, { headers: { authorization: `Bearer ${apiKey}` } });
    const total = ((await listed.json()) as { meta: { total: number } }).meta.total;
    expect(new Set(retried.values()).size).toBe(sent.size);
    expect(total).toBe(sent.size);
  }, 180_000);
});
