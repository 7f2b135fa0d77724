import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './support/databases.js';
import { runCli, startServer, type ServerProcess } from './support/processes.js';

describe.each(DIALECTS)('interactive API docs in Chromium (%s)', (dialect) => {
  let database: TestDatabase;
  let server: ServerProcess;
  let browser: Browser;
  let apiKey: string;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const created = await runCli(['org', 'create', '--name', 'Docs', '--json'], database.env);
    apiKey = (JSON.parse(created.stdout) as { apiKey: string }).apiKey;
    server = await startServer(database.env);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await database?.drop();
  });

  it('lets a person authorize with a key and try GET /v1/tickets', async () => {
    await fetch(`${server.url}/v1/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        subject: 'Seen from the docs',
        customer: { email: 'docs@example.com' },
        message: 'Hi',
      }),
    });
    const page = await browser.newPage();
    await page.goto(`${server.url}/docs`);
    expect(await page.title()).toBe('Talki REST API');
    await page.getByRole('button', { name: 'Authorize' }).first().click();
    await page.locator('.auth-container input').first().fill(apiKey);
    await page.locator('.auth-btn-wrapper button.authorize').click();
    await page.getByRole('button', { name: 'Close' }).click();

    const operation = page.locator('#operations-Tickets-listTickets');
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    await operation.getByRole('button', { name: 'Execute' }).click();
    const responseBody = operation
      .locator('.responses-inner .live-responses-table .response-col_description pre')
      .first();
    await expect
      .poll(async () => responseBody.textContent(), { timeout: 10_000 })
      .toContain('Seen from the docs');
    await expect
      .poll(async () =>
        operation.locator('.live-responses-table tbody .response-col_status').first().textContent(),
      )
      .toContain('200');
    // The pasted key lived in the page only: not in storage, gone after a reload.
    expect(await page.evaluate('JSON.stringify(localStorage)')).not.toContain(apiKey);
    await page.reload();
    await page.getByRole('button', { name: 'Authorize' }).first().click();
    await expect.poll(async () => page.locator('.auth-container input').count()).toBeGreaterThan(0);
    expect(await page.locator('.auth-container input').first().inputValue()).toBe('');
  });

  it('refuses to be framed by another page', async () => {
    const page = await browser.newPage();
    await page.goto('about:blank');
    await page.setContent(`<iframe id="docs" src="${server.url}/docs/"></iframe>`);
    const frame = await (await page.$('#docs'))!.contentFrame();
    await frame!.waitForLoadState('load');
    // A blocked frame shows the browser's error page instead of the docs.
    const rendered = await frame!
      .locator('#swagger-ui')
      .count()
      .catch(() => 0);
    expect(rendered).toBe(0);
    expect(frame!.url()).not.toContain('/docs');
  });
});
