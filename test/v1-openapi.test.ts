/**
 * GET /openapi.json is an OpenAPI 3.1 document of the v1 API with bearer auth; GET /docs
 * serves an HTML page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';

interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<
    string,
    Record<string, { security?: Array<Record<string, string[]>>; responses?: Record<string, unknown> }>
  >;
  components?: { securitySchemes?: Record<string, { type: string; scheme?: string }> };
  security?: Array<Record<string, string[]>>;
}

describe.each(DIALECTS)('OpenAPI and docs (%s)', (dialect) => {
  let t: TestApp;
  let doc: OpenApiDoc;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.json<OpenApiDoc>();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('is an OpenAPI 3.1 document with a title and version', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(typeof doc.info.title).toBe('string');
    expect(typeof doc.info.version).toBe('string');
  });

  it('documents the three v1 ticket paths with their methods', () => {
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/tickets', '/v1/tickets/{id}', '/v1/tickets/{id}/messages']),
    );
    expect(Object.keys(doc.paths['/v1/tickets']!)).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(doc.paths['/v1/tickets/{id}']!)).toEqual(expect.arrayContaining(['get', 'patch']));
    expect(Object.keys(doc.paths['/v1/tickets/{id}/messages']!)).toEqual(expect.arrayContaining(['post']));
  });

  it('declares a bearer security scheme and requires it on every v1 operation', () => {
    const schemes = doc.components?.securitySchemes ?? {};
    const bearer = Object.entries(schemes).filter(
      ([, s]) => s.type === 'http' && s.scheme?.toLowerCase() === 'bearer',
    );
    expect(bearer.length).toBeGreaterThan(0);
    const bearerNames = bearer.map(([name]) => name);
    const operations: Array<[string, string]> = [
      ['/v1/tickets', 'get'],
      ['/v1/tickets', 'post'],
      ['/v1/tickets/{id}', 'get'],
      ['/v1/tickets/{id}', 'patch'],
      ['/v1/tickets/{id}/messages', 'post'],
    ];
    for (const [path, method] of operations) {
      const security = doc.paths[path]![method]!.security ?? doc.security ?? [];
      const required = security.some((requirement) =>
        Object.keys(requirement).some((name) => bearerNames.includes(name)),
      );
      expect(required, `${method.toUpperCase()} ${path} does not require bearer auth`).toBe(true);
    }
  });

  it('documents the statuses each operation answers with', () => {
    const responses = (path: string, method: string) =>
      Object.keys(doc.paths[path]![method]!.responses ?? {});
    expect(responses('/v1/tickets', 'get')).toEqual(expect.arrayContaining(['200', '400', '401', '429']));
    expect(responses('/v1/tickets', 'post')).toEqual(expect.arrayContaining(['201', '400', '401', '403']));
    expect(responses('/v1/tickets/{id}', 'get')).toEqual(expect.arrayContaining(['200', '401', '404']));
    expect(responses('/v1/tickets/{id}', 'patch')).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '404']),
    );
    expect(responses('/v1/tickets/{id}/messages', 'post')).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '404']),
    );
  });

  it('needs no API key', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/openapi.json',
      headers: { authorization: 'Bearer nonsense' },
    });
    expect(res.statusCode).toBe(200);
  });

  it('GET /docs serves HTML', async () => {
    let res = await t.app.inject({ method: 'GET', url: '/docs' });
    for (let hops = 0; hops < 3 && res.statusCode >= 300 && res.statusCode < 400; hops++) {
      const location = String(res.headers.location);
      res = await t.app.inject({ method: 'GET', url: new URL(location, 'http://localhost/docs').pathname });
    }
    expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toMatch(/<html/i);
  });
});
