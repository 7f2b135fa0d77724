import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/** Talki's mark: a speech bubble, in the top bar and as the favicon. */
const TALKI_LOGO = Buffer.from(
  `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="32" viewBox="0 0 120 32" role="img" aria-label="Talki">
<path d="M4 4h24a4 4 0 0 1 4 4v12a4 4 0 0 1-4 4H14l-6 5v-5H4a4 4 0 0 1-4-4V8a4 4 0 0 1 4-4z" fill="#4f46e5"/>
<circle cx="10" cy="14" r="2" fill="#fff"/><circle cx="16" cy="14" r="2" fill="#fff"/><circle cx="22" cy="14" r="2" fill="#fff"/>
<text x="40" y="22" font-family="system-ui,sans-serif" font-size="20" font-weight="700" fill="#fff">Talki</text>
</svg>`,
);

const TALKI_ICON = Buffer.from(
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path d="M4 3h24a4 4 0 0 1 4 4v14a4 4 0 0 1-4 4H14l-7 6v-6H4a4 4 0 0 1-4-4V7a4 4 0 0 1 4-4z" fill="#4f46e5"/></svg>`,
);

/**
 * Headers for the docs and the OpenAPI document: nothing may frame them (a framed docs page
 * with a key box is a clickjacking target), nothing is sniffed, no URL leaks in a Referer.
 */
const DOCS_HEADERS = {
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

/** swagger-ui's own policy (hashes of its inline scripts), framing forbidden, nothing fetched elsewhere. */
function docsPolicy(header: string): string {
  return header
    .replace("frame-ancestors 'self'", "frame-ancestors 'none'")
    .replace(' validator.swagger.io', '')
    .replace(/\s*upgrade-insecure-requests;?/, '');
}

/** The interactive docs at /docs and the raw document at /openapi.json. */
export async function registerDocsPage(app: FastifyInstance): Promise<void> {
  await app.register(async (docs) => {
    docs.addHook('onSend', async (_request, reply) => {
      reply.headers(DOCS_HEADERS);
      if (!reply.hasHeader('content-security-policy')) {
        reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
      }
    });
    await docs.register(swaggerUi, {
      routePrefix: '/docs',
      staticCSP: true,
      transformStaticCSP: docsPolicy,
      logo: { type: 'image/svg+xml', content: TALKI_LOGO, href: '/docs', target: '_self' },
      theme: {
        title: 'Talki REST API',
        favicon: [
          { filename: 'talki.svg', rel: 'icon', sizes: 'any', type: 'image/svg+xml', content: TALKI_ICON },
        ],
      },
      uiConfig: {
        // A pasted secret key stays in this tab's memory only, never in localStorage.
        persistAuthorization: false,
        displayRequestDuration: true,
        validatorUrl: null,
      },
    });
    docs.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  });
}
