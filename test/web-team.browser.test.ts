/**
 * A plain (non-admin) agent sees their teammates in Chromium against a real `talki serve`: the
 * inbox's assignee filter offers a colleague by name, rows name a colleague's tickets, and the
 * ticket view's assignee control hands a ticket to that colleague.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import {
  expectNoSeriousAxeViolations,
  openPage,
  signIn,
  startWebAppWorld,
  type WatchedPage,
  type WebAppWorld,
} from './support/web-app.js';

interface TicketBody {
  id: string;
  code: string;
  assignedTo: string | null;
}

describe.each(DIALECTS)('a plain agent and their team in Chromium (%s)', (dialect) => {
  let world: WebAppWorld;
  let watched: WatchedPage;
  let page: Page;
  const stamp = Date.now();
  const plain = { email: `pat-${stamp}@acme.test`, password: 'plain-agent-horse', name: 'Pat Plain' };
  const colleague = { email: `cy-${stamp}@acme.test`, password: 'colleague-horse', name: 'Cy Colleague' };
  const gone = { email: `gil-${stamp}@acme.test`, password: 'deactivated-horse', name: 'Gil Gone' };
  let colleagueId: string;
  let colleaguesTicket: TicketBody;
  let freeTicket: TicketBody;

  const newTicket = async (subject: string, assignedTo?: string) => {
    const created = await world.api<TicketBody>('POST', '/v1/tickets', {
      subject,
      customer: { email: `${subject.split(' ')[0]!.toLowerCase()}@example.com` },
      message: `About: ${subject}`,
      ...(assignedTo ? { assignedTo } : {}),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body;
  };

  beforeAll(async () => {
    world = await startWebAppWorld(dialect);
    const ids: string[] = [];
    for (const person of [plain, colleague, gone]) {
      const created = await world.api<{ id: string; role: string }>('POST', '/v1/agents', {
        ...person,
        role: 'agent',
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.role).toBe('agent');
      ids.push(created.body.id);
    }
    colleagueId = ids[1]!;
    expect((await world.api('POST', `/v1/agents/${ids[2]}/deactivate`)).status).toBe(200);
    colleaguesTicket = await newTicket('Refund for order 1182', colleagueId);
    freeTicket = await newTicket('Printer on fire');
    watched = await openPage(world);
    page = watched.page;
    page.setDefaultTimeout(10_000);
    await signIn(page, plain.email, plain.password);
  }, 120_000);
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') {
      await page?.screenshot({
        path: `/tmp/team-fail-${context.task.name.slice(0, 20).replace(/\W+/g, '-')}.png`,
      });
    }
  });
  afterAll(async () => {
    await world?.close();
  });

  const list = () => page.getByRole('listbox', { name: /^Tickets/ });
  const row = (ticket: TicketBody) => list().getByRole('option').filter({ hasText: ticket.code });

  it('the inbox names a colleague on their ticket and filters by them', async () => {
    await row(colleaguesTicket).waitFor();
    await expect.poll(() => row(colleaguesTicket).textContent()).toContain('assigned to Cy Colleague');
    expect(await list().getByText('another agent').count()).toBe(0);

    const assignee = page.getByLabel('Assignee');
    // Active colleagues by name (not me: that is "Me"); the deactivated one is not offered.
    await expect
      .poll(() => assignee.locator('option').allTextContents())
      .toEqual(['Anyone', 'Me', 'Unassigned', 'Cy Colleague', 'Ada Admin']);
    await assignee.selectOption({ label: 'Cy Colleague' });
    await page.waitForURL((url) => url.searchParams.get('assignee') === colleagueId);
    await expect.poll(() => list().getByRole('option').count()).toBe(1);
    await row(colleaguesTicket).waitFor();
    expect(await assignee.inputValue()).toBe(colleagueId);
    await expectNoSeriousAxeViolations(page, 'inbox filtered by a colleague');

    await assignee.selectOption({ label: 'Anyone' });
    await row(freeTicket).waitFor();
    await expectNoSeriousAxeViolations(page, 'inbox');
  });

  it('the ticket view assigns a ticket to the colleague', async () => {
    await row(freeTicket).click();
    await page.waitForURL((url) => url.pathname === `/tickets/${freeTicket.id}`);
    await page.getByRole('heading', { name: 'Printer on fire' }).waitFor();
    const assignee = page.getByLabel('Assignee');
    expect(await assignee.inputValue()).toBe('');
    await expect
      .poll(() => assignee.locator('option').allTextContents())
      .toEqual(['Unassigned', 'Cy Colleague', 'Pat Plain (me)', 'Ada Admin']);
    await assignee.selectOption({ label: 'Cy Colleague' });
    await expect
      .poll(async () => (await world.api<TicketBody>('GET', `/v1/tickets/${freeTicket.id}`)).body.assignedTo)
      .toBe(colleagueId);
    expect(await assignee.inputValue()).toBe(colleagueId);
    expect(await page.getByRole('alert').count()).toBe(0);
    await expectNoSeriousAxeViolations(page, 'ticket assigned to a colleague');

    // Back in the inbox, the colleague's filter now holds both tickets.
    await page.goto(`/inbox?assignee=${colleagueId}`);
    await row(freeTicket).waitFor();
    await expect.poll(() => list().getByRole('option').count()).toBe(2);
    expect(await row(freeTicket).textContent()).toContain('assigned to Cy Colleague');
  });

  it('logged no console errors', () => {
    expect(watched.problems).toEqual([]);
  });
});
