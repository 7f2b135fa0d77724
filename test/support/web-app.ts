import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { launchBrowser } from './browser.js';
import type { DialectName } from '../../src/db/database.js';
import { createTestDatabase, type TestDatabase } from './databases.js';
import { runCli, startServer, type ServerProcess } from './processes.js';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** One org on a real `talki serve` (built web app included), with Chromium to drive it. */
export interface WebAppWorld {
  database: TestDatabase;
  server: ServerProcess;
  browser: Browser;
  orgId: string;
  apiKey: string;
  widgetKey: string;
  admin: { id: string; email: string; password: string };
  /** Calls the API with the org's secret key. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export const ADMIN_PASSWORD = 'correct-horse-battery';

export async function startWebAppWorld(dialect: DialectName, name = 'Acme'): Promise<WebAppWorld> {
  const database = await createTestDatabase(dialect);
  const email = `admin-${Date.now()}@acme.test`;
  const created = await runCli(
    [
      'org',
      'create',
      '--name',
      name,
      '--admin-email',
      email,
      '--admin-password',
      ADMIN_PASSWORD,
      '--admin-name',
      'Ada Admin',
      '--json',
    ],
    database.env,
  );
  const org = JSON.parse(created.stdout) as {
    org: { id: string };
    apiKey: string;
    widgetKey: string;
    admin: { id: string };
  };
  const server = await startServer(database.env);
  const browser = await launchBrowser();
  const api: WebAppWorld['api'] = async <T>(method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${org.apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  };
  return {
    database,
    server,
    browser,
    orgId: org.org.id,
    apiKey: org.apiKey,
    widgetKey: org.widgetKey,
    admin: { id: org.admin.id, email, password: ADMIN_PASSWORD },
    api,
    async close() {
      await browser.close().catch(() => undefined);
      await server.stop();
      await database.drop();
    },
  };
}

/** A page that records console errors and failed requests: the app must produce none. */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  problems: string[];
}

export async function openPage(
  world: WebAppWorld,
  viewport: { width: number; height: number } = { width: 1280, height: 800 },
): Promise<WatchedPage> {
  const context = await world.browser.newContext({ viewport, baseURL: world.server.url });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return { page, context, problems };
}

/** Signs in through the login screen and waits for the inbox. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/inbox');
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/**
 * Runs axe-core on the page as it is now and fails on any serious or critical violation. The
 * script goes in through the DevTools protocol, which the page's CSP does not govern.
 */
export async function expectNoSeriousAxeViolations(page: Page, screen: string): Promise<void> {
  const hasAxe = await page.evaluate('typeof window.axe !== "undefined"');
  if (!hasAxe) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate<AxeViolation[]>(
    'window.axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)',
  );
  const serious = violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
    );
  expect(serious, `axe on ${screen}`).toEqual([]);
}
