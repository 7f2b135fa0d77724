/**
 * The ticket view of the agent app in Chromium against a real `talki serve`: the thread and its
 * kinds, replying and noting, delivery state and retry, attachments both ways, the controls,
 * time entries, merge, drafts across a reload, live messages and presence between two agents.
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
  status: string;
  priority: string;
  assignedTo: string | null;
  tags: string[];
  mergedInto: string | null;
  customer: { id: string };
  messages: Array<{ id: string; text: string; internal: boolean; attachments: Array<{ name: string }> }>;
}

const until = async <T>(what: string, probe: () => Promise<T | undefined>, timeout = 10_000): Promise<T> => {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
};

describe.each(DIALECTS)('ticket view in Chromium (%s)', (dialect) => {
  let world: WebAppWorld;
  let watched: WatchedPage;
  let page: Page;
  let ticket: TicketBody;
  const other = {
    email: `bea-${Date.now()}@acme.test`,
    password: 'another-horse-battery',
    name: 'Bea Agent',
  };

  /**
   * Chromium logs every 4xx answer as a console line. Where the app asks on purpose and shows
   * the answer (a missing ticket), that one line is expected; anything else stays a problem.
   */
  const takeExpected404 = (what: string) => {
    const index = watched.problems.findIndex((line) => line.includes('status of 404'));
    expect(index, `the 404 for ${what}`).toBeGreaterThanOrEqual(0);
    watched.problems.splice(index, 1);
  };
  const getTicket = async (id: string) => (await world.api<TicketBody>('GET', `/v1/tickets/${id}`)).body;
  const thread = () => page.getByRole('region', { name: 'Conversation' });

  beforeAll(async () => {
    world = await startWebAppWorld(dialect);
    const created = await world.api<TicketBody>('POST', '/v1/tickets', {
      subject: 'Cannot export invoices',
      customer: { email: 'carla@example.com', name: 'Carla Customer' },
      message: 'The export button does nothing.',
    });
    expect(created.status).toBe(201);
    ticket = created.body;
    const patched = await world.api('PATCH', `/v1/customers/${ticket.customer.id}`, {
      customFields: { plan: 'pro', seats: 12 },
    });
    expect(patched.status).toBe(200);
    // An older ticket of the same customer, for the panel's list.
    await world.api('POST', '/v1/tickets', {
      subject: 'Older question about seats',
      customer: { email: 'carla@example.com' },
      message: 'How many seats do I have?',
    });
    for (const [name, color] of [
      ['billing', '#1d7a3e'],
      ['bug', '#c4302b'],
    ]) {
      expect((await world.api('POST', '/v1/tags', { name, color })).status).toBe(201);
    }
    const agent = await world.api('POST', '/v1/agents', { ...other, role: 'agent' });
    expect(agent.status).toBe(201);
    watched = await openPage(world);
    page = watched.page;
    page.setDefaultTimeout(10_000);
    await signIn(page, world.admin.email, world.admin.password);
  });
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') {
      await page?.screenshot({
        path: `/tmp/ticket-fail-${context.task.name.slice(0, 20).replace(/\W+/g, '-')}.png`,
      });
    }
  });
  afterAll(async () => {
    await world?.close();
  });

  it('shows a clear page for a ticket that does not exist', async () => {
    await page.goto('/tickets/NOPE-9999');
    await page.getByRole('heading', { name: 'Ticket not found' }).waitFor();
    await expectNoSeriousAxeViolations(page, 'ticket not found');
    takeExpected404('the missing ticket');
  });

  it('opens a ticket by code with the customer panel', async () => {
    await page.goto(`/tickets/${ticket.code}`);
    await page.getByRole('heading', { name: 'Cannot export invoices' }).waitFor();
    await thread().getByText('The export button does nothing.').waitFor();
    const customerMessage = page.getByRole('listitem', { name: 'Customer from Carla Customer' });
    await expect.poll(() => customerMessage.count()).toBe(1);
    const details = page.getByRole('complementary', { name: 'Ticket details' });
    await details.getByText('carla@example.com').waitFor();
    await details.getByText('plan').waitFor();
    await details.getByText('pro', { exact: true }).waitFor();
    await details.getByRole('link', { name: /Older question about seats/ }).waitFor();
    await expectNoSeriousAxeViolations(page, 'ticket');
  });

  it('sends a reply and an internal note, each labelled, with delivery state', async () => {
    const composer = page.getByRole('textbox', { name: 'Reply to the customer' });
    await composer.fill('Thanks, we are looking into it.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    const reply = page.getByRole('listitem', { name: 'Reply from Ada Admin' });
    await reply.getByText('Thanks, we are looking into it.').waitFor();
    await reply.getByText('via API').waitFor();
    await reply.getByText('Delivery: Sent').waitFor();
    expect(await composer.inputValue()).toBe('');

    await page.getByRole('tab', { name: 'Internal note' }).click();
    const noteBox = page.getByRole('textbox', { name: 'Internal note (only agents see it)' });
    await noteBox.fill('Probably the CSV worker again.');
    await noteBox.press('Control+Enter');
    const note = page.getByRole('listitem', { name: 'Internal note from Ada Admin' });
    await note.getByText('Probably the CSV worker again.').waitFor();
    expect(await note.getByText('Delivery:').count()).toBe(0);
    const stored = await getTicket(ticket.id);
    expect(stored.messages.map((message) => [message.text, message.internal])).toEqual([
      ['The export button does nothing.', false],
      ['Thanks, we are looking into it.', false],
      ['Probably the CSV worker again.', true],
    ]);
    // The two kinds look different, not only by their labels.
    const [replyBg, noteBg] = await Promise.all([
      reply.evaluate((element) => getComputedStyle(element).backgroundColor),
      note.evaluate((element) => getComputedStyle(element).backgroundColor),
    ]);
    expect(replyBg).not.toBe(noteBg);
    await expectNoSeriousAxeViolations(page, 'ticket with note mode');
    await page.screenshot({ path: '/tmp/ticket-thread.png' });
  });

  it('uploads an attachment with a reply and downloads it again', async () => {
    await page.getByRole('tab', { name: 'Reply' }).click();
    await page.locator('input[type="file"]').setInputFiles({
      name: 'steps.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('1. open invoices\n2. click export\n'),
    });
    await page.getByRole('list', { name: 'Files to attach' }).getByText('steps.txt').waitFor();
    await page.getByRole('textbox', { name: 'Reply to the customer' }).fill('Here are the steps I tried.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    const download = page.getByRole('button', { name: 'Download steps.txt' });
    await download.waitFor();
    const stored = await getTicket(ticket.id);
    expect(stored.messages.at(-1)?.attachments.map((file) => file.name)).toEqual(['steps.txt']);
    const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
    expect(file.suggestedFilename()).toBe('steps.txt');
    const stream = await file.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('1. open invoices\n2. click export\n');
  });

  it('changes status, priority, assignee and tags from the controls', async () => {
    await page.getByLabel('Status', { exact: true }).selectOption('pending');
    await until('pending', async () =>
      (await getTicket(ticket.id)).status === 'pending' ? true : undefined,
    );
    await page.getByLabel('Priority', { exact: true }).selectOption('high');
    await until('high', async () => ((await getTicket(ticket.id)).priority === 'high' ? true : undefined));
    await page.getByRole('button', { name: 'Assign to me' }).click();
    await until('assigned', async () =>
      (await getTicket(ticket.id)).assignedTo === world.admin.id ? true : undefined,
    );
    expect(await page.getByLabel('Assignee').inputValue()).toBe(world.admin.id);
    await page.getByLabel('Assignee').selectOption({ label: 'Bea Agent' });
    await until('assigned to Bea', async () =>
      (await getTicket(ticket.id)).assignedTo !== world.admin.id ? true : undefined,
    );
    await page.getByLabel('Add tag').selectOption('billing');
    await page.getByLabel('Add tag').selectOption('bug');
    await until('tags', async () =>
      (await getTicket(ticket.id)).tags.join() === 'billing,bug' ? true : undefined,
    );
    await page.getByRole('button', { name: 'Remove tag billing' }).click();
    await until('tag removed', async () =>
      (await getTicket(ticket.id)).tags.join() === 'bug' ? true : undefined,
    );
    // The keyboard: e resolves, a assigns to me.
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('e');
    await until('resolved', async () =>
      (await getTicket(ticket.id)).status === 'resolved' ? true : undefined,
    );
    await page.keyboard.press('a');
    await until('assigned by key', async () =>
      (await getTicket(ticket.id)).assignedTo === world.admin.id ? true : undefined,
    );
    await page.getByRole('button', { name: 'Reopen' }).click();
    await until('reopened', async () => ((await getTicket(ticket.id)).status === 'open' ? true : undefined));
    await expectNoSeriousAxeViolations(page, 'ticket after changes');
  });

  it('logs, edits and deletes time', async () => {
    const details = page.getByRole('complementary', { name: 'Ticket details' });
    await details.getByText('No time logged yet.').waitFor();
    await details.getByLabel('Duration').fill('nonsense');
    await details.getByRole('button', { name: 'Log time' }).click();
    await details.getByText(/Enter a duration/).waitFor();
    await details.getByLabel('Duration').fill('1h 15m');
    await details.getByLabel('Note').fill('Reproduced the export bug');
    await details.getByRole('button', { name: 'Log time' }).click();
    const entries = details.getByRole('list', { name: 'Time entries' });
    await entries.getByText('Reproduced the export bug').waitFor();
    await details.getByText('1h 15m').first().waitFor();
    const listed = await world.api<{ data: Array<{ minutes: number; agentId: string }> }>(
      'GET',
      `/v1/tickets/${ticket.id}/time-entries`,
    );
    expect(listed.body.data.map((entry) => [entry.minutes, entry.agentId])).toEqual([[75, world.admin.id]]);
    await entries.getByRole('button', { name: 'Edit 1h 15m entry' }).click();
    await entries.getByLabel('Duration').fill('90');
    await entries.getByRole('button', { name: 'Save' }).click();
    await entries.getByRole('button', { name: 'Edit 1h 30m entry' }).waitFor();
    await expectNoSeriousAxeViolations(page, 'time entries');
    await entries.getByRole('button', { name: 'Delete 1h 30m entry' }).click();
    await details.getByText('No time logged yet.').waitFor();
  });

  it('keeps a draft per ticket and mode across a reload, and ?compose=note opens the note', async () => {
    await page.getByRole('textbox', { name: 'Reply to the customer' }).fill('Half-written reply');
    await page.getByRole('tab', { name: 'Internal note' }).click();
    await page.getByRole('textbox', { name: 'Internal note (only agents see it)' }).fill('Half-written note');
    await page.reload();
    const reply = page.getByRole('textbox', { name: 'Reply to the customer' });
    await reply.waitFor();
    expect(await reply.inputValue()).toBe('Half-written reply');
    await page.goto(`/tickets/${ticket.code}?compose=note`);
    const note = page.getByRole('textbox', { name: 'Internal note (only agents see it)' });
    await note.waitFor();
    expect(await note.inputValue()).toBe('Half-written note');
    await expect.poll(() => note.evaluate((element) => element === document.activeElement)).toBe(true);
    await expect.poll(() => new URL(page.url()).search).toBe('');
    // r from outside the composer switches to the reply and focuses it.
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('r');
    await expect.poll(() => reply.evaluate((element) => element === document.activeElement)).toBe(true);
    await reply.fill('');
    await page.getByRole('tab', { name: 'Internal note' }).click();
    await note.fill('');
  });

  it('offers canned replies on "/", picked with the arrow keys, placeholders filled', async () => {
    const suffix = Date.now().toString(36);
    const wanted = {
      shortcut: `thanks-wait-${suffix}`,
      title: 'Thanks for waiting',
      body: 'Hi {{customer.name}}, thanks for waiting on {{ticket.code}}.',
    };
    for (const body of [
      wanted,
      { shortcut: `thanks-bye-${suffix}`, title: 'Sign-off', body: 'Thanks, {{customer.name}}!' },
    ]) {
      expect((await world.api('POST', '/v1/canned-replies', body)).status).toBe(201);
    }
    await page.getByRole('tab', { name: 'Reply' }).click();
    const composer = page.getByRole('textbox', { name: 'Reply to the customer' });
    await composer.pressSequentially('Hello /thanks-');
    const picker = page.getByRole('listbox', { name: 'Canned replies' });
    await expect.poll(() => picker.getByRole('option').count()).toBe(2);
    await expectNoSeriousAxeViolations(page, 'canned reply picker');
    const target = picker.getByRole('option').filter({ hasText: `/${wanted.shortcut}` });
    await composer.press('ArrowDown');
    if ((await target.getAttribute('aria-selected')) !== 'true') await composer.press('ArrowUp');
    expect(await target.getAttribute('aria-selected')).toBe('true');
    expect(await composer.getAttribute('aria-activedescendant')).toBe(await target.getAttribute('id'));
    await composer.press('Enter');
    await expect.poll(() => picker.count()).toBe(0);
    expect(await composer.inputValue()).toBe(
      `Hello Hi Carla Customer, thanks for waiting on ${ticket.code}.`,
    );

    // Escape closes the picker and leaves the text as typed.
    await composer.pressSequentially(' /thanks-bye');
    await expect.poll(() => picker.getByRole('option').count()).toBe(1);
    await composer.press('Escape');
    await expect.poll(() => picker.count()).toBe(0);
    expect(await composer.inputValue()).toMatch(/ \/thanks-bye$/);
    await composer.fill('');
    expect(watched.problems).toEqual([]);
  });

  it('shows a message posted over the API live, staying at the bottom', async () => {
    const posted = await world.api('POST', `/v1/tickets/${ticket.id}/messages`, {
      text: 'Posted by the integration, live.',
      internal: true,
    });
    expect(posted.status).toBe(201);
    await thread().getByText('Posted by the integration, live.').waitFor({ timeout: 10_000 });
    await expect
      .poll(() =>
        thread().evaluate((element) => element.scrollHeight - element.scrollTop - element.clientHeight < 48),
      )
      .toBe(true);
  });

  it('shows a failed delivery with Retry, and retries it', { timeout: 90_000 }, async () => {
    const widget = async (path: string, token: string | null, body: unknown) => {
      const response = await fetch(`${world.server.url}/widget/v1${path}`, {
        method: 'POST',
        headers: {
          'x-talki-widget-key': world.widgetKey,
          'content-type': 'application/json',
          ...(token ? { 'x-talki-visitor-token': token } : {}),
        },
        body: JSON.stringify(body),
      });
      return (await response.json()) as Record<string, string>;
    };
    const { token } = await widget('/session', null, {});
    const conversation = await widget('/conversations', token!, { text: 'Hello from the widget' });
    expect((await world.api('PATCH', '/v1/channels/widget', { enabled: false })).status).toBe(200);
    try {
      await page.goto(`/tickets/${conversation.id}`);
      await thread().getByText('Hello from the widget').waitFor();
      await page.getByRole('textbox', { name: 'Reply to the customer' }).fill('This will not arrive.');
      await page.getByRole('button', { name: 'Send reply' }).click();
      const reply = page.getByRole('listitem', { name: 'Reply from Ada Admin' });
      await reply.getByText('via Chat widget').waitFor();
      await reply.getByText('Delivery: Failed').waitFor({ timeout: 15_000 });
      await reply.getByText(/widget is disabled/).waitFor();
      await expectNoSeriousAxeViolations(page, 'failed delivery');
      await page.screenshot({ path: '/tmp/ticket-failed.png' });
    } finally {
      expect((await world.api('PATCH', '/v1/channels/widget', { enabled: true })).status).toBe(200);
    }
    const reply = page.getByRole('listitem', { name: 'Reply from Ada Admin' });
    await reply.getByRole('button', { name: 'Retry' }).click();
    // With Redis the retry goes through the queue and its backoff: wait for the API, then the screen.
    await until(
      'the retried reply to be sent',
      async () => {
        const current = await getTicket(conversation.id!);
        return current.messages.some(
          (message) => (message as { deliveryStatus?: string }).deliveryStatus === 'sent',
        )
          ? true
          : undefined;
      },
      40_000,
    );
    await reply.getByText('Delivery: Sent').waitFor({ timeout: 10_000 });
    expect(await reply.getByRole('button', { name: 'Retry' }).count()).toBe(0);
  });

  it('shows another agent viewing and typing, live', { timeout: 90_000 }, async () => {
    await page.goto(`/tickets/${ticket.code}`);
    await page.getByRole('heading', { name: 'Cannot export invoices' }).waitFor();
    const second = await openPage(world);
    try {
      await signIn(second.page, other.email, other.password);
      await second.page.goto(`/tickets/${ticket.code}`);
      await second.page.getByRole('heading', { name: 'Cannot export invoices' }).waitFor();
      const presence = page.getByRole('status').filter({ hasText: 'Bea Agent' });
      await presence.getByText('Bea Agent is viewing').waitFor({ timeout: 20_000 });
      await second.page.getByRole('textbox', { name: 'Reply to the customer' }).pressSequentially('Hi Carla');
      await presence.getByText('Bea Agent is typing…').waitFor({ timeout: 20_000 });
      await expectNoSeriousAxeViolations(page, 'ticket with presence');
      await page.screenshot({ path: '/tmp/ticket-presence.png' });
      // Bea sees Ada, not herself.
      await second.page.getByText('Ada Admin is viewing').waitFor({ timeout: 20_000 });
      expect(await second.page.getByText('Bea Agent is').count()).toBe(0);
      await second.page.goto('/inbox');
      await expect.poll(() => page.getByText(/Bea Agent is/).count(), { timeout: 10_000 }).toBe(0);
      expect(second.problems).toEqual([]);
    } finally {
      await second.context.close();
    }
  });

  it('merges this ticket into another found by code', async () => {
    const target = (
      await world.api<TicketBody>('POST', '/v1/tickets', {
        subject: 'Export broken for the whole team',
        customer: { email: 'dan@example.com', name: 'Dan' },
        message: 'Exports fail for all of us.',
      })
    ).body;
    await page.getByRole('button', { name: 'Merge…' }).click();
    const dialog = page.getByRole('dialog', { name: `Merge ${ticket.code} into another ticket` });
    await dialog.getByLabel('Find the ticket to merge into').fill(target.code);
    await dialog.getByRole('radio', { name: new RegExp(target.code) }).check();
    await expectNoSeriousAxeViolations(page, 'merge dialog');
    await dialog.getByRole('button', { name: `Merge into ${target.code}` }).click();
    await page.waitForURL((url) => url.pathname === `/tickets/${target.code}`);
    await page.getByRole('heading', { name: 'Export broken for the whole team' }).waitFor();
    await thread().getByText('The export button does nothing.').waitFor();
    expect((await getTicket(ticket.id)).mergedInto).toBe(target.id);
  });

  it('works at 768 px with the details panel behind a toggle, and had no console errors', async () => {
    await page.setViewportSize({ width: 768, height: 800 });
    const details = page.getByRole('complementary', { name: 'Ticket details' });
    await expect.poll(() => details.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Details' }).click();
    await expect.poll(() => details.isVisible()).toBe(true);
    await expectNoSeriousAxeViolations(page, 'ticket at 768 px');
    await page.screenshot({ path: '/tmp/ticket-768.png' });
    await page.getByRole('button', { name: 'Close details' }).click();
    await expect.poll(() => details.isVisible()).toBe(false);
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(watched.problems).toEqual([]);
  });
});
