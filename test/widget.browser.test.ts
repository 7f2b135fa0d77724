/**
 * The embeddable widget in headless Chromium against a real `talki serve`: a shop page on
 * another origin loads /widget.js, a visitor chats, an agent answers over the REST API and the
 * reply arrives in the page (through the delivery worker and the widget's socket).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './support/databases.js';
import { runCli, startServer, type ServerProcess } from './support/processes.js';
import { configuredPage, scriptTagPage, startPageServer, type PageServer } from './support/widget-page.js';

interface Call {
  name: string;
  value: Record<string, unknown> | null;
}

/** Light-DOM rules a careless theme might have: none of them may reach the widget. */
const HOSTILE_CSS = `
  body * { display: none !important; }
  body { color: red !important; font-size: 40px !important; font-family: serif !important; }
  button { color: red !important; background: red !important; width: 5px !important; }
  div, p, textarea { background: yellow !important; font-size: 40px !important; }
`;

describe.each(DIALECTS)('website widget in Chromium (%s)', (dialect) => {
  let database: TestDatabase;
  let server: ServerProcess;
  let pages: PageServer;
  let browser: Browser;
  let apiKey: string;

  const api = (path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${server.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const created = await runCli(['org', 'create', '--name', 'Shop', '--json'], database.env);
    const org = JSON.parse(created.stdout) as { org: { id: string }; apiKey: string; widgetKey: string };
    apiKey = org.apiKey;
    server = await startServer({ ...database.env, TALKI_JOB_POLL_MS: '50' });
    const site = { serverUrl: server.url, orgId: org.org.id, widgetKey: org.widgetKey };
    pages = await startPageServer({
      '/': configuredPage(site),
      '/tag': scriptTagPage(site),
      '/hostile': scriptTagPage({ ...site, css: HOSTILE_CSS }),
    });
    // Only the shop's own pages may use its widget.
    const restricted = await api('/v1/channels/widget', {
      method: 'PATCH',
      body: { allowedOrigins: [pages.url] },
    });
    expect(restricted.status, await restricted.text()).toBe(200);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await pages?.close();
    await server?.stop();
    await database?.drop();
  });

  // Code run in the page is passed as text: this project's TypeScript has no DOM types.
  const calls = (page: Page) => page.evaluate<Call[]>('window.talkiCalls');
  const namesOf = async (page: Page) => (await calls(page)).map((call) => call.name);
  /** What has focus inside the widget's shadow root (its accessible name). */
  const focused = (page: Page) =>
    page.evaluate<string | null>(`(() => {
      const host = document.querySelector('talki-widget');
      const inner = host && host.shadowRoot && host.shadowRoot.activeElement;
      return document.activeElement === host && inner ? inner.getAttribute('aria-label') : null;
    })()`);
  /** Computed styles of the first element in the widget matching `selector`. */
  const styleOf = (page: Page, selector: string) =>
    page.evaluate<Record<string, string>>(`(() => {
      const node = document.querySelector('talki-widget').shadowRoot.querySelector(${JSON.stringify(selector)});
      const style = getComputedStyle(node);
      return {
        color: style.color,
        background: style.backgroundColor,
        width: style.width,
        fontSize: style.fontSize,
      };
    })()`);

  it('lets a visitor write, files a widget ticket, and shows the agent’s reply live', async () => {
    const page = await browser.newPage();
    try {
      const socketFrames: string[] = [];
      page.on('websocket', (socket) =>
        socket.on('framereceived', (frame) => socketFrames.push(String(frame.payload))),
      );
      await page.goto(pages.url);
      await expect.poll(() => namesOf(page)).toEqual(['ready']);

      await page.getByRole('button', { name: /Open chat/ }).click();
      const dialog = page.getByRole('dialog', { name: 'Chat with us' });
      await expect.poll(() => dialog.isVisible()).toBe(true);
      await expect.poll(() => focused(page)).toBe('Message');
      expect(await dialog.getByText('Hi! How can we help?').isVisible()).toBe(true);
      expect(await namesOf(page)).toEqual(['ready', 'open']);

      await page.keyboard.type('Where is my parcel?');
      await page.keyboard.press('Enter');
      await expect.poll(() => namesOf(page)).toEqual(['ready', 'open', 'message']);
      const sent = (await calls(page))[2]!.value!;
      expect(sent).toMatchObject({ text: 'Where is my parcel?', ticketId: expect.stringMatching(/^tkt_/) });
      expect(sent.createdAt).toEqual(expect.any(String));
      const ticketId = sent.ticketId as string;

      const tickets = (await (await api('/v1/tickets?channel=widget')).json()) as {
        data: Array<{ id: string; channel: string; subject: string }>;
      };
      expect(tickets.data).toEqual([
        expect.objectContaining({ id: ticketId, channel: 'widget', subject: 'Where is my parcel?' }),
      ]);

      const reply = await api(`/v1/tickets/${ticketId}/messages`, {
        method: 'POST',
        body: { text: 'It ships tomorrow morning.' },
      });
      expect(reply.status).toBe(201);
      const replied = (await reply.json()) as { id: string; agentName: string };
      // Sent with an API key: the customer sees the org's support name, not the key's name.
      const { supportName } = (await (await api('/v1/org')).json()) as { supportName: string };
      expect(supportName).not.toBe(replied.agentName);
      await expect
        .poll(() => dialog.getByText('It ships tomorrow morning.').isVisible(), { timeout: 15_000 })
        .toBe(true);
      expect(await dialog.getByText(supportName, { exact: true }).isVisible()).toBe(true);
      expect(await dialog.getByText(replied.agentName, { exact: true }).count()).toBe(0);
      // It came live over the socket, not from the polling fallback.
      expect(socketFrames.some((frame) => frame.includes(replied.id))).toBe(true);
      const agentCalls = (await calls(page)).filter((call) => call.name === 'agentMessage');
      expect(agentCalls.map((call) => call.value)).toEqual([
        expect.objectContaining({
          id: replied.id,
          text: 'It ships tomorrow morning.',
          ticketId,
          agentName: supportName,
          createdAt: expect.any(String),
        }),
      ]);

      // Escape closes and gives focus back to the bubble.
      await page.keyboard.press('Escape');
      await expect.poll(() => dialog.isVisible()).toBe(false);
      expect((await namesOf(page)).at(-1)).toBe('close');
      expect(await focused(page)).toMatch(/Open chat/);
      // So does a click elsewhere on the page; Talki.open() reopens it with the history.
      await page.evaluate('window.Talki.open()');
      await expect.poll(() => dialog.isVisible()).toBe(true);
      expect(await page.evaluate('window.Talki.isOpen()')).toBe(true);
      await page.mouse.click(10, 10);
      await expect.poll(() => dialog.isVisible()).toBe(false);

      // A returning visitor (same browser storage) sees the conversation again after a reload.
      await page.reload();
      await expect.poll(() => namesOf(page)).toEqual(['ready']);
      await page.getByRole('button', { name: /Open chat/ }).click();
      await expect.poll(() => dialog.getByText('It ships tomorrow morning.').isVisible()).toBe(true);
      expect(await dialog.getByText('Where is my parcel?').isVisible()).toBe(true);
    } finally {
      await page.close();
    }
  });

  it('sends attachments, and falls back to polling when the socket is down', async () => {
    const page = await browser.newPage();
    try {
      // Every socket is refused at once: replies can only come from polling.
      await page.routeWebSocket(/\/widget\/v1\/ws$/, (socket) => socket.close({ code: 1011 }));
      await page.goto(pages.url);
      await expect.poll(() => namesOf(page)).toEqual(['ready']);
      await page.getByRole('button', { name: /Open chat/ }).click();
      const dialog = page.getByRole('dialog', { name: 'Chat with us' });
      await dialog.locator('input[type=file]').setInputFiles({
        name: 'receipt.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('order 1234'),
      });
      await expect.poll(() => dialog.getByText('receipt.txt').isVisible()).toBe(true);
      await dialog.getByRole('textbox', { name: 'Message' }).fill('Here is my receipt');
      await dialog.getByRole('button', { name: 'Send' }).click();
      await expect.poll(async () => (await namesOf(page)).includes('message')).toBe(true);
      const ticketId = (await calls(page)).find((call) => call.name === 'message')!.value!.ticketId as string;
      const thread = (await (await api(`/v1/tickets/${ticketId}/messages`)).json()) as {
        data: Array<{ role: string; attachments: Array<{ name: string }> }>;
      };
      expect(thread.data.find((m) => m.role === 'customer')!.attachments.map((a) => a.name)).toEqual([
        'receipt.txt',
      ]);

      await api(`/v1/tickets/${ticketId}/messages`, { method: 'POST', body: { text: 'Got it, thanks!' } });
      await expect
        .poll(() => dialog.getByText('Got it, thanks!').isVisible(), { timeout: 15_000 })
        .toBe(true);
      expect((await calls(page)).filter((call) => call.name === 'agentMessage')).toHaveLength(1);
    } finally {
      await page.close();
    }
  });

  it('polls when the browser refuses sockets outright, and replays calls queued before it loaded', async () => {
    const page = await browser.newPage();
    try {
      // A ws: address from an https page, or a Content-Security-Policy, makes the constructor throw.
      await page.addInitScript(`
        window.WebSocket = function () { throw new DOMException('blocked', 'SecurityError'); };
        window.Talki = { q: [['open']] };
      `);
      await page.goto(pages.url);
      await expect.poll(() => namesOf(page)).toEqual(['ready', 'open']);
      const dialog = page.getByRole('dialog', { name: 'Chat with us' });
      await dialog.getByRole('textbox', { name: 'Message' }).fill('Can you hear me?');
      await page.keyboard.press('Enter');
      await expect.poll(() => namesOf(page)).toEqual(['ready', 'open', 'message']);
      const ticketId = (await calls(page))[2]!.value!.ticketId as string;
      await api(`/v1/tickets/${ticketId}/messages`, { method: 'POST', body: { text: 'Loud and clear.' } });
      await expect
        .poll(() => dialog.getByText('Loud and clear.').isVisible(), { timeout: 15_000 })
        .toBe(true);
    } finally {
      await page.close();
    }
  });

  it('works from the script tag alone (data attributes) and shows the greeting', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${pages.url}/tag`);
      const bubble = page.getByRole('button', { name: /Open chat/ });
      await expect.poll(() => bubble.isVisible(), { timeout: 10_000 }).toBe(true);
      await bubble.click();
      const dialog = page.getByRole('dialog', { name: 'Chat with us' });
      await expect.poll(() => dialog.getByText('Hi! How can we help?').isVisible()).toBe(true);
      await dialog.getByRole('button', { name: 'Close chat' }).click();
      await expect.poll(() => dialog.isVisible()).toBe(false);
    } finally {
      await page.close();
    }
  });

  it("is not changed by the host page's CSS", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${pages.url}/hostile`);
      // The page's own content is gone: the rules are in force.
      await expect.poll(() => page.getByRole('button', { name: 'Buy' }).isVisible()).toBe(false);
      const bubble = page.getByRole('button', { name: /Open chat/ });
      await expect.poll(() => bubble.isVisible(), { timeout: 10_000 }).toBe(true);
      expect(await styleOf(page, '.bubble')).toMatchObject({ background: 'rgb(79, 70, 229)', width: '56px' });
      await bubble.click();
      const dialog = page.getByRole('dialog', { name: 'Chat with us' });
      const greeting = dialog.getByText('Hi! How can we help?');
      await expect.poll(() => greeting.isVisible()).toBe(true);
      expect(await styleOf(page, '.greeting')).toMatchObject({
        color: 'rgb(31, 41, 55)',
        fontSize: '14px',
        background: 'rgb(255, 255, 255)',
      });
      const box = await dialog.boundingBox();
      expect(box!.width).toBeGreaterThan(300);
    } finally {
      await page.close();
    }
  });
});
