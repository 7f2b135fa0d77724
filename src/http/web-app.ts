import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** `npm run build` writes the agent app here (web/vite.config.ts); the same path from src/ and dist/. */
export const WEB_APP_DIR = new URL('../../dist/web/', import.meta.url);

/** Vite writes this where the per-response nonce goes (web/vite.config.ts). */
const NONCE_PLACEHOLDER = 'TALKI_CSP_NONCE';

/**
 * The client-side routes (web/src/app/router.tsx): each answers with the app's page, so a
 * reload or a shared link lands on the screen. Anything else stays a JSON 404.
 */
const APP_PATHS = ['/', '/login', '/inbox', '/tickets/*', '/admin', '/admin/*'];

/**
 * Nothing runs or styles the page but the app's own files and what carries this response's nonce;
 * it connects only to this server (its API and event socket), and no other site may frame it.
 */
export function webAppPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const PAGE_HEADERS = {
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
};

async function readPage(): Promise<string | undefined> {
  return readFile(new URL('index.html', WEB_APP_DIR), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
}

function sendPage(reply: FastifyReply, page: string | undefined): FastifyReply {
  if (page === undefined) {
    return reply
      .code(503)
      .headers({ ...PAGE_HEADERS, 'content-security-policy': "default-src 'none'" })
      .type('text/plain; charset=utf-8')
      .send('The Talki web app is not built on this server: run `npm run build`.\n');
  }
  const nonce = randomBytes(16).toString('base64');
  return reply
    .headers({ ...PAGE_HEADERS, 'content-security-policy': webAppPolicy(nonce) })
    .type('text/html; charset=utf-8')
    .send(page.replaceAll(NONCE_PLACEHOLDER, nonce));
}

/**
 * The agent web app at `/`: its page for each client route, and its hashed assets under
 * /assets/ with a year's immutable cache (a new build has new names, so nothing goes stale).
 */
export async function registerWebApp(app: FastifyInstance): Promise<void> {
  const page = await readPage();
  if (page === undefined) app.log.warn(`${fileURLToPath(WEB_APP_DIR)} has no index.html: GET / answers 503`);
  await app.register(async (web) => {
    for (const path of APP_PATHS) {
      web.get(path, { schema: { hide: true } }, async (_request, reply) => sendPage(reply, page));
    }
    if (page === undefined) return;
    await web.register(fastifyStatic, {
      root: fileURLToPath(new URL('assets/', WEB_APP_DIR)),
      prefix: '/assets/',
      decorateReply: false,
      index: false,
      wildcard: true,
      // The build writes a .gz beside each script and stylesheet (web/build/precompress.ts).
      preCompressed: true,
      cacheControl: false,
      setHeaders: (response) => {
        response.header('Cache-Control', 'public, max-age=31536000, immutable');
        response.header('X-Content-Type-Options', 'nosniff');
      },
      schemaHide: true,
    });
  });
}
