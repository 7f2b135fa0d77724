import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import {
  expectNoSeriousAxeViolations,
  openPage,
  signIn,
  startWebAppWorld,
  type WatchedPage,
  type WebAppWorld,
} from './support/web-app.js';

interface Seed {
  id: string;
  code: string;
  subject: string;
  channel: 'api' | 'widget';
  status: 'open' | 'pending' | 'resolved';
  priority: 'low' | 'normal' | 'high' | 'urgent';
  tags: string[];
  mine: boolean;
}

const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
/** Set INBOX_SCREENSHOTS=1 to look at the screens (written to /tmp, never to the repo). */
const SHOTS = process.env.INBOX_SCREENSHOTS === '1';

async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: `/tmp/inbox-${name}.png` });
}

describe.each(DIALECTS)('the inbox in Chromium (%s)', (dialect) => {
  let world: WebAppWorld;
  let watched: WatchedPage;
  const seeds: Seed[] = [];

  async function apiTicket(i: number): Promise<Seed> {
    const seed = {
      subject: i === 11 ? 'Printer on fire in the warehouse' : `Seeded question number ${i}`,
      status: i % 7 === 3 ? ('pending' as const) : ('open' as const),
      priority: PRIORITIES[i % 4]!,
      tags: [...(i % 3 === 0 ? ['billing'] : []), ...(i % 5 === 0 ? ['vip'] : [])],
      mine: i % 4 === 1,
    };
    const created = await world.api<{ id: string; code: string }>('POST', '/v1/tickets', {
      subject: seed.subject,
      customer: { name: `Customer ${i}`, email: `customer${i}@example.com` },
      message: `Hello, this is message ${i}`,
      status: seed.status,
      priority: seed.priority,
      tags: seed.tags,
      ...(seed.mine ? { assignedTo: world.admin.id } : {}),
    });
    expect(created.status).toBe(201);
    return { ...seed, id: created.body.id, code: created.body.code, channel: 'api' };
  }

  async function widgetTicket(i: number): Promise<Seed> {
    const headers = { 'x-talki-widget-key': world.widgetKey, 'content-type': 'application/json' };
    const started = await fetch(`${world.server.url}/widget/v1/session`, {
      method: 'POST',
      headers,
      body: '{}',
    });
    const { token } = (await started.json()) as { token: string };
    const response = await fetch(`${world.server.url}/widget/v1/conversations`, {
      method: 'POST',
      headers: { ...headers, 'x-talki-visitor-token': token },
      body: JSON.stringify({ text: `Chat question ${i}` }),
    });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    const ticket = await world.api<{ id: string; code: string; subject: string; priority: Seed['priority'] }>(
      'GET',
      `/v1/tickets/${id}`,
    );
    return {
      id,
      code: ticket.body.code,
      subject: ticket.body.subject,
      channel: 'widget',
      status: 'open',
      priority: ticket.body.priority,
      tags: [],
      mine: false,
    };
  }

  beforeAll(async () => {
    world = await startWebAppWorld(dialect);
    expect((await world.api('POST', '/v1/tags', { name: 'billing', color: '#E5484D' })).status).toBe(201);
    expect((await world.api('POST', '/v1/tags', { name: 'vip', color: '#FFD60A' })).status).toBe(201);
    for (let i = 0; i < 27; i += 1) seeds.push(await apiTicket(i));
    for (let i = 0; i < 3; i += 1) seeds.push(await widgetTicket(i));
    watched = await openPage(world);
    await signIn(watched.page, world.admin.email, world.admin.password);
  }, 120_000);
  afterAll(async () => {
    await world?.close();
  });

  const list = () => watched.page.getByRole('listbox', { name: /^Tickets/ });
  const options = () => list().getByRole('option');
  /** Every row is loaded (30 < one page): aria-setsize is the list's length. */
  async function listSize(): Promise<number> {
    if ((await watched.page.getByText(/No tickets match|No \w+ tickets here/).count()) > 0) return 0;
    return Number(await options().first().getAttribute('aria-setsize'));
  }
  const expectSize = (expected: number) =>
    expect.poll(listSize, { timeout: 10_000, message: `list size ${expected}` }).toBe(expected);
  const count = (predicate: (seed: Seed) => boolean) => seeds.filter(predicate).length;

  type View = 'mine' | 'unassigned' | 'all';
  type StatusView = Seed['status'] | 'any';
  const VIEW_LINKS: Array<[string, View]> = [
    ['Mine', 'mine'],
    ['Unassigned', 'unassigned'],
    ['All tickets', 'all'],
  ];
  const STATUS_LINKS: Array<[string, StatusView]> = [
    ['Open', 'open'],
    ['Pending', 'pending'],
    ['Resolved', 'resolved'],
    ['Any status', 'any'],
  ];
  const inView = (view: View) => (seed: Seed) => view === 'all' || (view === 'mine' ? seed.mine : !seed.mine);
  const inStatus = (status: StatusView) => (seed: Seed) => status === 'any' || seed.status === status;
  /** What the sidebar should say for the seeds: each queue in the current status, each status in the current queue. */
  function expectedCounts(view: View, status: StatusView): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [label, other] of VIEW_LINKS)
      out[label] = count((s) => inView(other)(s) && inStatus(status)(s));
    for (const [label, other] of STATUS_LINKS)
      out[label] = count((s) => inView(view)(s) && inStatus(other)(s));
    return out;
  }
  /** The numbers the sidebar's links show ("Mine, 7 tickets"); null for a link without one. */
  async function sidebarCounts(): Promise<Record<string, number | null>> {
    const views = watched.page.getByRole('navigation', { name: 'Inbox views' });
    const out: Record<string, number | null> = {};
    for (const text of await views.getByRole('link').allTextContents()) {
      const match = /^(.+?)(?:, (\d+) tickets)?$/.exec(text.trim());
      if (match) out[match[1]!] = match[2] === undefined ? null : Number(match[2]);
    }
    return out;
  }
  const expectCounts = (view: View, status: StatusView) =>
    expect
      .poll(sidebarCounts, { timeout: 10_000, message: `sidebar counts (${view}, ${status})` })
      .toEqual(expectedCounts(view, status));
  const selectedId = () =>
    list().locator('[role="option"][aria-selected="true"]').getAttribute('data-ticket-id');

  it('opens on the open queue, newest first, with the row details and tag colours', async () => {
    const { page } = watched;
    await expect.poll(async () => list().isVisible()).toBe(true);
    await expectSize(count((seed) => seed.status === 'open'));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('All tickets · Open');
    // The views carry live counts for the seeded tickets.
    await expectCounts('all', 'open');
    // A screen reader hears the number with the link: "Mine, 6 tickets".
    const mine = count((seed) => seed.mine && seed.status === 'open');
    const mineLink = page
      .getByRole('navigation', { name: 'Inbox views' })
      .getByRole('link', { name: /^Mine/ });
    expect(await mineLink.getAttribute('aria-current')).toBeNull();
    expect(((await mineLink.textContent()) ?? '').replace(/\s+/g, ' ')).toBe(`Mine, ${mine} tickets`);
    expect(await page.getByRole('alert').count()).toBe(0);
    // Newest first: the last widget conversation leads.
    const first = options().first();
    expect(await first.getAttribute('data-ticket-id')).toBe(seeds.at(-1)!.id);
    const billing = seeds.filter((seed) => seed.status === 'open' && seed.tags.includes('billing')).at(-1)!;
    const row = list().locator(`[data-ticket-id="${billing.id}"]`);
    await row.scrollIntoViewIfNeeded();
    const label = (await row.textContent()) ?? '';
    expect(label).toContain(`${billing.code}: ${billing.subject}`);
    expect(label).toContain('tags billing');
    const tag = row.getByText('billing', { exact: true });
    expect(
      await tag.evaluate(
        (element) => element.ownerDocument.defaultView!.getComputedStyle(element).backgroundColor,
      ),
    ).toBe('rgb(229, 72, 77)');
    expect(await row.locator('time').getAttribute('title')).toBeTruthy();
    await shot(page, 'default');
    await expectNoSeriousAxeViolations(page, 'inbox');
  });

  it('narrows by view, status, channel, tag, priority and search, kept in the URL', async () => {
    const { page } = watched;
    const views = page.getByRole('navigation', { name: 'Inbox views' });
    await views.getByRole('link', { name: /^Mine/ }).click();
    await expectSize(count((seed) => seed.mine && seed.status === 'open'));
    await views.getByRole('link', { name: /^Unassigned/ }).click();
    await expectSize(count((seed) => !seed.mine && seed.status === 'open'));
    await views.getByRole('link', { name: /^Pending/ }).click();
    await expectSize(count((seed) => !seed.mine && seed.status === 'pending'));
    expect(new URL(page.url()).searchParams.get('view')).toBe('unassigned');
    expect(new URL(page.url()).searchParams.get('status')).toBe('pending');

    await views.getByRole('link', { name: /^All tickets/ }).click();
    await views.getByRole('link', { name: /^Any status/ }).click();
    await expectSize(seeds.length);
    await page.getByLabel('Channel').selectOption('widget');
    await expectSize(count((seed) => seed.channel === 'widget'));
    await shot(page, 'filtered');
    await expectNoSeriousAxeViolations(page, 'inbox filtered by channel');
    await page.reload();
    await expectSize(count((seed) => seed.channel === 'widget'));
    expect(await page.getByLabel('Channel').inputValue()).toBe('widget');
    await page.getByLabel('Channel').selectOption('');

    await page.getByLabel('Tag').selectOption('billing');
    await expectSize(count((seed) => seed.tags.includes('billing')));
    await page.getByLabel('Priority').selectOption('urgent');
    await expectSize(count((seed) => seed.tags.includes('billing') && seed.priority === 'urgent'));
    // Enter on a focused button still presses it while the inbox's Enter shortcut is registered.
    await page.getByRole('button', { name: 'Clear filters' }).first().focus();
    await page.keyboard.press('Enter');
    await expectSize(seeds.length);

    await page.getByLabel('Assignee').selectOption({ label: 'Me' });
    await expectSize(count((seed) => seed.mine));
    await page.getByLabel('Assignee').selectOption({ label: 'Anyone' });
    await expectSize(seeds.length);

    await page.keyboard.press('/');
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('inbox-search');
    await page.keyboard.type('printer fire');
    await expectSize(1);
    expect(await options().first().textContent()).toContain('Printer on fire');
    await page.getByLabel('Search tickets').fill('zzzqqq nothing like this');
    await expect.poll(async () => page.getByText('No tickets match these filters').isVisible()).toBe(true);
    await shot(page, 'empty');
    await expectNoSeriousAxeViolations(page, 'inbox with no result');
    await page.getByLabel('Search tickets').fill('');
    await expectSize(seeds.length);

    await page.getByLabel('Sort').selectOption('created_asc');
    await expect.poll(async () => options().first().getAttribute('data-ticket-id')).toBe(seeds[0]!.id);
    await page.getByLabel('Sort').selectOption('created_desc');
    await expect.poll(async () => options().first().getAttribute('data-ticket-id')).toBe(seeds.at(-1)!.id);
  });

  it('triages from the keyboard: j/k, a assigns to me, e resolves, Enter opens, the view is kept', async () => {
    const { page } = watched;
    await page.goto('/inbox?status=any');
    await expectSize(seeds.length);
    await expectCounts('all', 'any');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('j');
    await expect.poll(selectedId).toBe(seeds.at(-1)!.id);
    expect(await list().evaluate((element) => element === element.ownerDocument.activeElement)).toBe(true);
    expect(await list().getAttribute('aria-activedescendant')).toBe(`inbox-ticket-${seeds.at(-1)!.id}`);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await expect.poll(selectedId).toBe(seeds.at(-3)!.id);
    await page.keyboard.press('k');
    const target = seeds.at(-2)!;
    await expect.poll(selectedId).toBe(target.id);
    expect(target.mine).toBe(false);

    await page.keyboard.press('a');
    const row = list().locator(`[data-ticket-id="${target.id}"]`);
    await expect.poll(async () => row.textContent()).toContain('assigned to Ada Admin (you)');
    await expect
      .poll(async () => (await page.getByRole('status').allTextContents()).join(' '))
      .toContain(`${target.code} assigned to you`);
    expect((await world.api<{ assignedTo: string }>('GET', `/v1/tickets/${target.id}`)).body.assignedTo).toBe(
      world.admin.id,
    );

    await page.keyboard.press('e');
    await expect.poll(async () => row.textContent()).toContain('Resolved');
    expect((await world.api<{ status: string }>('GET', `/v1/tickets/${target.id}`)).body.status).toBe(
      'resolved',
    );
    expect(await selectedId()).toBe(target.id);
    target.mine = true;
    target.status = 'resolved';
    // The counts follow without a reload: one more of mine, one fewer open, one more resolved.
    await expectCounts('all', 'any');
    await shot(page, 'triaged');

    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === `/tickets/${target.id}`);
    await page.goBack();
    await page.waitForURL((url) => url.pathname === '/inbox');
    expect(new URL(page.url()).searchParams.get('status')).toBe('any');
    await expect.poll(selectedId).toBe(target.id);

    // The plain Inbox link brings back the same view and selection.
    // The ticket page drops ?compose= once it has opened the composer: wait for the focus, not the URL.
    const focused = (name: string) =>
      expect
        .poll(() =>
          page
            .getByRole('textbox', { name })
            .evaluate((element) => element === element.ownerDocument.activeElement)
            .catch(() => false),
        )
        .toBe(true);
    await page.keyboard.press('r');
    await page.waitForURL((url) => url.pathname === `/tickets/${target.id}`);
    await focused('Reply to the customer');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    await page.waitForURL((url) => url.pathname === '/inbox' && url.searchParams.get('status') === 'any');
    await expect.poll(selectedId).toBe(target.id);
    await page.keyboard.press('n');
    await page.waitForURL((url) => url.pathname === `/tickets/${target.id}`);
    await focused('Internal note (only agents see it)');
    await page.goBack();
    await page.waitForURL((url) => url.pathname === '/inbox');
  });

  it('checks tickets with x and resolves them in bulk', async () => {
    const { page } = watched;
    await page.goto('/inbox?view=unassigned');
    const open = seeds.filter((seed) => !seed.mine && seed.status === 'open');
    await expectSize(open.length);
    // Focus arriving on the list selects its first row.
    await list().focus();
    await expect.poll(selectedId).toBe(open.at(-1)!.id);
    await page.keyboard.press('x');
    await page.keyboard.press('j');
    await page.keyboard.press('x');
    const bulk = page.getByRole('region', { name: 'Bulk actions' });
    await expect.poll(async () => bulk.textContent()).toContain('2 tickets checked');
    await expectNoSeriousAxeViolations(page, 'inbox with checked tickets');
    await bulk.getByRole('button', { name: 'Resolve' }).click();
    await expectSize(open.length - 2);
    for (const seed of open.slice(-2)) {
      expect((await world.api<{ status: string }>('GET', `/v1/tickets/${seed.id}`)).body.status).toBe(
        'resolved',
      );
      seed.status = 'resolved';
    }

    // e in the Open view: the ticket leaves the list and the next one is selected, ready for triage.
    await list().focus();
    await expect.poll(selectedId).toBeTruthy();
    const current = (await selectedId())!;
    const ids = await options().evaluateAll((rows) => rows.map((row) => row.getAttribute('data-ticket-id')));
    const next = ids[ids.indexOf(current) + 1];
    await page.keyboard.press('e');
    await expectSize(open.length - 3);
    await expect.poll(selectedId).toBe(next);
    seeds.find((seed) => seed.id === current)!.status = 'resolved';
    await expectCounts('unassigned', 'open');
  });

  it('shows a ticket created over the API while the inbox is open, without a reload', async () => {
    const { page } = watched;
    await page.goto('/inbox');
    await expect.poll(async () => list().isVisible()).toBe(true);
    await expect
      .poll(async () => page.getByRole('status', { name: /Live updates: Live/ }).count(), { timeout: 10_000 })
      .toBe(1);
    const before = await listSize();
    await expectCounts('all', 'open');
    const created = await world.api<{ id: string; code: string }>('POST', '/v1/tickets', {
      subject: 'Arrived while watching',
      customer: { name: 'Late Larry', email: 'larry@example.com' },
      message: 'Hi!',
      tags: ['vip'],
    });
    expect(created.status).toBe(201);
    await expect
      .poll(async () => options().first().getAttribute('data-ticket-id'), { timeout: 5_000 })
      .toBe(created.body.id);
    expect(await listSize()).toBe(before + 1);
    seeds.push({
      id: created.body.id,
      code: created.body.code,
      subject: 'Arrived while watching',
      channel: 'api',
      status: 'open',
      priority: 'normal',
      tags: ['vip'],
      mine: false,
    });
    // One more open, unassigned ticket in the counts, without a reload.
    await expectCounts('all', 'open');
    // A change made elsewhere shows in place too.
    await world.api('PATCH', `/v1/tickets/${created.body.id}`, { priority: 'urgent' });
    await expect
      .poll(async () => options().first().textContent(), { timeout: 5_000 })
      .toContain('Urgent priority');
  });

  it('pages with a cursor as the list scrolls, and a live refetch keeps the rows in view', async () => {
    const { page } = watched;
    for (let i = 0; i < 80; i += 1) {
      const created = await world.api('POST', '/v1/tickets', {
        subject: `Bulk load ${i}`,
        customer: { email: `bulk${i}@example.com` },
        message: 'More',
      });
      expect(created.status).toBe(201);
    }
    const cursors: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/v1/tickets' && url.searchParams.has('startingAfter')) {
        cursors.push(url.searchParams.get('startingAfter')!);
      }
      expect(url.searchParams.has('page')).toBe(false);
    });
    await page.goto('/inbox?status=any');
    await expect.poll(async () => list().isVisible()).toBe(true);
    // One page of 50 is in; more exist, so the size is unknown.
    expect(await options().first().getAttribute('aria-setsize')).toBe('-1');
    // Only the rows in view are in the DOM.
    expect(await options().count()).toBeLessThan(40);
    await list().evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
    await expect.poll(() => cursors.length, { timeout: 10_000 }).toBeGreaterThan(0);
    await list().evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
    const total = (await world.api<{ meta: { total: number } }>('GET', '/v1/tickets?per_page=1')).body.meta
      .total;
    await expect.poll(listSize, { timeout: 10_000 }).toBe(total);

    // Scrolled half way: a new ticket arrives at the top, the rows in view stay put.
    await list().evaluate((element) => element.scrollTo({ top: 62 * 40 }));
    const firstInView = async () =>
      list().evaluate((element) => {
        const top = element.getBoundingClientRect().top;
        const rows = [...element.querySelectorAll('[role="option"]')];
        return rows
          .find((row) => row.getBoundingClientRect().bottom > top + 1)
          ?.getAttribute('data-ticket-id');
      });
    const before = await firstInView();
    await world.api('POST', '/v1/tickets', {
      subject: 'Arrived while scrolled',
      customer: { email: 'scrolled@example.com' },
      message: 'Hi',
    });
    await expect.poll(listSize, { timeout: 5_000 }).toBe(total + 1);
    expect(await firstInView()).toBe(before);
    await shot(page, 'scrolled');
  }, 60_000);

  it('fits a 768 px window and produced no console errors', async () => {
    const narrow = await openPage(world, { width: 768, height: 900 });
    await signIn(narrow.page, world.admin.email, world.admin.password);
    await expect
      .poll(async () => narrow.page.getByRole('listbox', { name: /^Tickets/ }).isVisible())
      .toBe(true);
    const overflow = await narrow.page.evaluate<boolean>(
      'document.documentElement.scrollWidth > window.innerWidth',
    );
    expect(overflow).toBe(false);
    await shot(narrow.page, 'narrow');
    await expectNoSeriousAxeViolations(narrow.page, 'inbox at 768 px');
    await narrow.context.close();
    expect(narrow.problems).toEqual([]);
    expect(watched.problems).toEqual([]);
  });
});
