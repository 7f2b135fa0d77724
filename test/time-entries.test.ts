/**
 * /v1/tickets/:id/time-entries: logging, listing (both paging modes), changing and deleting
 * time; the ticket's timeSpentMinutes kept equal to the sum; who may log time for whom;
 * the day defaulting to today in the org's time zone; events; every error a clear 4xx.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../src/http/caller.js';
import { addAgent } from '../src/modules/agents/agents.service.js';
import { createApiKey } from '../src/modules/api-keys/api-keys.service.js';
import * as timeEntries from '../src/modules/time-entries/time-entries.service.js';
import { client, newOrg, startTestApp, ticketBody, type Client, type TestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface EntryJson {
  id: string;
  ticketId: string;
  agentId: string | null;
  minutes: number;
  note: string | null;
  date: string;
  createdAt: string;
  updatedAt: string;
}

function expectError(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json();
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  return body as { error: { message: string; details: { fields?: Array<{ field: string }> } | null } };
}

/** A 400 naming the field in its message and in details.fields. */
function expectFieldError(res: LightMyRequestResponse, field: string) {
  const body = expectError(res, 400, 'BAD_REQUEST');
  expect(body.error.message).toContain(field);
  expect((body.error.details?.fields ?? []).map((f) => f.field)).toContain(field);
}

/** YYYY-MM-DD of an instant in a time zone, computed independently of the server's code. */
function dayIn(timeZone: string, at: number): string {
  return new Date(at).toLocaleDateString('sv-SE', { timeZone });
}

