/**
 * Triage end to end from the keyboard, across the inbox and the ticket view: filter, open,
 * reply, note, assign, resolve — and a widget visitor's message arriving live in both screens,
 * and a half-written reply surviving an expired session.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import {
  expectNoSeriousAxeViolations,
  openPage,
  signIn,
  startWebAppWorld,
  type WebAppWorld,
} from './support/web-app.js';

interface Ticket {
  id: string;
  code: string;
  status: string;
  assignedTo: string | null;
  priority: string;
}
interface Message {
  text: string;
  internal: boolean;
  role: string;
}

/** A visitor of the company's site, talking through the widget API as the widget script does. */
async function widgetVisitor(world: WebAppWorld) {
  const headers = { 'x-talki-widget-key': world.widgetKey, 'content-type': 'application/json' };
  const started = await fetch(`${world.server.url}/widget/v1/session`, {
    method: 'POST',
    headers,
    body: '{}',
  });
  expect(started.status).toBe(200);
  const { token } = (await started.json()) as { token: string };
  const visitor = { ...headers, 'x-talki-visitor-token': token };
  return {
    async start(text: string): Promise<string> {
      const res = await fetch(`${world.server.url}/widget/v1/conversations`, {
        method: 'POST',
        headers: visitor,
        body: JSON.stringify({ text }),
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    },
    async say(conversationId: string, text: string): Promise<void> {
      const res = await fetch(`${world.server.url}/widget/v1/conversations/${conversationId}/messages`, {
        method: 'POST',
        headers: visitor,
        body: JSON.stringify({ text }),
      });
      expect(res.status).toBe(201);
    },
  };
}

const selected = (page: Page) =>
  page.getByRole('listbox', { name: /^Tickets/ }).locator('[aria-selected="true"]');

describe.each(DIALECTS)('keyboard triage across the inbox and a ticket (%s)', (dialect) => {
  let world: WebAppWorld;
  beforeAll(async () => {
    world = await startWebAppWorld(dialect);
    for (const [subject, priority] of [
      ['Printer on fire', 'urgent'],
      ['Invoice copy please', 'low'],
      ['Password reset loops', 'high'],
    ] as const) {
      const created = await world.api('POST', '/v1/tickets', {
        subject,
        priority,
        customer: { name: `${subject} Customer`, email: `${priority}@example.com` },
        message: `About: ${subject}`,
      });
      expect(created.status).toBe(201);
    }
  });
  afterAll(async () => world?.close());

  it('filters, opens, replies, notes, assigns and resolves without touching the mouse', async () => {
    const { page, context, problems } = await openPage(world);
    await signIn(page, world.admin.email, world.admin.password);
    await page
      .getByRole('listbox', { name: /^Tickets/ })
      .getByRole('option')
      .first()
      .waitFor();
    await expectNoSeriousAxeViolations(page, 'inbox');

    // Filter: `/` focuses the search; the list narrows to the one ticket.
    await page.keyboard.press('/');
    await page.keyboard.type('Password reset');
    await expect
      .poll(() =>
        page
          .getByRole('listbox', { name: /^Tickets/ })
          .getByRole('option')
          .count(),
      )
      .toBe(1);
    await page.keyboard.press('Escape');
    await page.locator('body').press('Tab');
    await page.evaluate('document.activeElement && document.activeElement.blur()');

    // Open with j + Enter.
    await page.keyboard.press('j');
    await expect.poll(() => selected(page).textContent()).toContain('Password reset loops');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/tickets\//);
    const ticketId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
    await page.getByRole('heading', { name: 'Password reset loops' }).waitFor();
    await expectNoSeriousAxeViolations(page, 'ticket');

    // r: reply, sent with Ctrl+Enter.
    await page.keyboard.press('r');
    await page.keyboard.type('We reset the loop for you.');
    await page.keyboard.press('Control+Enter');
    await page.getByRole('listitem', { name: 'Reply from Ada Admin' }).waitFor();

    // n: internal note, sent with Ctrl+Enter.
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    await page.keyboard.press('n');
    await page.keyboard.type('Customer was on an old link.');
    await page.keyboard.press('Control+Enter');
    await page.getByRole('listitem', { name: 'Internal note from Ada Admin' }).waitFor();

    // a: assign to me; e: resolve.
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    await page.keyboard.press('a');
    await expect
      .poll(async () => (await world.api<Ticket>('GET', `/v1/tickets/${ticketId}`)).body.assignedTo)
      .toBe(world.admin.id);
    await page.keyboard.press('e');
    await expect
      .poll(async () => (await world.api<Ticket>('GET', `/v1/tickets/${ticketId}`)).body.status)
      .toBe('resolved');
    // The thread shows the ticket's history too: who changed what, as system lines.
    const conversation = page.getByRole('region', { name: 'Conversation' });
    await conversation
      .getByText(/Ada Admin changed status from Open to Resolved/i)
      .waitFor({ timeout: 5000 });
    await conversation.getByText(/Ada Admin changed assignee/i).waitFor();

    const thread = await world.api<{ data: Message[] }>('GET', `/v1/tickets/${ticketId}/messages`);
    const said = thread.body.data.filter((m) => m.role !== 'system');
    expect(said.map((m) => [m.role, m.internal, m.text])).toEqual([
      ['customer', false, 'About: Password reset loops'],
      ['agent', false, 'We reset the loop for you.'],
      ['agent', true, 'Customer was on an old link.'],
    ]);

    // Back to the inbox with Escape: the resolved ticket has left the Open view.
    await page.keyboard.press('Escape');
    await page.waitForURL((url) => url.pathname === '/inbox');
    await page.getByText('No tickets match these filters').waitFor();
    expect(await page.getByLabel('Search tickets').inputValue()).toBe('Password reset');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows a widget visitor’s new conversation in the inbox and their next message in the open ticket, live', async () => {
    const { page, context, problems } = await openPage(world);
    await signIn(page, world.admin.email, world.admin.password);
    await expect.poll(() => page.getByRole('status', { name: /Live updates: Live/ }).count()).toBe(1);
    const visitor = await widgetVisitor(world);
    const conversation = await visitor.start('Hello from the website chat');
    const list = page.getByRole('listbox', { name: /^Tickets/ });
    await expect
      .poll(async () => (await list.textContent()) ?? '', { timeout: 5000 })
      .toContain('Hello from the website chat');

    await page.goto(`/tickets/${conversation}`);
    await page
      .getByRole('region', { name: 'Conversation' })
      .getByText('Hello from the website chat')
      .waitFor();
    await visitor.say(conversation, 'Are you still there?');
    await page
      .getByRole('region', { name: 'Conversation' })
      .getByText('Are you still there?')
      .waitFor({ timeout: 5000 });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('keeps a half-written reply through an expired session and a sign-in again', async () => {
    const created = await world.api<Ticket>('POST', '/v1/tickets', {
      subject: 'Draft survives',
      customer: { email: 'draft@example.com' },
      message: 'Please help',
    });
    const { page, context, problems } = await openPage(world);
    await signIn(page, world.admin.email, world.admin.password);
    await page.goto(`/tickets/${created.body.id}?compose=reply`);
    const composer = page.getByRole('textbox', { name: 'Reply to the customer' });
    await composer.fill('Dear customer, half of my answer');

    // The session ends elsewhere; the next request finds out and asks to sign in over the screen.
    const refreshToken = await page.evaluate(() => localStorage.getItem('talki.refreshToken'));
    await fetch(`${world.server.url}/v1/auth/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    });
    // The next request finds out: the agent's next change, or one of the screen's own requests
    // still under way (then the dialog already covers the control).
    const dialog = page.getByRole('dialog', { name: 'Your session has expired' });
    const change = page
      .getByLabel('Priority', { exact: true })
      .selectOption('high')
      .catch(() => undefined);
    await Promise.race([dialog.waitFor({ timeout: 10_000 }), change]);
    await dialog.waitFor({ timeout: 10_000 });
    await dialog.getByLabel('Password').fill(world.admin.password);
    await dialog.getByRole('button', { name: 'Sign in again' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await composer.inputValue()).toBe('Dear customer, half of my answer');
    // And the draft is saved for this ticket: a reload brings it back.
    await page.reload();
    await expect
      .poll(() => page.getByRole('textbox', { name: 'Reply to the customer' }).inputValue())
      .toBe('Dear customer, half of my answer');
    expect(problems.filter((problem) => !problem.includes('401'))).toEqual([]);
    await context.close();
  });
});
