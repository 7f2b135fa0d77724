/**
 * GET /widget/preview: the page the admin app frames for its live widget preview. It must carry
 * the settings being edited (safely), its own CSP, be frameable only by the app, and stay out
 * of the API's OpenAPI document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';
import { expectErrorBody } from './support/errors.js';

const settingsOf = (html: string) =>
  JSON.parse(
    /<script type="application\/json" id="talki-preview-settings">(.*?)<\/script>/s.exec(html)![1]!,
  ) as {
    title: string;
    greeting: string;
    color: string;
    requireEmail: boolean;
  };

describe.each(DIALECTS)('GET /widget/preview (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('runs the real widget script with the settings from the query string, under its own CSP', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/widget/preview?color=%23aa3300&title=Talk%20to%20Acme&greeting=Hello&requireEmail=true',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).toContain("connect-src 'none'");
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(res.body).toContain(`<script nonce="${nonce}" src="/widget.js"></script>`);
    expect(settingsOf(res.body)).toEqual({
      title: 'Talk to Acme',
      greeting: 'Hello',
      color: '#aa3300',
      requireEmail: true,
    });
    // A fresh nonce per response.
    const again = await t.app.inject({ method: 'GET', url: '/widget/preview' });
    expect(again.headers['content-security-policy']).not.toBe(csp);
  });

  it("uses the widget's defaults for what is not given", async () => {
    const res = await t.app.inject({ method: 'GET', url: '/widget/preview' });
    expect(settingsOf(res.body)).toEqual({
      title: 'Chat with us',
      greeting: 'Hi! How can we help?',
      color: '#4f46e5',
      requireEmail: false,
    });
  });

  it('keeps markup in a setting from closing the settings script', async () => {
    const greeting = '</script><script>alert(1)</script><!--';
    const res = await t.app.inject({
      method: 'GET',
      url: `/widget/preview?greeting=${encodeURIComponent(greeting)}`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('<script>alert(1)');
    expect(settingsOf(res.body).greeting).toBe(greeting);
  });

  it('refuses a colour that is not #rrggbb and settings it does not know (400)', async () => {
    const colour = await t.app.inject({ method: 'GET', url: '/widget/preview?color=red' });
    expectErrorBody(colour, 400, 'BAD_REQUEST');
    const unknown = await t.app.inject({ method: 'GET', url: '/widget/preview?apiKey=talki_pk_x' });
    expectErrorBody(unknown, 400, 'BAD_REQUEST');
  });

  it('is not in the OpenAPI document', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json<{ paths: Record<string, unknown> }>().paths)).not.toContain(
      '/widget/preview',
    );
  });
});
