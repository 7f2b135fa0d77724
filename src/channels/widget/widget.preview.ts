import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { RoutesPlugin } from '../../http/module.js';
import { DEFAULT_WIDGET_SETTINGS } from '../../modules/channels/channels.lookup.js';

/** The settings the widget honours (widget.schemas.ts PublicSettings), as the admin is editing them. */
const PreviewQuery = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    greeting: Type.Optional(Type.String({ maxLength: 1000 })),
    color: Type.Optional(Type.String({ pattern: '^#[0-9a-fA-F]{6}$' })),
    requireEmail: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
type PreviewQuery = Static<typeof PreviewQuery>;

/**
 * The preview's own policy. The widget styles itself with a <style> in its shadow root and a
 * style attribute on its host, so styles must be inline-able ('unsafe-inline' only counts without
 * a nonce in style-src). Scripts: only this response's. Nothing may be fetched: the widget's
 * calls are answered inside the page. Only the agent app (same origin) may frame it.
 */
export function widgetPreviewPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    "style-src 'unsafe-inline'",
    'img-src data: blob:',
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
  ].join('; ');
}

/** JSON safe inside a <script> element: no `</script>` or `<!--` can close or bend it. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');

/**
 * Runs before /widget.js and stands in for the widget API: the session carries the settings being
 * edited (not the saved ones), conversations live in the page only, and there is no socket. So a
 * preview creates no visitor or ticket, needs no widget key, and never meets the allowed-origins
 * check (the sandboxed frame's origin is opaque). It also keeps the widget from taking focus out
 * of the admin's form each time the preview reloads, until someone uses the preview itself.
 */
const STAND_IN = String.raw`(function () {
  'use strict';
  var settings = JSON.parse(document.getElementById('talki-preview-settings').textContent);
  var seq = 0;
  var conversation = null;
  var nextId = function (prefix) {
    seq += 1;
    return prefix + '_preview' + ('00000' + seq).slice(-6);
  };
  var message = function (role, text) {
    var m = { id: nextId('msg'), conversationId: conversation.id, role: role, text: text, attachments: [], createdAt: new Date().toISOString() };
    if (role === 'agent') m.agentName = 'Preview';
    conversation.messages.push(m);
    conversation.updatedAt = m.createdAt;
    return m;
  };
  var summary = function () {
    var last = conversation.messages[conversation.messages.length - 1] || null;
    return { id: conversation.id, code: conversation.code, subject: conversation.subject, status: conversation.status, createdAt: conversation.createdAt, updatedAt: conversation.updatedAt, lastMessage: last };
  };
  function answer(method, path, body) {
    if (method === 'POST' && path === '/session')
      return { token: 'talki_vt_preview', visitor: { id: 'vis_preview', userId: null, verified: false, name: null, email: null }, settings: settings };
    if (method === 'GET' && path === '/conversations')
      return { data: conversation ? [summary()] : [], meta: { limit: 20, nextCursor: null } };
    if (method === 'POST' && path === '/conversations') {
      var now = new Date().toISOString();
      conversation = { id: 'tkt_preview', code: 'PREVIEW-1', subject: String(body.text).slice(0, 80), status: 'open', createdAt: now, updatedAt: now, messages: [] };
      message('customer', body.text);
      message('agent', 'This is a preview: messages typed here are not sent to anyone.');
      return conversation;
    }
    if (conversation && method === 'GET' && path === '/conversations/' + conversation.id) return conversation;
    if (conversation && method === 'GET' && path === '/conversations/' + conversation.id + '/messages') return { data: [] };
    if (conversation && method === 'POST' && path === '/conversations/' + conversation.id + '/messages') return message('customer', body.text);
    return null;
  }
  window.fetch = function (input, init) {
    var url = new URL(String(input), location.href);
    var method = (init && init.method) || 'GET';
    var body = init && typeof init.body === 'string' ? JSON.parse(init.body) : {};
    var path = url.pathname.replace(/^\/widget\/v1/, '');
    var result = answer(method, path, body);
    var error = { error: { code: 'NOT_FOUND', message: 'Not available in the preview', details: null } };
    return Promise.resolve(
      new Response(JSON.stringify(result || error), { status: result ? 200 : 404, headers: { 'Content-Type': 'application/json' } })
    );
  };
  window.WebSocket = undefined;
  window.TalkiConfig = { orgId: 'preview', apiKey: 'talki_pk_preview' };
  window.Talki = { q: [['open']] };
  var focus = HTMLElement.prototype.focus;
  HTMLElement.prototype.focus = function () {};
  var restore = function () {
    HTMLElement.prototype.focus = focus;
  };
  document.addEventListener('pointerdown', restore, { capture: true, once: true });
  document.addEventListener('keydown', restore, { capture: true, once: true });
})();`;

function previewPage(settings: PreviewQuery & typeof DEFAULT_WIDGET_SETTINGS, nonce: string): string {
  const publicSettings = {
    title: settings.title,
    greeting: settings.greeting,
    color: settings.color,
    requireEmail: settings.requireEmail,
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chat widget preview</title>
<style>
html,body{margin:0;height:100%;background:#eef1f5;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1c2024}
</style>
<script type="application/json" id="talki-preview-settings">${scriptJson(publicSettings)}</script>
<script nonce="${nonce}">${STAND_IN}</script>
<script nonce="${nonce}" src="/widget.js"></script>
</head>
<body>
<main></main>
</body>
</html>
`;
}

/**
 * GET /widget/preview: a page that runs the real /widget.js with the settings in the query string,
 * for the admin app's live preview (framed sandboxed, see WidgetPage). Not part of the API.
 */
export const widgetPreviewRoutes =
  (): RoutesPlugin =>
  async (app: FastifyInstance): Promise<void> => {
    app.get<{ Querystring: PreviewQuery }>(
      '/widget/preview',
      { schema: { hide: true, querystring: PreviewQuery } },
      async (request, reply) => {
        const nonce = randomBytes(16).toString('base64');
        return reply
          .headers({
            'content-security-policy': widgetPreviewPolicy(nonce),
            'x-frame-options': 'SAMEORIGIN',
            'x-content-type-options': 'nosniff',
            'cache-control': 'no-store',
            'referrer-policy': 'no-referrer',
          })
          .type('text/html; charset=utf-8')
          .send(previewPage({ ...DEFAULT_WIDGET_SETTINGS, ...request.query }, nonce));
      },
    );
  };
