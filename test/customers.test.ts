/**
 * /v1/customers: CRUD, validation naming the field, uniqueness of email (case-insensitive) and
 * userId, tombstones on delete, merge, events, both paging modes, read-only keys.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { Migrator, type Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUniqueViolation, openDatabase, type DialectName, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { migrations } from '../src/db/migrations/index.js';
import { createApiKey } from '../src/modules/api-keys/api-keys.service.js';
import { client, newOrg, startTestApp, ticketBody, type Client, type TestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';

interface CustomerJson {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  company: string | null;
  userId: string | null;
  customFields: Record<string, string | number | boolean>;
  ticketCount: number;
  createdAt: string;
  updatedAt: string;
}

interface ListJson {
  data: CustomerJson[];
  meta: { total?: number; page?: number; perPage?: number; limit?: number; nextCursor?: string | null };
}

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function expectError(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json();
  expect(Object.keys(body.error).sort()).toEqual(['code', 'details', 'message']);
  expect(body.error.code).toBe(code);
  return body.error as {
    message: string;
    details: { fields?: Array<{ field: string; message: string }>; customerId?: string } | null;
  };
}

/** A 400 naming the offending field in the message and in details.fields[].field. */
function expectFieldError(res: LightMyRequestResponse, field: string) {
  const error = expectError(res, 400, 'BAD_REQUEST');
  expect(error.message).toContain(field);
  expect((error.details?.fields ?? []).map((f) => f.field)).toContain(field);
}

let mailCounter = 0;
const uniqueEmail = (local = 'c') => `${local}${++mailCounter}@example.com`;