describe.each(DIALECTS)('time entries (%s)', (dialect) => {
  let t: TestApp;
  let api: Client;
  let other: Client;
  let orgId: string;
  let adminId: string;
  let agentId: string;
  let otherAgentId: string;
  let otherTicketId: string;

  const newTicket = async (c: Client = api) => {
    const res = await c.post('/v1/tickets', ticketBody());
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  };
  const log = async (ticketId: string, body: Record<string, unknown>) => {
    const res = await api.post(`/v1/tickets/${ticketId}/time-entries`, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<EntryJson>();
  };
  /** The stored sum, read directly: the API shape gains timeSpentMinutes at integration. */
  const storedSum = async (ticketId: string) => {
    const row = await t.database.db.kysely
      .selectFrom('tickets')
      .select('time_spent_minutes')
      .where('id', '=', ticketId)
      .executeTakeFirstOrThrow();
    return Number(row.time_spent_minutes);
  };
  const agentCaller = (id: string, role: 'admin' | 'agent'): Caller => ({
    orgId,
    actorType: 'agent',
    actorId: id,
    name: 'Agent',
    role,
    scope: 'write',
  });

  beforeAll(async () => {
    t = await startTestApp(dialect);
    const org = await newOrg(t);
    api = client(t.app, org.apiKey);
    orgId = org.org.id;
    adminId = org.admin.id;
    const db = t.database.db.kysely;
    agentId = (
      await addAgent(db, { orgId, email: `agent.${Date.now()}@example.com`, name: 'Al', role: 'agent' })
    ).id;
    const second = await newOrg(t);
    other = client(t.app, second.apiKey);
    otherAgentId = second.admin.id;
    otherTicketId = await newTicket(other);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('logs time for the named agent with the documented shape; 201', async () => {
    const ticketId = await newTicket();
    const res = await api.post(`/v1/tickets/${ticketId}/time-entries`, {
      minutes: 45,
      note: '  Reproduced the bug  ',
      date: '2024-03-15',
      agentId: adminId,
    });
    expect(res.statusCode, res.body).toBe(201);
    const entry = res.json<EntryJson>();
    expect(Object.keys(entry).sort()).toEqual(
      ['agentId', 'createdAt', 'date', 'id', 'minutes', 'note', 'ticketId', 'updatedAt'].sort(),
    );
    expect(entry.id).toMatch(/^time_[0-9a-z]{26}$/);
    expect(entry).toMatchObject({
      ticketId,
      agentId: adminId,
      minutes: 45,
      note: 'Reproduced the bug',
      date: '2024-03-15',
    });
    expect(entry.createdAt).toMatch(ISO_MS);
    expect(entry.updatedAt).toBe(entry.createdAt);
    expect(await storedSum(ticketId)).toBe(45);
  });

  it('defaults the day to today in the org time zone (UTC unless set)', async () => {
    const ticketId = await newTicket();
    let before = Date.now();
    let entry = await log(ticketId, { minutes: 5, agentId: adminId });
    expect([dayIn('UTC', before), dayIn('UTC', Date.now())]).toContain(entry.date);
    expect(entry.note).toBeNull();

    // UTC+14 and UTC-11: at any instant at least one of them is on a different day than UTC.
    for (const zone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
      await t.database.db.kysely
        .updateTable('orgs')
        .set({ time_zone: zone })
        .where('id', '=', orgId)
        .execute();
      before = Date.now();
      entry = await log(ticketId, { minutes: 5, agentId: adminId });
      expect([dayIn(zone, before), dayIn(zone, Date.now())]).toContain(entry.date);
    }
    await t.database.db.kysely
      .updateTable('orgs')
      .set({ time_zone: 'UTC' })
      .where('id', '=', orgId)
      .execute();
  });

  it('takes agentId from an API key (or none), and only an agent of this org', async () => {
    const ticketId = await newTicket();
    const url = `/v1/tickets/${ticketId}/time-entries`;
    const unattributed = await log(ticketId, { minutes: 5 });
    expect(unattributed.agentId).toBeNull();
    expectFieldError(await api.post(url, { minutes: 10, agentId: otherAgentId }), 'agentId');
    expectFieldError(await api.post(url, { minutes: 10, agentId: 'agent_nobody' }), 'agentId');
    const entry = await log(ticketId, { minutes: 10, agentId });
    expect(entry.agentId).toBe(agentId);
    expect(await storedSum(ticketId)).toBe(15);
  });

  it('validates minutes, note, date and unknown fields, naming the field', async () => {
    const ticketId = await newTicket();
    const url = `/v1/tickets/${ticketId}/time-entries`;
    const base = { minutes: 30, agentId: adminId };
    expectFieldError(await api.post(url, { agentId: adminId }), 'minutes');
    expectFieldError(await api.post(url, { ...base, minutes: 0 }), 'minutes');
    expectFieldError(await api.post(url, { ...base, minutes: 1441 }), 'minutes');
    expectFieldError(await api.post(url, { ...base, minutes: 2.5 }), 'minutes');
    expectFieldError(await api.post(url, { ...base, minutes: '30' }), 'minutes');
    expectFieldError(await api.post(url, { ...base, note: 'x'.repeat(2001) }), 'note');
    expectFieldError(await api.post(url, { ...base, date: '2024-02-30' }), 'date');
    expectFieldError(await api.post(url, { ...base, date: '15/03/2024' }), 'date');
    expectFieldError(await api.post(url, { ...base, hours: 1 }), 'hours');
    expect((await log(ticketId, { ...base, minutes: 1440, note: 'x'.repeat(2000) })).minutes).toBe(1440);
    expect((await log(ticketId, { ...base, minutes: 1, date: '2024-02-29' })).date).toBe('2024-02-29');
    expect(await storedSum(ticketId)).toBe(1441);
  });

  it("is a 404 on another org's, an unknown or an implausible ticket", async () => {
    const body = { minutes: 10, agentId: adminId };
    expectError(await api.post(`/v1/tickets/${otherTicketId}/time-entries`, body), 404, 'NOT_FOUND');
    expectError(await api.get(`/v1/tickets/${otherTicketId}/time-entries`), 404, 'NOT_FOUND');
    expectError(await api.get('/v1/tickets/tkt_01hzzzzzzzzzzzzzzzzzzzzzzz/time-entries'), 404, 'NOT_FOUND');
    expectError(await api.get('/v1/tickets/x%20y/time-entries'), 404, 'NOT_FOUND');
    expect(await storedSum(otherTicketId)).toBe(0);
  });

  it('lists newest first with page/per_page and with limit/startingAfter', async () => {
    const ticketId = await newTicket();
    const made: EntryJson[] = [];
    for (let i = 1; i <= 5; i++) made.push(await log(ticketId, { minutes: i, agentId: adminId }));
    const newestFirst = made.map((e) => e.id).reverse();
    const url = `/v1/tickets/${ticketId}/time-entries`;

    let res = await api.get(`${url}?page=1&per_page=2`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().meta).toEqual({ total: 5, page: 1, perPage: 2 });
    expect(res.json().data.map((e: EntryJson) => e.id)).toEqual(newestFirst.slice(0, 2));
    res = await api.get(`${url}?page=3&per_page=2`);
    expect(res.json().data.map((e: EntryJson) => e.id)).toEqual(newestFirst.slice(4));
    res = await api.get(url);
    expect(res.json().meta).toEqual({ total: 5, page: 1, perPage: 25 });
    expect(res.json().data[0]).toEqual(made[4]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      res = await api.get(`${url}?limit=2${cursor ? `&startingAfter=${cursor}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json<{ data: EntryJson[]; meta: { limit: number; nextCursor: string | null } }>();
      expect(page.meta.limit).toBe(2);
      seen.push(...page.data.map((e) => e.id));
      cursor = page.meta.nextCursor;
    } while (cursor);
    expect(seen).toEqual(newestFirst);

    expectFieldError(await api.get(`${url}?page=1&limit=2`), 'limit');
    expectFieldError(await api.get(`${url}?per_page=101`), 'per_page');
    expectFieldError(await api.get(`${url}?sort=asc`), 'sort');
    // Entries of other tickets never show up.
    expect((await api.get(`/v1/tickets/${await newTicket()}/time-entries`)).json().data).toEqual([]);
  });

  it('PATCH changes the fields sent and keeps the sum; a no-op changes nothing', async () => {
    const ticketId = await newTicket();
    const a = await log(ticketId, { minutes: 30, agentId: adminId, note: 'first' });
    await log(ticketId, { minutes: 15, agentId: adminId });
    const url = `/v1/tickets/${ticketId}/time-entries/${a.id}`;

    let res = await api.patch(url, { minutes: 50, note: null });
    expect(res.statusCode, res.body).toBe(200);
    const changed = res.json<EntryJson>();
    expect(changed).toMatchObject({ id: a.id, minutes: 50, note: null, date: a.date, agentId: adminId });
    expect(Date.parse(changed.updatedAt)).toBeGreaterThan(Date.parse(a.updatedAt));
    expect(changed.createdAt).toBe(a.createdAt);
    expect(await storedSum(ticketId)).toBe(65);

    res = await api.patch(url, { agentId, date: '2024-01-02', note: 'moved' });
    expect(res.json()).toMatchObject({ agentId, date: '2024-01-02', note: 'moved', minutes: 50 });
    const same = await api.patch(url, { minutes: 50, note: 'moved' });
    expect(same.json()).toEqual(res.json());
    expect(await storedSum(ticketId)).toBe(65);

    expectFieldError(await api.patch(url, {}), '(root)');
    expectFieldError(await api.patch(url, { minutes: 0 }), 'minutes');
    expectFieldError(await api.patch(url, { agentId: otherAgentId }), 'agentId');
    expectFieldError(await api.patch(url, { ticketId: 'x' }), 'ticketId');
    // An entry is addressed through its own ticket only.
    const elsewhere = await newTicket();
    expectError(
      await api.patch(`/v1/tickets/${elsewhere}/time-entries/${a.id}`, { minutes: 5 }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await api.patch(`/v1/tickets/${ticketId}/time-entries/time_nope`, { minutes: 5 }),
      404,
      'NOT_FOUND',
    );
    expectError(await other.patch(url, { minutes: 5 }), 404, 'NOT_FOUND');
    expect(await storedSum(ticketId)).toBe(65);
  });

  it('DELETE removes the entry and its minutes; 204, then 404', async () => {
    const ticketId = await newTicket();
    const a = await log(ticketId, { minutes: 20, agentId: adminId });
    await log(ticketId, { minutes: 7, agentId: adminId });
    const url = `/v1/tickets/${ticketId}/time-entries/${a.id}`;
    expectError(await other.delete(url), 404, 'NOT_FOUND');
    const res = await api.delete(url);
    expect(res.statusCode, res.body).toBe(204);
    expect(res.body).toBe('');
    expect(await storedSum(ticketId)).toBe(7);
    expectError(await api.delete(url), 404, 'NOT_FOUND');
    expect((await api.get(`/v1/tickets/${ticketId}/time-entries`)).json().meta.total).toBe(1);
  });

  it('the ticket shows timeSpentMinutes as the sum of its entries', async () => {
    const ticketId = await newTicket();
    const a = await log(ticketId, { minutes: 30, agentId: adminId });
    await log(ticketId, { minutes: 90, agentId });
    await api.patch(`/v1/tickets/${ticketId}/time-entries/${a.id}`, { minutes: 10 });
    const res = await api.get(`/v1/tickets/${ticketId}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().timeSpentMinutes).toBe(100);
    expect(await storedSum(ticketId)).toBe(100);
  });

  it('records time_entry.created/updated/deleted events with the entry as the API shows it', async () => {
    const ticketId = await newTicket();
    const a = await log(ticketId, { minutes: 12, agentId: adminId });
    const updated = (await api.patch(`/v1/tickets/${ticketId}/time-entries/${a.id}`, { minutes: 13 })).json();
    await api.delete(`/v1/tickets/${ticketId}/time-entries/${a.id}`);
    const res = await api.get('/v1/events?types=time_entry.created,time_entry.updated,time_entry.deleted');
    const mine = res
      .json()
      .data.filter((e: { data: { timeEntry: EntryJson } }) => e.data.timeEntry.id === a.id);
    expect(mine.map((e: { type: string }) => e.type)).toEqual([
      'time_entry.created',
      'time_entry.updated',
      'time_entry.deleted',
    ]);
    expect(mine[0].data.timeEntry).toEqual(a);
    expect(mine[1].data).toEqual({ timeEntry: updated, changes: { minutes: { from: 12, to: 13 } } });
    expect(mine[2].data.timeEntry).toEqual(updated);
    expect(mine[0].actor.type).toBe('api_key');
  });

  it('read-only keys list but cannot log time', async () => {
    const ticketId = await newTicket();
    const key = await createApiKey(t.database.db.kysely, {
      orgId,
      kind: 'secret',
      name: 'RO',
      scope: 'read',
    });
    const reader = client(t.app, key.key);
    expect((await reader.get(`/v1/tickets/${ticketId}/time-entries`)).statusCode).toBe(200);
    expectError(
      await reader.post(`/v1/tickets/${ticketId}/time-entries`, { minutes: 5, agentId: adminId }),
      403,
      'FORBIDDEN',
    );
    expect(await storedSum(ticketId)).toBe(0);
  });

  it('agents log their own time by default; only admins log or change time for others', async () => {
    const db = t.database.db.kysely;
    const ticketId = await newTicket();
    const agent = agentCaller(agentId, 'agent');
    const admin = agentCaller(adminId, 'admin');

    const own = await timeEntries.createTimeEntry(db, agent, ticketId, { minutes: 25 });
    expect(own.agentId).toBe(agentId);
    await expect(
      timeEntries.createTimeEntry(db, agent, ticketId, { minutes: 5, agentId: adminId }),
    ).rejects.toMatchObject({ statusCode: 403 });
    const adminsOwn = await timeEntries.createTimeEntry(db, admin, ticketId, { minutes: 5 });
    expect(adminsOwn.agentId).toBe(adminId);
    const forAgent = await timeEntries.createTimeEntry(db, admin, ticketId, { minutes: 5, agentId });
    expect(forAgent.agentId).toBe(agentId);

    await expect(
      timeEntries.updateTimeEntry(db, agent, ticketId, adminsOwn.id, { minutes: 1 }),
    ).rejects.toMatchObject({ statusCode: 403 });
    await expect(
      timeEntries.updateTimeEntry(db, agent, ticketId, own.id, { agentId: adminId }),
    ).rejects.toMatchObject({ statusCode: 403 });
    await expect(timeEntries.deleteTimeEntry(db, agent, ticketId, adminsOwn.id)).rejects.toMatchObject({
      statusCode: 403,
    });
    expect((await timeEntries.updateTimeEntry(db, agent, ticketId, own.id, { minutes: 26 })).minutes).toBe(
      26,
    );
    await timeEntries.deleteTimeEntry(db, admin, ticketId, forAgent.id);
    expect(await storedSum(ticketId)).toBe(31);

    const events = await db
      .selectFrom('events')
      .select(['actor_type', 'actor_id'])
      .where('org_id', '=', orgId)
      .where('subject_id', '=', own.id)
      .execute();
    expect(events).toEqual([
      { actor_type: 'agent', actor_id: agentId },
      { actor_type: 'agent', actor_id: agentId },
    ]);
  });
});
