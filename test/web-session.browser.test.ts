/**
 * The web app's session and stream in Chromium: sign-in errors, a reload that stays signed in,
 * a session ended elsewhere asking to sign in again over the same screen, and a stream client
 * in the page resuming with Last-Event-ID without missing an event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import {
  expectNoSeriousAxeViolations,
  openPage,
  signIn,
  startWebAppWorld,
  type WebAppWorld,
} from './support/web-app.js';

describe.each(DIALECTS)('web app sessions and the event stream in Chromium (%s)', (dialect) => {
  let world: WebAppWorld;
  beforeAll(async () => {
    world = await startWebAppWorld(dialect);
  });
  afterAll(async () => world?.close());

  it('refuses a wrong password with a readable error, and the login screen passes axe', async () => {
    const { page, context, problems } = await openPage(world);
    await page.goto('/inbox');
    await page.waitForURL((url) => url.pathname === '/login');
    await expectNoSeriousAxeViolations(page, 'login');
    await page.getByLabel('Email').fill(world.admin.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/invalid email or password/i);
    await expectNoSeriousAxeViolations(page, 'login with an error');
    // The failed attempt is the only console noise allowed: the browser logs the 401 response.
    expect(problems.filter((problem) => !problem.includes('401'))).toEqual([]);
    await context.close();
  });

  it('returns to the page asked for after signing in, and stays signed in across a reload', async () => {
    const { page, context, problems } = await openPage(world);
    await page.goto('/admin/tags');
    await page.waitForURL((url) => url.pathname === '/login');
    await page.getByLabel('Email').fill(world.admin.email);
    await page.getByLabel('Password').fill(world.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/admin/tags');
    await page.reload();
    await expect.poll(() => page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(true);
    expect(new URL(page.url()).pathname).toBe('/admin/tags');
    await expect.poll(() => page.getByRole('status', { name: /Live updates: Live/ }).count()).toBe(1);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('asks to sign in again over the same screen when the session ends elsewhere', async () => {
    const { page, context, problems } = await openPage(world);
    await signIn(page, world.admin.email, world.admin.password);
    // The session ends from outside (as "sign out everywhere" would): its refresh token is revoked.
    const refreshToken = await page.evaluate(() => localStorage.getItem('talki.refreshToken'));
    const ended = await fetch(`${world.server.url}/v1/auth/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    });
    expect(ended.status).toBe(204);
    // The next request finds out, whichever comes first: a click to another screen, or a
    // request of this screen's still under way (then the dialog already covers the link).
    const dialog = page.getByRole('dialog', { name: 'Your session has expired' });
    const click = page
      .getByRole('link', { name: 'Admin' })
      .click()
      .catch(() => undefined);
    await Promise.race([dialog.waitFor({ timeout: 10_000 }), click]);
    await dialog.waitFor({ timeout: 10_000 });
    await expectNoSeriousAxeViolations(page, 'session expired dialog');
    expect(await dialog.getByLabel('Email').inputValue()).toBe(world.admin.email);
    await dialog.getByLabel('Password').fill(world.admin.password);
    await dialog.getByRole('button', { name: 'Sign in again' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    // Still on the signed-in screen, not sent to /login.
    expect(new URL(page.url()).pathname).toMatch(/^\/(inbox|admin)/);
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    // The 401s that revealed the ended session are the browser's own log lines.
    expect(problems.filter((problem) => !problem.includes('401'))).toEqual([]);
    await context.close();
  });

  it('signs out from the account menu', async () => {
    const { page, context, problems } = await openPage(world);
    await signIn(page, world.admin.email, world.admin.password);
    await page.getByRole('button', { name: /^Account:/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    expect(await page.evaluate(() => localStorage.getItem('talki.refreshToken'))).toBeNull();
    await page.goto('/inbox');
    await page.waitForURL((url) => url.pathname === '/login');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('lets a stream client in the page resume with Last-Event-ID and miss nothing', async () => {
    const { page, context } = await openPage(world);
    await page.goto('/login');
    const createTicket = async (subject: string) => {
      const created = await world.api<{ id: string }>('POST', '/v1/tickets', {
        subject,
        customer: { email: 'stream@example.com' },
        message: 'hello',
      });
      expect(created.status).toBe(201);
      return created.body.id;
    };
    // A real SSE client in Chromium (fetch + a stream reader), reading until it has `count` events.
    const readStream = (lastEventId: string | null, count: number) =>
      page.evaluate(
        async ({ apiKey, lastEventId, count }) => {
          const controller = new AbortController();
          const headers: Record<string, string> = { Authorization: `Bearer ${apiKey}` };
          if (lastEventId) headers['Last-Event-ID'] = lastEventId;
          const response = await fetch('/v1/events/stream?types=ticket.created', {
            headers,
            signal: controller.signal,
          });
          const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
          const seen: Array<{ id: string; ticket: string }> = [];
          let buffer = '';
          const deadline = Date.now() + 15_000;
          while (Date.now() < deadline && seen.length < count) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += value;
            let end;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const data = block
                .split('\n')
                .filter((line) => line.startsWith('data:'))
                .map((line) => line.slice(5).trim())
                .join('\n');
              const id = /^id: ?(.*)$/m.exec(block)?.[1];
              if (!data || !id) continue;
              const event = JSON.parse(data) as { data: { ticket: { id: string } } };
              seen.push({ id, ticket: event.data.ticket.id });
            }
          }
          controller.abort();
          return seen;
        },
        { apiKey: world.apiKey, lastEventId, count },
      );
    // Connected without Last-Event-ID, the stream starts live: it sees a ticket made while it is open.
    const reading = readStream(null, 1);
    await page.waitForTimeout(1000);
    const first = await createTicket('While connected');
    const before = await reading;
    expect(before.map((event) => event.ticket)).toEqual([first]);
    // Disconnected: three tickets happen meanwhile. Resuming replays exactly those, in order.
    const missed = [
      await createTicket('Missed 1'),
      await createTicket('Missed 2'),
      await createTicket('Missed 3'),
    ];
    const resumed = await readStream(before[0]!.id, 3);
    expect(resumed.map((event) => event.ticket)).toEqual(missed);
    // And from the last of them, nothing is replayed twice: the next event is a new ticket.
    const again = readStream(resumed.at(-1)!.id, 1);
    await page.waitForTimeout(1000);
    const after = await createTicket('After resuming');
    expect((await again).map((event) => event.ticket)).toEqual([after]);
    await context.close();
  });
});
