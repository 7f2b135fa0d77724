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

const SHOTS = process.env.TALKI_SCREENSHOTS_DIR;

/** Screenshots for a person to look at, only when asked for (never into the repository). */
async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/**
 * Chromium logs every 4xx answer to fetch as a console error. A test that provokes a refusal on
 * purpose (to see it shown) drops exactly those lines, by status; any other problem still fails.
 */
function unprovoked(problems: string[], statuses: number[]): string[] {
  return problems.filter(
    (problem) =>
      !statuses.some((status) =>
        problem.startsWith(
          `console: Failed to load resource: the server responded with a status of ${status} `,
        ),
      ),
  );
}

const toast = (page: Page, text: string | RegExp) => page.locator('.toast').filter({ hasText: text });

describe.each(DIALECTS)('admin screens in Chromium (%s)', (dialect) => {
  let world: WebAppWorld;

  beforeAll(async () => {
    world = await startWebAppWorld(dialect);
  });
  afterAll(async () => {
    await world?.close();
  });

  async function adminPage(path: string): Promise<WatchedPage> {
    const watched = await openPage(world);
    await watched.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: world.server.url,
    });
    await signIn(watched.page, world.admin.email, world.admin.password);
    await watched.page.getByRole('link', { name: 'Admin' }).click();
    await watched.page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: path }).click();
    return watched;
  }

  const ticketsWith = (key: string) =>
    fetch(`${world.server.url}/v1/tickets`, { headers: { authorization: `Bearer ${key}` } }).then(
      (response) => response.status,
    );

  it('creates an API key, shows its secret once, and revoking it locks it out', async () => {
    const { page, context, problems } = await adminPage('API keys');
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'API keys' }).count()).toBe(1);
    const keys = page.getByRole('table', { name: 'Secret API keys' });
    await keys.waitFor();
    // The org's widget key is public, so the screen shows it whole.
    await expect.poll(() => page.getByText(world.widgetKey, { exact: true }).count()).toBe(1);
    await expectNoSeriousAxeViolations(page, 'API keys');
    await shot(page, 'admin-api-keys');

    await page.getByRole('button', { name: 'Create API key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create API key' });
    // A blank name is the API's to refuse, by field.
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await expect.poll(() => dialog.getByText(/^Name /).count()).toBeGreaterThan(0);
    await dialog.getByLabel('Name').fill('Reporting');
    await dialog.getByLabel(/^Read/).check();
    await dialog.getByLabel(/^Rate limit/).fill('120');
    await expectNoSeriousAxeViolations(page, 'create API key dialog');
    await dialog.getByRole('button', { name: 'Create key' }).click();

    const reveal = page.getByRole('dialog', { name: 'Copy your new API key' });
    await reveal.waitFor();
    await expect.poll(() => reveal.getByText('You won’t see this key again.').count()).toBe(1);
    const secret = await reveal.getByRole('textbox', { name: 'Secret key' }).inputValue();
    expect(secret).toMatch(/^talki_sk_/);
    await reveal.getByRole('button', { name: 'Copy secret key' }).click();
    await toast(page, 'Secret key copied').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await expectNoSeriousAxeViolations(page, 'new API key secret dialog');
    await shot(page, 'admin-api-key-secret');
    await reveal.getByRole('button', { name: 'Done' }).click();
    await reveal.waitFor({ state: 'detached' });
    // Shown once: gone from the page, and the list has only its prefix.
    expect(await page.content()).not.toContain(secret);

    const row = keys.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Reporting' }) });
    await expect.poll(() => row.textContent()).toContain('120/min');
    expect(await row.textContent()).toContain('Read');
    expect(await row.textContent()).toContain('Active');
    expect(await row.textContent()).toContain('Never');

    expect(await ticketsWith(secret)).toBe(200);
    // Last used: the list shows the use after a reload.
    await page.reload();
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).not.toContain('Never');

    await row.getByRole('button', { name: 'Revoke Reporting' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke “Reporting”?' });
    await expectNoSeriousAxeViolations(page, 'revoke API key dialog');
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await confirm.waitFor({ state: 'detached' });
    await toast(page, 'API key Reporting revoked').waitFor();
    await expect.poll(() => row.textContent()).toContain('Revoked');
    expect(await row.getByRole('button', { name: 'Revoke Reporting' }).count()).toBe(0);
    expect(await ticketsWith(secret)).toBe(401);

    // A key made elsewhere appears live.
    const made = await world.api('POST', '/v1/api-keys', { name: 'Made over the API', scope: 'read' });
    expect(made.status).toBe(201);
    await keys.getByRole('rowheader', { name: 'Made over the API' }).waitFor();

    // At the narrowest supported width the page itself doesn't scroll sideways.
    await page.setViewportSize({ width: 768, height: 800 });
    await shot(page, 'admin-api-keys-768');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
    await context.close();
    expect(unprovoked(problems, [400])).toEqual([]);
  });

  it('adds an agent, changes their role, deactivates and removes them; refusals are shown', async () => {
    const { page, context, problems } = await adminPage('Agents');
    const table = page.getByRole('table', { name: 'Agents' });
    await table.getByRole('rowheader', { name: /Ada Admin/ }).waitFor();
    await expectNoSeriousAxeViolations(page, 'agents');

    await page.getByRole('button', { name: 'Add agent' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add agent' });
    await dialog.getByLabel('Email').fill('bea@acme.test');
    await dialog.getByLabel('Name').fill('Bea Agent');
    await dialog.getByLabel('Password').fill('short');
    await dialog.getByRole('button', { name: 'Add agent' }).click();
    await expect.poll(() => dialog.getByText('Password must be at least 8 characters').count()).toBe(1);
    await dialog.getByLabel('Password').fill('bea-password-1');
    await expectNoSeriousAxeViolations(page, 'add agent dialog');
    await dialog.getByRole('button', { name: 'Add agent' }).click();
    await dialog.waitFor({ state: 'detached' });
    await toast(page, 'Bea Agent added').waitFor();
    const bea = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Bea Agent' }) });
    await expect.poll(() => bea.textContent()).toContain('bea@acme.test');
    expect(await bea.getByLabel('Role of Bea Agent').inputValue()).toBe('agent');

    // The same email again: the API's 409 is shown in the form.
    await page.getByRole('button', { name: 'Add agent' }).click();
    await dialog.getByLabel('Email').fill('bea@acme.test');
    await dialog.getByRole('button', { name: 'Add agent' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('already an agent');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await bea.getByLabel('Role of Bea Agent').selectOption('admin');
    await toast(page, 'Bea Agent is now an admin').waitFor();
    const fetched = await world.api<{ role: string }>('GET', `/v1/agents/${await agentId('bea@acme.test')}`);
    expect(fetched.body.role).toBe('admin');
    await bea.getByLabel('Role of Bea Agent').selectOption('agent');
    await toast(page, 'Bea Agent is now an agent').waitFor();

    // The only admin can't demote themselves: the API's refusal is shown.
    const me = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /Ada Admin/ }) });
    await me.getByLabel('Role of Ada Admin').selectOption('agent');
    const demote = page.getByRole('dialog', { name: 'Give up your admin role?' });
    await expectNoSeriousAxeViolations(page, 'demote yourself dialog');
    await demote.getByRole('button', { name: 'Make me an agent' }).click();
    await expect.poll(() => demote.getByRole('alert').textContent()).toMatch(/admin/i);
    await demote.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => me.getByLabel('Role of Ada Admin').inputValue()).toBe('admin');
    // Nor deactivate themselves.
    await me.getByRole('button', { name: 'Deactivate Ada Admin' }).click();
    const selfDeactivate = page.getByRole('dialog', { name: 'Deactivate Ada Admin?' });
    await selfDeactivate.getByRole('button', { name: 'Deactivate' }).click();
    await expect.poll(() => selfDeactivate.getByRole('alert').textContent()).toMatch(/admin/i);
    await selfDeactivate.getByRole('button', { name: 'Cancel' }).click();

    await bea.getByRole('button', { name: 'Deactivate Bea Agent' }).click();
    const deactivate = page.getByRole('dialog', { name: 'Deactivate Bea Agent?' });
    await expectNoSeriousAxeViolations(page, 'deactivate agent dialog');
    await deactivate.getByRole('button', { name: 'Deactivate' }).click();
    await toast(page, 'Bea Agent deactivated').waitFor();
    await expect.poll(() => bea.textContent()).toContain('Deactivated');
    await shot(page, 'admin-agents');
    await bea.getByRole('button', { name: 'Reactivate Bea Agent' }).click();
    await toast(page, 'Bea Agent reactivated').waitFor();
    await expect.poll(() => bea.textContent()).toContain('Active');

    await bea.getByRole('button', { name: 'Remove Bea Agent' }).click();
    const remove = page.getByRole('dialog', { name: 'Remove Bea Agent from the organization?' });
    await expectNoSeriousAxeViolations(page, 'remove agent dialog');
    await remove.getByRole('button', { name: 'Remove agent' }).click();
    await toast(page, 'Bea Agent removed from the organization').waitFor();
    await expect.poll(() => bea.count()).toBe(0);
    await context.close();
    expect(unprovoked(problems, [409])).toEqual([]);
  });

  async function agentId(email: string): Promise<string> {
    const list = await world.api<{ data: Array<{ id: string; email: string }> }>(
      'GET',
      '/v1/agents?per_page=100',
    );
    return list.body.data.find((agent) => agent.email === email)!.id;
  }

  it('creates a tag with a colour, edits and deletes it', async () => {
    const { page, context, problems } = await adminPage('Tags');
    await expect.poll(() => page.getByText('No tags yet').count()).toBe(1);
    await expectNoSeriousAxeViolations(page, 'tags (empty)');

    await page.getByRole('button', { name: 'Create tag' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create tag' });
    await dialog.getByLabel('Name').fill('billing');
    await dialog.getByRole('button', { name: 'Green' }).click();
    expect(await dialog.getByLabel('Hex').inputValue()).toBe('#1D7A3E');
    await expectNoSeriousAxeViolations(page, 'create tag dialog');
    await shot(page, 'admin-tag-dialog');
    await dialog.getByRole('button', { name: 'Create tag' }).click();
    await dialog.waitFor({ state: 'detached' });
    await toast(page, 'Tag billing created').waitFor();
    const table = page.getByRole('table', { name: 'Tags' });
    const billing = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'billing' }) });
    await expect.poll(() => billing.textContent()).toContain('#1D7A3E');

    // The same name again: the API's conflict is shown.
    await page.getByRole('button', { name: 'Create tag' }).click();
    await dialog.getByLabel('Name').fill('billing');
    await dialog.getByRole('button', { name: 'Create tag' }).click();
    await expect.poll(() => dialog.getByRole('alert').count()).toBe(1);
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await billing.getByRole('button', { name: 'Edit billing' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit tag “billing”' });
    await edit.getByLabel('Name').fill('invoices');
    await edit.getByLabel('Hex').fill('#12345');
    await edit.getByRole('button', { name: 'Save tag' }).click();
    await expect.poll(() => edit.getByText(/must be a hex colour/).count()).toBe(1);
    await edit.getByLabel('Hex').fill('#123456');
    await expectNoSeriousAxeViolations(page, 'edit tag dialog');
    await edit.getByRole('button', { name: 'Save tag' }).click();
    await toast(page, 'Tag invoices saved').waitFor();
    const invoices = table
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: 'invoices' }) });
    await expect.poll(() => invoices.textContent()).toContain('#123456');
    const stored = await world.api<{ data: Array<{ name: string; color: string | null }> }>(
      'GET',
      '/v1/tags',
    );
    expect(stored.body.data.map((tag) => [tag.name, tag.color?.toUpperCase()])).toEqual([
      ['invoices', '#123456'],
    ]);

    // No colour.
    await invoices.getByRole('button', { name: 'Edit invoices' }).click();
    await page
      .getByRole('dialog', { name: 'Edit tag “invoices”' })
      .getByRole('button', { name: 'No colour' })
      .click();
    await page.getByRole('button', { name: 'Save tag' }).click();
    await expect.poll(() => invoices.textContent()).toContain('None');

    // Made elsewhere: appears live.
    expect((await world.api('POST', '/v1/tags', { name: 'vip', color: '#6D28D9' })).status).toBe(201);
    await table.getByRole('rowheader', { name: 'vip' }).waitFor();
    await expectNoSeriousAxeViolations(page, 'tags');
    await shot(page, 'admin-tags');

    await invoices.getByRole('button', { name: 'Delete invoices' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete tag “invoices”?' });
    await expectNoSeriousAxeViolations(page, 'delete tag dialog');
    await confirm.getByRole('button', { name: 'Delete tag' }).click();
    await toast(page, 'Tag invoices deleted').waitFor();
    await expect.poll(() => invoices.count()).toBe(0);
    await context.close();
    expect(unprovoked(problems, [409])).toEqual([]);
  });

  it('saves the organization settings and shows a refused value by its field', async () => {
    const { page, context, problems } = await adminPage('Organization');
    const form = page.getByRole('form', { name: 'Organization settings' });
    await form.waitFor();
    await expect.poll(() => form.getByText(world.orgId, { exact: true }).count()).toBe(1);
    await form.getByRole('button', { name: 'Copy organization id' }).click();
    await toast(page, 'Organization id copied').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(world.orgId);
    await expectNoSeriousAxeViolations(page, 'organization');

    await form.getByLabel('Support name').fill('Acme Support');
    await form.getByLabel('Time zone').selectOption('Europe/Paris');
    await form.getByLabel(/^Default rate limit/).fill('600');
    await form.getByLabel('Ticket code prefix').fill('A');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await expect
      .poll(() => form.getByText('Ticket code prefix is not in the expected format').count())
      .toBe(1);
    await expectNoSeriousAxeViolations(page, 'organization with an error');
    await shot(page, 'admin-organization-error');
    await form.getByLabel('Ticket code prefix').fill('HELP');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await toast(page, 'Organization settings saved').waitFor();
    await form.getByText('All changes saved').waitFor();
    const org = await world.api<Record<string, unknown>>('GET', '/v1/org');
    expect(org.body).toMatchObject({
      supportName: 'Acme Support',
      timeZone: 'Europe/Paris',
      defaultRateLimit: 600,
      codePrefix: 'HELP',
    });

    // A change made elsewhere shows in the untouched form.
    expect((await world.api('PATCH', '/v1/org', { name: 'Acme Renamed' })).status).toBe(200);
    await expect.poll(() => form.getByLabel('Name', { exact: true }).inputValue()).toBe('Acme Renamed');
    await shot(page, 'admin-organization');
    await context.close();
    expect(unprovoked(problems, [400])).toEqual([]);
  });

  it('creates, edits and deletes a canned reply, with placeholders inserted at the cursor', async () => {
    const probe = await world.api('GET', '/v1/canned-replies');
    const { page, context, problems } = await adminPage('Canned replies');
    await page.getByRole('heading', { level: 1, name: 'Canned replies' }).waitFor();
    await expect.poll(() => page.getByText(/\{\{customer\.name\}\}/).count()).toBeGreaterThan(0);
    expect(probe.status).toBe(200);
    await page.getByText('No canned replies yet').waitFor();
    await page.getByRole('button', { name: 'Create canned reply' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create canned reply' });
    await dialog.getByLabel('Shortcut').fill('refund');
    await dialog.getByLabel('Title').fill('Refund on its way');
    await dialog.getByRole('textbox', { name: 'Reply' }).fill('Hi ');
    await dialog.getByRole('button', { name: 'Insert {{customer.name}}' }).click();
    await expectNoSeriousAxeViolations(page, 'create canned reply dialog');
    await dialog.getByRole('button', { name: 'Create reply' }).click();
    await toast(page, 'Canned reply Refund on its way created').waitFor();
    const table = page.getByRole('table', { name: 'Canned replies' });
    const row = table
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: 'Refund on its way' }) });
    await expect.poll(() => row.textContent()).toContain('Hi {{customer.name}}');
    await row.getByRole('button', { name: 'Edit Refund on its way' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit “Refund on its way”' });
    await edit.getByLabel('Title').fill('Refund sent');
    await edit.getByRole('button', { name: 'Save reply' }).click();
    await toast(page, 'Canned reply Refund sent saved').waitFor();
    await expectNoSeriousAxeViolations(page, 'canned replies');
    const sent = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Refund sent' }) });
    await sent.getByRole('button', { name: 'Delete Refund sent' }).click();
    await page.getByRole('button', { name: 'Delete reply' }).click();
    await expect.poll(() => sent.count()).toBe(0);
    await context.close();
    expect(problems).toEqual([]);
  });

  it('gives a plain agent no Admin link and the admins-only page', async () => {
    const created = await world.api('POST', '/v1/agents', {
      email: 'plain@acme.test',
      name: 'Plain Agent',
      role: 'agent',
      password: 'plain-password-1',
    });
    expect(created.status).toBe(201);
    const { page, context, problems } = await openPage(world);
    await signIn(page, 'plain@acme.test', 'plain-password-1');
    const main = page.getByRole('navigation', { name: 'Main' });
    await main.getByRole('link', { name: 'Inbox' }).waitFor();
    expect(await main.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await page.goto('/admin/api-keys');
    await page.getByRole('heading', { level: 1, name: 'Admins only' }).waitFor();
    expect(await page.getByRole('button', { name: 'Create API key' }).count()).toBe(0);
    await expectNoSeriousAxeViolations(page, 'admins only');
    await context.close();
    expect(problems).toEqual([]);
  });
});
