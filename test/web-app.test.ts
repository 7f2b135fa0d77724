import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_APP_DIR } from '../src/http/web-app.js';
import { DIALECTS } from './support/databases.js';
import { startTestApp, type TestApp } from './support/app.js';

const assets = readdirSync(fileURLToPath(new URL('assets/', WEB_APP_DIR)));
const entryScript = assets.find((name) => /^index-.*\.js$/.test(name));

describe.each(DIALECTS)('the web app is served at / (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(dialect);
  });
  afterAll(async () => t.close());

  it.each(['/', '/login', '/inbox', '/tickets/tkt_123', '/admin', '/admin/api-keys'])(
    'GET %s answers the app page with a nonce-based CSP',
    async (url) => {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['x-frame-options']).toBe('DENY');
      const policy = String(res.headers['content-security-policy']);
      const nonce = /script-src 'self' 'nonce-([^']+)'/.exec(policy)?.[1];
      expect(nonce).toBeTruthy();
      expect(policy).toContain("frame-ancestors 'none'");
      expect(policy).toContain("object-src 'none'");
      expect(policy).not.toContain('unsafe-inline');
      expect(policy).not.toContain('unsafe-eval');
      expect(res.body).toContain(`nonce="${nonce}"`);
      expect(res.body).not.toContain('TALKI_CSP_NONCE');
      expect(res.body).toContain('<div id="root">');
    },
  );

  it('issues a new nonce on every response', async () => {
    const a = await t.app.inject({ method: 'GET', url: '/inbox' });
    const b = await t.app.inject({ method: 'GET', url: '/inbox' });
    expect(a.headers['content-security-policy']).not.toBe(b.headers['content-security-policy']);
  });

  it('serves hashed assets with a year of immutable cache, gzipped when asked', async () => {
    expect(entryScript).toBeDefined();
    const plain = await t.app.inject({ method: 'GET', url: `/assets/${entryScript}` });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toMatch(/javascript/);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.headers['content-encoding']).toBeUndefined();
    const gzipped = await t.app.inject({
      method: 'GET',
      url: `/assets/${entryScript}`,
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.rawPayload.length).toBeLessThan(plain.rawPayload.length);
  });

  it('keeps unknown paths JSON 404s, under /assets/ and /v1/ alike', async () => {
    for (const url of ['/assets/nope.js', '/v1/nope', '/nope', '/assets/../package.json']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
  });

  it('is not part of the API description', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    const paths = Object.keys(res.json<{ paths: Record<string, unknown> }>().paths);
    expect(
      paths.filter((path) => path === '/' || path.startsWith('/inbox') || path.startsWith('/assets')),
    ).toEqual([]);
  });
});
