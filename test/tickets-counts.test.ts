import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, newOrg, startTestApp, ticketBody, type Client, type TestApp } from './support/app.js';
import { addAgent, agentClient, expectError, session } from './support/agents.js';
import { DIALECTS } from './support/databases.js';

const zero = { total: 0, open: 0, pending: 0, resolved: 0 };

describe.each(DIALECTS)('ticket counts for the inbox (%s)', (dialect) => {
  let t: TestApp;
  let api: Client;
  let me: Client;
  let meId: string;
  let otherId: string;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    api = client(t.app, (await newOrg(t)).apiKey);
    const mine = await addAgent(api);
    meId = mine.id;
    me = agentClient(t.app, (await session(t.app, mine.email)).accessToken);
    otherId = (await addAgent(api)).id;
    const make = async (fields: Record<string, unknown>) => {
      const res = await api.post('/v1/tickets', ticketBody({ tags: [], ...fields }));
      expect(res.statusCode, res.body).toBe(201);
    };
    // Mine: 2 open (one urgent, tagged vip), 1 pending, 1 resolved.
    await make({ assignedTo: meId, priority: 'urgent', tags: ['vip'], subject: 'Invoice is wrong' });
    await make({ assignedTo: meId });
    await make({ assignedTo: meId, status: 'pending' });
    await make({ assignedTo: meId, status: 'resolved', tags: ['vip'] });
    // Someone else's: 1 open, 2 resolved.
    await make({ assignedTo: otherId });
    await make({ assignedTo: otherId, status: 'resolved' });
    await make({ assignedTo: otherId, status: 'resolved', subject: 'Invoice copy please' });
    // Unassigned: 2 open (one tagged vip), 1 pending.
    await make({ tags: ['vip'] });
    await make({});
    await make({ status: 'pending', priority: 'urgent' });
  });
  afterAll(() => t.close());

  it('counts all, mine and unassigned per status; mine is null for an API key', async () => {
    const asAgent = await me.get('/v1/tickets/counts');
    expect(asAgent.statusCode, asAgent.body).toBe(200);
    expect(asAgent.json()).toEqual({
      all: { total: 10, open: 5, pending: 2, resolved: 3 },
      mine: { total: 4, open: 2, pending: 1, resolved: 1 },
      unassigned: { total: 3, open: 2, pending: 1, resolved: 0 },
    });
    const asKey = (await api.get('/v1/tickets/counts')).json();
    expect(asKey.mine).toBeNull();
    expect(asKey.all).toEqual(asAgent.json().all);
    expect(asKey.unassigned).toEqual(asAgent.json().unassigned);
  });

  it('agrees with the ticket list, which says "mine" with assignedTo=me', async () => {
    const total = async (c: Client, query: string) => (await c.get(`/v1/tickets?${query}`)).json().meta.total;
    expect(await total(me, 'assignedTo=me')).toBe(4);
    expect(await total(me, 'assignedTo=me&status=open')).toBe(2);
    expect(await total(me, 'assignedTo=unassigned&status=pending')).toBe(1);
    const listed = (await me.get('/v1/tickets?assignedTo=me&per_page=100')).json();
    expect(listed.data.every((x: { assignedTo: string }) => x.assignedTo === meId)).toBe(true);
    const refused = expectError(await api.get('/v1/tickets?assignedTo=me'), 400, 'BAD_REQUEST');
    expect(JSON.stringify(refused.details)).toContain('assignedTo');
  });

  it('narrows every view with the list filters', async () => {
    expect((await me.get('/v1/tickets/counts?tag=vip')).json()).toEqual({
      all: { total: 3, open: 2, pending: 0, resolved: 1 },
      mine: { total: 2, open: 1, pending: 0, resolved: 1 },
      unassigned: { total: 1, open: 1, pending: 0, resolved: 0 },
    });
    expect((await me.get('/v1/tickets/counts?priority=urgent')).json()).toEqual({
      all: { total: 2, open: 1, pending: 1, resolved: 0 },
      mine: { total: 1, open: 1, pending: 0, resolved: 0 },
      unassigned: { total: 1, open: 0, pending: 1, resolved: 0 },
    });
    expect((await me.get('/v1/tickets/counts?q=invoice')).json()).toEqual({
      all: { total: 2, open: 1, pending: 0, resolved: 1 },
      mine: { total: 1, open: 1, pending: 0, resolved: 0 },
      unassigned: zero,
    });
    expect((await me.get('/v1/tickets/counts?channel=email')).json()).toEqual({
      all: zero,
      mine: zero,
      unassigned: zero,
    });
    // An assignee filter narrows "all"; the views it excludes are empty.
    expect((await me.get(`/v1/tickets/counts?assignedTo=${otherId}`)).json()).toEqual({
      all: { total: 3, open: 1, pending: 0, resolved: 2 },
      mine: zero,
      unassigned: zero,
    });
    expect((await me.get('/v1/tickets/counts?assignedTo=me')).json().unassigned).toEqual(zero);
    expect((await me.get('/v1/tickets/counts?assignedTo=unassigned')).json()).toMatchObject({
      all: { total: 3 },
      mine: zero,
    });
  });

  it('follows changes live', async () => {
    const before = (await me.get('/v1/tickets/counts')).json();
    const created = (await api.post('/v1/tickets', ticketBody({ tags: [] }))).json();
    await api.patch(`/v1/tickets/${created.id}`, { assignedTo: meId, status: 'pending' });
    const after = (await me.get('/v1/tickets/counts')).json();
    expect(after.all.total).toBe(before.all.total + 1);
    expect(after.mine.pending).toBe(before.mine.pending + 1);
    expect(after.unassigned).toEqual(before.unassigned);
    expect((await api.delete(`/v1/tickets/${created.id}`)).statusCode).toBe(204);
    expect((await me.get('/v1/tickets/counts')).json()).toEqual(before);
  });

  it('rejects what it does not take, and counts only the caller’s org', async () => {
    expectError(await api.get('/v1/tickets/counts?status=open'), 400, 'BAD_REQUEST');
    expectError(await api.get('/v1/tickets/counts?page=1'), 400, 'BAD_REQUEST');
    expectError(await api.get('/v1/tickets/counts?assignedTo=agent_nobody'), 400, 'BAD_REQUEST');
    expectError(await api.get('/v1/tickets/counts?q=%20%21'), 400, 'BAD_REQUEST');
    expectError(await client(t.app, undefined).get('/v1/tickets/counts'), 401, 'UNAUTHORIZED');
    const stranger = client(t.app, (await newOrg(t)).apiKey);
    expect((await stranger.get('/v1/tickets/counts')).json()).toEqual({
      all: zero,
      mine: null,
      unassigned: zero,
    });
  });
});
