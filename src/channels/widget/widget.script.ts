import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errorResponses, notFound } from '../../http/errors.js';
import type { RoutesPlugin } from '../../http/module.js';

/** The snippet's source: widget/widget.js at the package root (the same path from src/ and dist/). */
export const WIDGET_SCRIPT_FILE = new URL('../../../widget/widget.js', import.meta.url);

/** The URL is not versioned, so caches check back often; the ETag makes that a 304. */
const CACHE_CONTROL = 'public, max-age=300, must-revalidate';

/** One encoding of the script, with its own ETag (a cache must not answer gzip to a client that can't read it). */
interface Variant {
  body: Buffer;
  etag: string;
}

async function loadScript(): Promise<{ plain: Variant; gzipped: Variant } | undefined> {
  const plain = await readFile(WIDGET_SCRIPT_FILE).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!plain) return undefined;
  const tag = createHash('sha256').update(plain).digest('base64url').slice(0, 27);
  return {
    plain: { body: plain, etag: `"${tag}"` },
    gzipped: { body: gzipSync(plain, { level: 9 }), etag: `"${tag}-gz"` },
  };
}

const ScriptContent = {
  description: 'The widget script.',
  content: { 'application/javascript': { schema: Type.String() } },
};

/** GET /widget.js: the embeddable chat widget, read once at start and served from memory. */
export const widgetScriptRoutes =
  (): RoutesPlugin =>
  async (app: FastifyInstance): Promise<void> => {
    const script = await loadScript();
    if (!script) app.log.warn(`${WIDGET_SCRIPT_FILE.pathname} is missing: GET /widget.js answers 404`);
    app.get(
      '/widget.js',
      {
        schema: {
          tags: ['Widget'],
          operationId: 'getWidgetScript',
          summary: 'The chat widget script',
          description:
            'Embed with `<script src="…/widget.js" data-org-id="…" data-api-key="<widget key>"></script>`, or set `window.TalkiConfig` before it loads.',
          security: [],
          response: {
            200: ScriptContent,
            304: Type.Null({ description: 'Not modified' }),
            ...errorResponses(404),
          },
        },
      },
      async (request, reply) => {
        if (!script) throw notFound('The widget script is not installed on this server');
        const variant = /\bgzip\b/.test(request.headers['accept-encoding'] ?? '')
          ? script.gzipped
          : script.plain;
        reply
          .header('Content-Type', 'application/javascript; charset=utf-8')
          .header('Cache-Control', CACHE_CONTROL)
          .header('ETag', variant.etag)
          .header('Vary', 'Accept-Encoding')
          // Pages that isolate themselves (COEP) may still load it.
          .header('Cross-Origin-Resource-Policy', 'cross-origin')
          .header('X-Content-Type-Options', 'nosniff');
        const known = request.headers['if-none-match'];
        if (known !== undefined && known.split(',').some((tag) => tag.trim() === variant.etag)) {
          return reply.code(304).send();
        }
        if (variant === script.gzipped) reply.header('Content-Encoding', 'gzip');
        return reply.send(variant.body);
      },
    );
  };
