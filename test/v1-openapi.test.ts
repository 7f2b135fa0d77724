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

  describe('error examples', () => {
    type Media = { examples?: Record<string, { value: { error: { code: string; details: unknown } } }> };
    const examplesOf = (path: string, method: string, status: string) => {
      const response = doc.paths[path]![method]!.responses![status] as {
        content: Record<string, Media>;
      };
      return Object.values(response.content['application/json']!.examples ?? {}).map((e) => e.value.error);
    };

    it('each status shows its own code, not NOT_FOUND for all', () => {
      expect(examplesOf('/v1/tickets/{id}', 'get', '401').map((e) => e.code)).toEqual(['UNAUTHORIZED']);
      expect(examplesOf('/v1/tickets/{id}', 'get', '404').map((e) => e.code)).toEqual(['NOT_FOUND']);
      expect(examplesOf('/v1/tickets', 'post', '403').map((e) => e.code)).toEqual(['FORBIDDEN']);
      expect(examplesOf('/v1/tickets', 'get', '429').map((e) => e.code)).toEqual(['TOO_MANY_REQUESTS']);
    });

    it('the 400 example carries real field details', () => {
      const [validation] = examplesOf('/v1/tickets', 'post', '400');
      expect(validation!.code).toBe('BAD_REQUEST');
      expect(validation!.details).toEqual({
        fields: expect.arrayContaining([{ field: 'subject', message: 'is required' }]),
      });
    });

    it('every error response of every operation has examples', () => {
      for (const [path, operations] of Object.entries(doc.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          for (const status of Object.keys(operation.responses ?? {}).filter((s) => Number(s) >= 400)) {
            const codes = examplesOf(path, method, status).map((e) => e.code);
            expect(codes.length, `${method} ${path} ${status}`).toBeGreaterThan(0);
            if (status !== '404') expect(codes, `${method} ${path} ${status}`).not.toContain('NOT_FOUND');
          }
        }
      }
    });

    it('customFields examples look like real data', () => {
      const schemas = (doc.components as { schemas: Record<string, { properties: Record<string, unknown> }> })
        .schemas;
      const ticketFields = schemas.Ticket!.properties.customFields as { examples?: unknown[] };
      expect(ticketFields.examples?.[0]).toMatchObject({ orderId: expect.any(String), plan: 'pro' });
    });
  });

  describe('the docs page', () => {
    const get = (url: string) => t.app.inject({ method: 'GET', url });

    it('is titled Talki with a Talki icon, not Swagger UI', async () => {
      const page = await get('/docs/');
      expect(page.statusCode).toBe(200);
      expect(page.body).toMatch(/<title>Talki REST API<\/title>/);
      expect(page.body).not.toMatch(/Swagger UI/);
      expect(page.body).toContain('talki.svg');
      const icon = await get('/docs/static/theme/talki.svg');
      expect(icon.statusCode).toBe(200);
      expect(icon.headers['content-type']).toMatch(/^image\/svg\+xml/);
    });

    it('shows the Talki logo and does not keep a pasted key', async () => {
      const init = await get('/docs/static/swagger-initializer.js');
      expect(init.body).toContain('"persistAuthorization":false');
      // The top bar's logo is ours, inlined as an SVG data URL.
      const svg = /data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)/.exec(init.body);
      expect(svg, 'no inline SVG logo').not.toBeNull();
      expect(Buffer.from(svg![1]!, 'base64').toString()).toContain('Talki');
    });

    it.each(['/docs/', '/docs/static/swagger-initializer.js', '/openapi.json'])(
      '%s may not be framed or sniffed and sends no Referer',
      async (url) => {
        const res = await get(url);
        expect(res.statusCode).toBe(200);
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['referrer-policy']).toBe('no-referrer');
      },
    );
  });
});
