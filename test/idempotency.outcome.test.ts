import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, newOrg, startTestApp, ticketBody, type Client, type TestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';

const CLAIM_MS = 200;

/**
 * A crash between two writes, made deterministic: a trigger fails every update of a key's
 * record that `when` selects, as a process dying at that moment would leave it unwritten.
 */
async function failKeyUpdates(t: TestApp, when: 'first' | 'later'): Promise<() => Promise<void>> {
  const db = t.database.db.kysely;
  const condition = when === 'first' ? 'OLD.status_code IS NULL' : 'OLD.status_code IS NOT NULL';
  if (t.database.db.dialect === 'sqlite') {
    await sql
      .raw(
        `CREATE TRIGGER crash BEFORE UPDATE ON idempotency_keys WHEN ${condition} BEGIN SELECT RAISE(ABORT, 'simulated crash'); END`,
      )
      .execute(db);
    return async () => void (await sql.raw('DROP TRIGGER crash').execute(db));
  }
  await sql
    .raw(
      `CREATE FUNCTION crash() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'simulated crash'; END $$ LANGUAGE plpgsql`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER crash BEFORE UPDATE ON idempotency_keys FOR EACH ROW WHEN (${condition}) EXECUTE FUNCTION crash()`,
    )
    .execute(db);
  return async () => {
    await sql.raw('DROP TRIGGER crash ON idempotency_keys').execute(db);
    await sql.raw('DROP FUNCTION crash()').execute(db);
  };
}

describe.each(DIALECTS)('Idempotency-Key outcome commits with its write (%s)', (dialect) => {
  let t: TestApp;
  let api: Client;

  beforeAll(async () => {
    t = await startTestApp(dialect, { env: { TALKI_IDEMPOTENCY_CLAIM_MS: String(CLAIM_MS) } });
    api = client(t.app, (await newOrg(t)).apiKey);
  });
  afterAll(() => t.close());

  const subjects = async (subject: string) =>
    ((await api.get('/v1/tickets?per_page=100')).json().data as { id: string; subject: string }[])
      .filter((ticket) => ticket.subject === subject)
      .map((ticket) => ticket.id);
  const pastClaimTimeout = () => new Promise((resolve) => setTimeout(resolve, CLAIM_MS + 50));

  it('keeps no ticket when its outcome cannot be recorded, so the retry creates it once', async () => {
    const body = ticketBody({ subject: 'Outcome lost before commit' });
    const headers = { 'idempotency-key': 'before-commit' };
    const restore = await failKeyUpdates(t, 'first');
    const failed = await api.post('/v1/tickets', body, headers);
    await restore();
    expect(failed.statusCode).toBe(500);
    expect(await subjects(body.subject)).toEqual([]);

    await pastClaimTimeout();
    const retry = await api.post('/v1/tickets', body, headers);
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(await subjects(body.subject)).toEqual([retry.json().id]);
  });

  it('replays the committed ticket when the response was lost after the commit', async () => {
    const body = ticketBody({ subject: 'Response lost after commit' });
    const headers = { 'idempotency-key': 'after-commit' };
    const restore = await failKeyUpdates(t, 'later');
    const failed = await api.post('/v1/tickets', body, headers);
    await restore();
    expect(failed.statusCode).toBe(500);
    const [id] = await subjects(body.subject);
    expect(id).toBeDefined();

    await pastClaimTimeout();
    const retry = await api.post('/v1/tickets', body, headers);
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    const stored = (await api.get(`/v1/tickets/${id}`)).json();
    expect({ ...retry.json(), messages: stored.messages }).toEqual(stored);
    expect(await subjects(body.subject)).toEqual([id]);
  });

  it('does the same for a reply and a ticket update, answering as the first would have', async () => {
    const ticket = (await api.post('/v1/tickets', ticketBody({ subject: 'Reply target' }))).json();
    const reply = { text: 'We are on it.' };
    const update = { status: 'pending', tags: ['waiting'] };
    const restore = await failKeyUpdates(t, 'later');
    const lostReply = await api.post(`/v1/tickets/${ticket.id}/messages`, reply, {
      'idempotency-key': 'reply-1',
    });
    const lostUpdate = await api.patch(`/v1/tickets/${ticket.id}`, update, { 'idempotency-key': 'update-1' });
    await restore();
    expect([lostReply.statusCode, lostUpdate.statusCode]).toEqual([500, 500]);

    await pastClaimTimeout();
    const replies = await api.post(`/v1/tickets/${ticket.id}/messages`, reply, {
      'idempotency-key': 'reply-1',
    });
    const updated = await api.patch(`/v1/tickets/${ticket.id}`, update, { 'idempotency-key': 'update-1' });
    expect([replies.statusCode, updated.statusCode]).toEqual([201, 200]);
    expect(replies.headers['idempotent-replayed']).toBe('true');
    expect(updated.headers['idempotent-replayed']).toBe('true');
    const thread = (await api.get(`/v1/tickets/${ticket.id}`)).json();
    expect(thread.messages.filter((m: { text: string }) => m.text === reply.text)).toEqual([replies.json()]);
    expect(updated.json()).toEqual({ ...thread, messages: undefined });
  });

  it('replays an upload list the same way it answered it', async () => {
    const form = new FormData();
    form.append('file', new Blob(['hello'], { type: 'text/plain' }), 'hello.txt');
    const request = new Request('http://x/', { method: 'POST', body: form });
    const payload = Buffer.from(await request.arrayBuffer());
    const headers = {
      'content-type': request.headers.get('content-type')!,
      'idempotency-key': 'upload-1',
    };
    const upload = () => api.post('/v1/uploads', payload, headers);
    const first = await upload();
    const again = await upload();
    expect(first.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toBe(first.body);
    expect(first.json().data).toHaveLength(1);
  });
});