describe.each(DIALECTS)('customers API (%s)', (dialect) => {
  let t: TestApp;
  let api: Client;
  let other: Client;
  let readOnly: Client;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    const org = await newOrg(t);
    api = client(t.app, org.apiKey);
    other = client(t.app, (await newOrg(t)).apiKey);
    const ro = await createApiKey(t.database.db.kysely, {
      orgId: org.org.id,
      kind: 'secret',
      name: 'ro',
      scope: 'read',
    });
    readOnly = client(t.app, ro.key);
  });

  afterAll(async () => {
    await t.close();
  });

  async function create(body: Record<string, unknown>, as: Client = api): Promise<CustomerJson> {
    const res = await as.post('/v1/customers', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }

  async function get(id: string, as: Client = api): Promise<CustomerJson> {
    const res = await as.get(`/v1/customers/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }

  async function ticketFor(email: string, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await api.post('/v1/tickets', ticketBody({ customer: { email, ...extra } }));
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  }

  async function ticketCustomer(ticketId: string) {
    const res = await api.get(`/v1/tickets/${ticketId}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().customer as { id: string; name: string | null; email: string | null; userId?: string };
  }

  describe('create and get', () => {
    it('creates a customer with every field and returns it on GET', async () => {
      const email = uniqueEmail('Alice.');
      const created = await create({
        name: '  Alice Johnson ',
        email,
        phone: ' +1 (555) 010-2030 ',
        company: 'Acme Inc.',
        userId: 'usr_alice',
        customFields: { plan: 'pro', seats: 12, vip: true, dropped: null },
      });
      expect(created).toEqual({
        id: expect.stringMatching(/^cus_[0-9a-z]{26}$/),
        name: 'Alice Johnson',
        email,
        phone: '+1 (555) 010-2030',
        company: 'Acme Inc.',
        userId: 'usr_alice',
        userIdVerified: true,
        claimedEmail: null,
        customFields: { plan: 'pro', seats: 12, vip: true },
        ticketCount: 0,
        createdAt: expect.stringMatching(ISO_MS),
        updatedAt: created.createdAt,
      });
      expect(await get(created.id)).toEqual(created);
    });

    it('needs only one identifying field: a Telegram customer has no email', async () => {
      const byPhone = await create({ phone: '+44 20 7946 0958' });
      expect(byPhone).toMatchObject({
        name: null,
        email: null,
        userId: null,
        company: null,
        customFields: {},
      });
      const byName = await create({ name: 'Walk-in' });
      expect(byName.name).toBe('Walk-in');
    });

    it('rejects a customer with nothing to identify them, naming the fields', async () => {
      for (const body of [{}, { company: 'Acme' }, { name: null, email: null }]) {
        const res = await api.post('/v1/customers', body);
        for (const field of ['name', 'email', 'phone', 'userId']) {
          expect((expectError(res, 400, 'BAD_REQUEST').details?.fields ?? []).map((f) => f.field)).toContain(
            field,
          );
        }
      }
    });

    it('answers 400 naming the field for each kind of bad input', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ email: 'not-an-email' }, 'email'],
        [{ email: 42 }, 'email'],
        [{ name: '   ' }, 'name'],
        [{ name: 'x'.repeat(201) }, 'name'],
        [{ phone: 'call me maybe' }, 'phone'],
        [{ phone: '+1' }, 'phone'],
        [{ name: 'A', company: '' }, 'company'],
        [{ name: 'A', userId: '' }, 'userId'],
        [{ name: 'A', customFields: { nested: { a: 1 } } }, 'customFields.nested'],
        [{ name: 'A', customFields: { long: 'x'.repeat(1001) } }, 'customFields.long'],
        [{ name: 'A', customFields: { ['k'.repeat(65)]: 1 } }, `customFields.${'k'.repeat(65)}`],
        [{ name: 'A', customFields: { ' ': 1 } }, 'customFields. '],
        [
          { name: 'A', customFields: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) },
          'customFields',
        ],
        [{ name: 'A', customFields: ['a'] }, 'customFields'],
        [{ name: 'A', nickname: 'Al' }, 'nickname'],
      ];
      for (const [body, field] of cases) expectFieldError(await api.post('/v1/customers', body), field);
    });

    it('409s on a duplicate email whatever its case, naming the field and the customer', async () => {
      const email = uniqueEmail('dup');
      const first = await create({ email });
      const res = await api.post('/v1/customers', { email: email.toUpperCase(), name: 'Again' });
      const error = expectError(res, 409, 'CONFLICT');
      expect(error.message).toContain('email');
      expect(error.details?.fields?.[0]?.field).toBe('email');
      expect(error.details?.customerId).toBe(first.id);
    });

    it('409s on a duplicate userId', async () => {
      const first = await create({ name: 'U1', userId: 'usr_dup' });
      const error = expectError(
        await api.post('/v1/customers', { name: 'U2', userId: 'usr_dup' }),
        409,
        'CONFLICT',
      );
      expect(error.details?.fields?.[0]?.field).toBe('userId');
      expect(error.details?.customerId).toBe(first.id);
    });

    it('lets another org use the same email and userId', async () => {
      const email = uniqueEmail('shared');
      await create({ email, userId: 'usr_shared' });
      await create({ email, userId: 'usr_shared' }, other);
    });

    it('404s for unknown, implausible and other-org ids', async () => {
      const theirs = await create({ name: 'Theirs' }, other);
      for (const id of ['cus_00000000000000000000000000', 'no%20such', theirs.id]) {
        expectError(await api.get(`/v1/customers/${id}`), 404, 'NOT_FOUND');
        expectError(await api.patch(`/v1/customers/${id}`, { name: 'X' }), 404, 'NOT_FOUND');
        expectError(await api.delete(`/v1/customers/${id}`), 404, 'NOT_FOUND');
      }
      expect((await get(theirs.id, other)).name).toBe('Theirs');
    });
  });

  describe('update', () => {
    it('changes only the fields sent; null clears one; customFields merge and null removes a key', async () => {
      const c = await create({
        name: 'Bob',
        email: uniqueEmail('bob'),
        company: 'Old Co',
        customFields: { plan: 'free', trial: true, seats: 1 },
      });
      const res = await api.patch(`/v1/customers/${c.id}`, {
        company: null,
        phone: '555 0100',
        customFields: { plan: 'pro', trial: null, region: 'eu' },
      });
      expect(res.statusCode, res.body).toBe(200);
      const updated: CustomerJson = res.json();
      expect(updated).toMatchObject({
        id: c.id,
        name: 'Bob',
        email: c.email,
        company: null,
        phone: '555 0100',
        customFields: { plan: 'pro', seats: 1, region: 'eu' },
        createdAt: c.createdAt,
      });
      expect(Object.keys(updated.customFields).sort()).toEqual(['plan', 'region', 'seats']);
      expect(Date.parse(updated.updatedAt)).toBeGreaterThan(Date.parse(c.updatedAt));
      expect(await get(c.id)).toEqual(updated);
    });

    it('leaves updatedAt alone when nothing changes', async () => {
      const c = await create({ name: 'Same', customFields: { a: 1 } });
      const res = await api.patch(`/v1/customers/${c.id}`, {
        name: 'Same',
        customFields: { a: 1, gone: null },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(c);
    });

    it('409s when the new email is another customer’s, in any case; its own email in another case is fine', async () => {
      const a = await create({ email: uniqueEmail('taken') });
      const b = await create({ email: uniqueEmail('free') });
      const error = expectError(
        await api.patch(`/v1/customers/${b.id}`, { email: a.email!.toUpperCase() }),
        409,
        'CONFLICT',
      );
      expect(error.details?.fields?.[0]?.field).toBe('email');
      expect((await get(b.id)).email).toBe(b.email);

      const res = await api.patch(`/v1/customers/${a.id}`, { email: a.email!.toUpperCase() });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().email).toBe(a.email!.toUpperCase());
    });

    it('409s when the new userId is another customer’s', async () => {
      await create({ name: 'P', userId: 'usr_patch_taken' });
      const b = await create({ name: 'Q' });
      const error = expectError(
        await api.patch(`/v1/customers/${b.id}`, { userId: 'usr_patch_taken' }),
        409,
        'CONFLICT',
      );
      expect(error.details?.fields?.[0]?.field).toBe('userId');
    });

    it('rejects bad input naming the field, an empty body, and clearing every identifying field', async () => {
      const c = await create({ email: uniqueEmail('only') });
      expectFieldError(await api.patch(`/v1/customers/${c.id}`, { email: 'nope' }), 'email');
      expectFieldError(await api.patch(`/v1/customers/${c.id}`, { phone: 'abc' }), 'phone');
      expectFieldError(
        await api.patch(`/v1/customers/${c.id}`, { customFields: { x: [1] } }),
        'customFields.x',
      );
      expectFieldError(await api.patch(`/v1/customers/${c.id}`, { id: 'cus_x' }), 'id');
      expectError(await api.patch(`/v1/customers/${c.id}`, {}), 400, 'BAD_REQUEST');
      expectFieldError(await api.patch(`/v1/customers/${c.id}`, { email: null }), 'email');
      expect((await get(c.id)).email).toBe(c.email);
    });

    it('caps custom fields at 50 after merging the change', async () => {
      const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
      const c = await create({ name: 'Full', customFields: fifty });
      expectFieldError(
        await api.patch(`/v1/customers/${c.id}`, { customFields: { extra: 1 } }),
        'customFields',
      );
      const swapped = await api.patch(`/v1/customers/${c.id}`, { customFields: { k0: null, extra: 1 } });
      expect(swapped.statusCode, swapped.body).toBe(200);
      expect(Object.keys(swapped.json().customFields)).toHaveLength(50);
    });
  });

  describe('tickets, delete and merge', () => {
    it('counts tickets on get and on the list, and ticket creation finds the customer by email', async () => {
      const c = await create({ name: 'Counted', email: uniqueEmail('counted') });
      await ticketFor(c.email!.toUpperCase());
      const ticketId = await ticketFor(c.email!);
      expect((await ticketCustomer(ticketId)).id).toBe(c.id);
      expect((await get(c.id)).ticketCount).toBe(2);
      const list: ListJson = (await api.get(`/v1/customers?email=${encodeURIComponent(c.email!)}`)).json();
      expect(list.data.map((x) => [x.id, x.ticketCount])).toEqual([[c.id, 2]]);
    });

    it('ticket creation leaves out a userId that belongs to another customer', async () => {
      const holder = await create({ name: 'Holder', userId: 'usr_from_ticket' });
      const email = uniqueEmail('newcomer');
      const ticketId = await ticketFor(email, { userId: 'usr_from_ticket' });
      const customer = await ticketCustomer(ticketId);
      expect(customer.id).not.toBe(holder.id);
      expect(customer.email).toBe(email);
      expect(customer.userId).toBeUndefined();
    });

    it('deletes to a tombstone: tickets still answer, the data is gone, the email is free again', async () => {
      const email = uniqueEmail('gone');
      const c = await create({ name: 'Gone Soon', email, userId: 'usr_gone', phone: '555 1234' });
      const ticketId = await ticketFor(email);

      const res = await api.delete(`/v1/customers/${c.id}`);
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');

      expectError(await api.get(`/v1/customers/${c.id}`), 404, 'NOT_FOUND');
      expectError(await api.patch(`/v1/customers/${c.id}`, { name: 'Back' }), 404, 'NOT_FOUND');
      expectError(await api.delete(`/v1/customers/${c.id}`), 404, 'NOT_FOUND');
      const listed: ListJson = (await api.get('/v1/customers?per_page=100&search=gone')).json();
      expect(listed.data.map((x) => x.id)).not.toContain(c.id);

      const customer = await ticketCustomer(ticketId);
      expect(customer).toEqual({ id: c.id, name: null, email: null });

      const again = await create({ email: email.toUpperCase(), userId: 'usr_gone' });
      expect(again.id).not.toBe(c.id);
      const newTicket = await ticketFor(email);
      expect((await ticketCustomer(newTicket)).id).toBe(again.id);
    });

    it('merges: tickets move, missing fields are filled, the source disappears', async () => {
      const target = await create({
        name: 'Target',
        customFields: { plan: 'pro', tier: 1 },
      });
      const sourceEmail = uniqueEmail('source');
      const source = await create({
        name: 'Source Name',
        email: sourceEmail,
        phone: '555 9999',
        userId: 'usr_source',
        customFields: { plan: 'free', region: 'eu' },
      });
      const t1 = await ticketFor(sourceEmail);
      const t2 = await ticketFor(sourceEmail);
      expect((await get(source.id)).ticketCount).toBe(2);

      const res = await api.post(`/v1/customers/${target.id}/merge`, { sourceId: source.id });
      expect(res.statusCode, res.body).toBe(200);
      const merged: CustomerJson = res.json();
      expect(merged).toMatchObject({
        id: target.id,
        name: 'Target',
        email: sourceEmail,
        phone: '555 9999',
        userId: 'usr_source',
        customFields: { plan: 'pro', tier: 1, region: 'eu' },
        ticketCount: 2,
        createdAt: target.createdAt,
      });
      expect(await get(target.id)).toEqual(merged);
      expectError(await api.get(`/v1/customers/${source.id}`), 404, 'NOT_FOUND');
      for (const ticketId of [t1, t2]) expect((await ticketCustomer(ticketId)).id).toBe(target.id);

      // The source's email now belongs to the target: the next ticket from it lands there.
      const t3 = await ticketFor(sourceEmail.toUpperCase());
      expect((await ticketCustomer(t3)).id).toBe(target.id);
      expect((await get(target.id)).ticketCount).toBe(3);
    });

    it('rejects merging into itself, and unknown, deleted or other-org customers', async () => {
      const a = await create({ name: 'A' });
      const deleted = await create({ name: 'Deleted' });
      expect((await api.delete(`/v1/customers/${deleted.id}`)).statusCode).toBe(204);
      const theirs = await create({ name: 'Theirs' }, other);

      expectFieldError(await api.post(`/v1/customers/${a.id}/merge`, { sourceId: a.id }), 'sourceId');
      expectFieldError(await api.post(`/v1/customers/${a.id}/merge`, {}), 'sourceId');
      for (const id of ['cus_00000000000000000000000000', deleted.id, theirs.id, 'bad id!']) {
        expectError(await api.post(`/v1/customers/${a.id}/merge`, { sourceId: id }), 404, 'NOT_FOUND');
        if (id !== 'bad id!') {
          expectError(await api.post(`/v1/customers/${id}/merge`, { sourceId: a.id }), 404, 'NOT_FOUND');
        }
      }
      expect((await get(a.id)).name).toBe('A');
      expect((await get(theirs.id, other)).name).toBe('Theirs');
    });

    it('409s when the merged custom fields would exceed the cap, changing nothing', async () => {
      const fields = (prefix: string) =>
        Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`${prefix}${i}`, i]));
      const a = await create({ name: 'A30', customFields: fields('a') });
      const b = await create({ name: 'B30', customFields: fields('b') });
      expectError(await api.post(`/v1/customers/${a.id}/merge`, { sourceId: b.id }), 409, 'CONFLICT');
      expect((await get(b.id)).name).toBe('B30');
    });
  });

  describe('events', () => {
    it('records created, updated, deleted and merged events with the customer as the API shows it', async () => {
      const a = await create({ name: 'Evented', email: uniqueEmail('ev') });
      const b = await create({ name: 'Evented Source' });
      await api.patch(`/v1/customers/${a.id}`, { company: 'Ev Co' });
      const merged: CustomerJson = (await api.post(`/v1/customers/${a.id}/merge`, { sourceId: b.id })).json();
      const c = await create({ name: 'Evented Gone' });
      await api.delete(`/v1/customers/${c.id}`);

      const events = async (types: string) => {
        const all: Array<{ type: string; data: { customer: { id: string }; [key: string]: unknown } }> = [];
        let cursor: string | null = null;
        do {
          const res = await api.get(
            `/v1/events?types=${types}&limit=100${cursor ? `&startingAfter=${cursor}` : ''}`,
          );
          expect(res.statusCode, res.body).toBe(200);
          all.push(...res.json().data);
          cursor = res.json().meta.nextCursor;
        } while (cursor);
        return all;
      };

      const createdAndMerged = await events('customer.created,customer.merged');
      expect(new Set(createdAndMerged.map((e) => e.type))).toEqual(
        new Set(['customer.created', 'customer.merged']),
      );
      expect(
        createdAndMerged.find((e) => e.type === 'customer.created' && e.data.customer.id === a.id)?.data,
      ).toEqual({ customer: a });
      const mergedEvent = createdAndMerged.find(
        (e) => e.type === 'customer.merged' && e.data.customer.id === a.id,
      );
      expect(mergedEvent?.data).toMatchObject({ customer: merged, sourceId: b.id, movedTickets: 0 });

      const updated = (await events('customer.updated')).find((e) => e.data.customer.id === a.id);
      expect(updated?.data.changes).toEqual({ company: { from: null, to: 'Ev Co' } });
      const deleted = (await events('customer.deleted')).find((e) => e.data.customer.id === c.id);
      expect(deleted?.data.customer).toEqual({ id: c.id });
    });

    it('records nothing for a rejected change', async () => {
      const fresh = client(t.app, (await newOrg(t)).apiKey);
      const email = uniqueEmail('once');
      await create({ email }, fresh);
      expect((await fresh.post('/v1/customers', { email })).statusCode).toBe(409);
      const c = await create({ name: 'Kept' }, fresh);
      expect((await fresh.patch(`/v1/customers/${c.id}`, { email })).statusCode).toBe(409);
      const events = (await fresh.get('/v1/events?types=customer.created,customer.updated')).json().data;
      expect(events.map((e: { type: string }) => e.type)).toEqual(['customer.created', 'customer.created']);
    });
  });

  describe('list', () => {
    let list: Client;
    const made: CustomerJson[] = [];

    beforeAll(async () => {
      // An org of its own, so counts and orders are exact.
      list = client(t.app, (await newOrg(t)).apiKey);
      const people = [
        { name: 'Charlie Brown', email: 'charlie@peanuts.test', phone: '+1 555 0001' },
        { name: 'alice Smith', email: 'Alice@Wonder.test' },
        { name: 'Bob 100% Real', email: 'bob@real.test', userId: 'usr_bob' },
        { name: 'Dana_Underscore', phone: '+44 20 0000' },
        { email: 'nameless@nowhere.test' },
        { name: 'Eve', email: 'eve.x_y@example.test' },
      ];
      for (const person of people) made.push(await create(person, list));
    });

    async function page(query: string): Promise<ListJson> {
      const res = await list.get(`/v1/customers${query}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    }
    const ids = (l: ListJson) => l.data.map((c) => c.id);
    const byName = (name: string) => made.find((c) => c.name === name)!.id;

    it('lists newest first by default with page meta', async () => {
      const all = await page('');
      expect(ids(all)).toEqual(made.map((c) => c.id).reverse());
      expect(all.meta).toEqual({ total: 6, page: 1, perPage: 25 });
      expect(all.data[0]).toEqual({ ...made.at(-1), ticketCount: 0 });

      const second = await page('?page=2&per_page=4');
      expect(ids(second)).toEqual(
        made
          .map((c) => c.id)
          .reverse()
          .slice(4),
      );
      expect(second.meta).toEqual({ total: 6, page: 2, perPage: 4 });
    });

    it('sorts by creation ascending, name (nameless last) and recent update', async () => {
      expect(ids(await page('?sort=created_asc'))).toEqual(made.map((c) => c.id));
      expect((await page('?sort=name_asc')).data.map((c) => c.name)).toEqual([
        'alice Smith',
        'Bob 100% Real',
        'Charlie Brown',
        'Dana_Underscore',
        'Eve',
        null,
      ]);
      const res = await list.patch(`/v1/customers/${byName('Charlie Brown')}`, { company: 'Peanuts' });
      expect(res.statusCode).toBe(200);
      expect(ids(await page('?sort=updated_desc'))[0]).toBe(byName('Charlie Brown'));
      expectFieldError(await list.get('/v1/customers?sort=name_desc'), 'sort');
    });

    it('filters by exact email in any case, and by userId', async () => {
      expect(ids(await page('?email=ALICE@wonder.TEST'))).toEqual([byName('alice Smith')]);
      expect(ids(await page('?email=alice@wonder'))).toEqual([]);
      expect(ids(await page('?userId=usr_bob'))).toEqual([byName('Bob 100% Real')]);
    });

    it('searches name, email and phone case-insensitively, with % and _ taken literally', async () => {
      expect(ids(await page('?search=ALICE'))).toEqual([byName('alice Smith')]);
      expect(ids(await page('?q=ALICE'))).toEqual([byName('alice Smith')]);
      expect(ids(await page('?search=peanuts'))).toEqual([byName('Charlie Brown')]);
      expect(ids(await page('?search=20%200000'))).toEqual([byName('Dana_Underscore')]);
      expect(ids(await page('?search=%25'))).toEqual([byName('Bob 100% Real')]);
      // "_" would match any character as a wildcard: "a_u" must not match "a" + any + "u".
      expect(ids(await page('?search=a_u'))).toEqual([byName('Dana_Underscore')]);
      expect(ids(await page('?search=x_y')).sort()).toEqual([byName('Eve')]);
      expect(ids(await page('?search=zzz'))).toEqual([]);
      expect(ids(await page('?search=e_e'))).toEqual([]);
      expect((await page('?search=test&per_page=2')).meta.total).toBe(5);
    });

    it('pages by cursor, stable when a customer is created between pages', async () => {
      const first = await page('?limit=2');
      expect(ids(first)).toEqual([made[5]!.id, made[4]!.id]);
      expect(first.meta).toEqual({ limit: 2, nextCursor: made[4]!.id });

      const newcomer = await create({ name: 'Newcomer' }, list);
      const seen = [...ids(first)];
      let cursor = first.meta.nextCursor;
      while (cursor) {
        const next = await page(`?limit=2&startingAfter=${cursor}`);
        seen.push(...ids(next));
        cursor = next.meta.nextCursor ?? null;
      }
      expect(seen).toEqual(made.map((c) => c.id).reverse());
      expect(seen).not.toContain(newcomer.id);
      expect(ids(await page('?limit=1'))).toEqual([newcomer.id]);
      expect((await list.delete(`/v1/customers/${newcomer.id}`)).statusCode).toBe(204);
    });

    it('pages by cursor oldest first, and with filters', async () => {
      const first = await page('?sort=created_asc&limit=4');
      expect(ids(first)).toEqual(made.slice(0, 4).map((c) => c.id));
      const rest = await page(`?sort=created_asc&limit=4&startingAfter=${first.meta.nextCursor}`);
      expect(ids(rest)).toEqual(made.slice(4).map((c) => c.id));
      expect(rest.meta.nextCursor).toBeNull();

      const filtered = await page('?search=test&limit=3');
      expect(filtered.data).toHaveLength(3);
      const more = await page(`?search=test&limit=3&startingAfter=${filtered.meta.nextCursor}`);
      expect(more.data).toHaveLength(2);
      expect(more.meta.nextCursor).toBeNull();
    });

    it('rejects cursor paging with a sort that is not by creation, and mixed paging', async () => {
      expectFieldError(await list.get('/v1/customers?sort=name_asc&limit=2'), 'sort');
      expectFieldError(
        await list.get(`/v1/customers?sort=updated_desc&startingAfter=${made[0]!.id}`),
        'sort',
      );
      expectFieldError(await list.get('/v1/customers?page=1&limit=2'), 'limit');
      expectFieldError(await list.get('/v1/customers?per_page=0'), 'per_page');
      expectFieldError(await list.get('/v1/customers?limit=101'), 'limit');
      expectFieldError(await list.get('/v1/customers?email=a@b.c&colour=red'), 'colour');
    });
  });

  describe('read-only keys', () => {
    it('may read but not write', async () => {
      const c = await create({ name: 'Guarded' });
      expect((await readOnly.get('/v1/customers')).statusCode).toBe(200);
      expect((await get(c.id, readOnly)).name).toBe('Guarded');
      expectError(await readOnly.post('/v1/customers', { name: 'Nope' }), 403, 'FORBIDDEN');
      expectError(await readOnly.patch(`/v1/customers/${c.id}`, { name: 'Nope' }), 403, 'FORBIDDEN');
      expectError(await readOnly.delete(`/v1/customers/${c.id}`), 403, 'FORBIDDEN');
      const d = await create({ name: 'Other' });
      expectError(await readOnly.post(`/v1/customers/${c.id}/merge`, { sourceId: d.id }), 403, 'FORBIDDEN');
      expect(await get(c.id)).toEqual(c);
      expect((await get(d.id)).name).toBe('Other');
    });
  });

  it('documents every customer route in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths['/v1/customers']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/v1/customers/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
    expect(Object.keys(doc.paths['/v1/customers/{id}/merge'])).toEqual(['post']);
    expect(doc.components.schemas.Customer.properties.ticketCount).toBeDefined();
  });
});

/** An empty, unmigrated database of its own, for testing a migration against older data. */
async function emptyDatabase(dialect: DialectName): Promise<{ db: Db; drop(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'talki-customers-'));
  const adminUrl = process.env.DATABASE_URL;
  if (dialect === 'sqlite' || !adminUrl) {
    const db = openDatabase({ dataDir });
    return {
      db,
      async drop() {
        await db.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const name = `talki_customers_${randomBytes(6).toString('hex')}`;
  const run = async (text: string) => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(text);
    await admin.end();
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = openDatabase({ dataDir, databaseUrl: url.toString(), pgPoolSize: 2 });
  return {
    db,
    async drop() {
      await db.close();
      await run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describe.each(DIALECTS)('migration 0004_customers (%s)', (dialect) => {
  it('keeps a userId shared by several customers on the oldest, the others keep it as a custom field', async () => {
    const database = await emptyDatabase(dialect);
    const db = database.db;
    try {
      const names = Object.keys(migrations).sort();
      const previous = names[names.indexOf('0004_customers') - 1]!;
      const migrator = new Migrator({ db: db.kysely, provider: { getMigrations: async () => migrations } });
      expect((await migrator.migrateTo(previous)).error).toBeUndefined();

      // The schema as it was before 0004 (not today's table types), where ticket creation could repeat a userId.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const old = db.kysely as unknown as Kysely<any>;
      await old
        .insertInto('orgs')
        .values({ id: 'org_1', name: 'Old', created_at: 1, updated_at: 1 })
        .execute();
      const customer = (id: string, userId: string | null) => ({
        id,
        org_id: 'org_1',
        name: id,
        email: `${id}@old.test`,
        email_lower: `${id}@old.test`,
        user_id: userId,
        created_at: 1,
        updated_at: 1,
      });
      await old
        .insertInto('customers')
        .values([
          customer('cus_3', 'u1'),
          customer('cus_1', 'u1'),
          customer('cus_2', 'u1'),
          customer('cus_4', 'u2'),
          customer('cus_5', null),
        ])
        .execute();

      await migrateToLatest(db);
      const rows = await db.kysely
        .selectFrom('customers')
        .select(['id', 'user_id', 'custom_fields', 'deleted_at'])
        .orderBy('id')
        .execute();
      expect(rows).toEqual([
        { id: 'cus_1', user_id: 'u1', custom_fields: '{}', deleted_at: null },
        { id: 'cus_2', user_id: null, custom_fields: '{"duplicateUserId":"u1"}', deleted_at: null },
        { id: 'cus_3', user_id: null, custom_fields: '{"duplicateUserId":"u1"}', deleted_at: null },
        { id: 'cus_4', user_id: 'u2', custom_fields: '{}', deleted_at: null },
        { id: 'cus_5', user_id: null, custom_fields: '{}', deleted_at: null },
      ]);
      const duplicate = await db.kysely
        .insertInto('customers')
        .values({ ...customer('cus_6', 'u2'), email: null, email_lower: null })
        .execute()
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(isUniqueViolation(duplicate)).toBe(true);
    } finally {
      await database.drop();
    }
  });
});
