/* global fetch */
// Screenshots of the agent web app's main screens for the README (docs/screenshots/*.png).
// Seeds a fresh org (`talki dev seed`) into a temporary data directory, serves it, and drives
// Debian's Chromium through each screen. Run `npm run build` first, then `npm run screenshots`.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const TICKETS = Number(process.env.SCREENSHOT_TICKETS ?? 5000);
const PORT = Number(process.env.SCREENSHOT_PORT ?? 3111);
const OUT = new URL('../docs/screenshots/', import.meta.url).pathname;
const email = 'ada@acme.test';
const password = 'change-me-please';

const dataDir = mkdtempSync(join(tmpdir(), 'talki-shots-'));
const env = {
  ...process.env,
  TALKI_DATA_DIR: dataDir,
  PORT: String(PORT),
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
};
delete env.DATABASE_URL;
delete env.REDIS_URL;

const seeded = JSON.parse(
  execFileSync(
    process.execPath,
    [
      'dist/main.js',
      'dev',
      'seed',
      '--tickets',
      String(TICKETS),
      '--admin-email',
      email,
      '--admin-password',
      password,
      '--json',
    ],
    { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  ),
);
const server = spawn(process.execPath, ['dist/main.js', 'serve'], { env, stdio: 'inherit' });
const base = `http://127.0.0.1:${PORT}`;
for (let i = 0; ; i++) {
  const ok = await fetch(`${base}/healthz`).then(
    (r) => r.ok,
    () => false,
  );
  if (ok) break;
  if (i > 100) throw new Error('talki serve did not start');
  await new Promise((resolve) => setTimeout(resolve, 100));
}

const api = async (path) => {
  const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${seeded.apiKey}` } });
  return response.json();
};

mkdirSync(OUT, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: base });
  const page = await context.newPage();
  const shot = async (name) => {
    await page.waitForTimeout(600);
    await page.screenshot({ path: join(OUT, `${name}.png`) });
    console.log(`docs/screenshots/${name}.png`);
  };
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await shot('login');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/inbox');
  await page.keyboard.press('j');
  await shot('inbox');
  await page.keyboard.press('?');
  await shot('shortcuts');
  await page.keyboard.press('Escape');

  const open = await api('/v1/tickets?status=open&limit=20&sort=updated_desc');
  const busiest = open.data.find((ticket) => ticket.customer) ?? open.data[0];
  await page.goto(`/tickets/${busiest.id}`);
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  await shot('ticket');

  for (const [path, name] of [
    ['/admin/api-keys', 'admin-api-keys'],
    ['/admin/agents', 'admin-agents'],
    ['/admin/tags', 'admin-tags'],
    ['/admin/widget', 'admin-widget'],
    ['/admin/channels', 'admin-channels'],
    ['/admin/knowledge-base', 'admin-knowledge-base'],
    ['/admin/organization', 'admin-organization'],
  ]) {
    await page.goto(path);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await shot(name);
  }

  const tablet = await browser.newContext({ viewport: { width: 768, height: 1024 }, baseURL: base });
  const small = await tablet.newPage();
  await small.goto('/login');
  await small.getByLabel('Email').fill(email);
  await small.getByLabel('Password').fill(password);
  await small.getByRole('button', { name: 'Sign in' }).click();
  await small.waitForURL((url) => url.pathname === '/inbox');
  await small.waitForTimeout(800);
  await small.screenshot({ path: join(OUT, 'inbox-tablet.png') });
  console.log('docs/screenshots/inbox-tablet.png');
} finally {
  await browser.close();
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
}
