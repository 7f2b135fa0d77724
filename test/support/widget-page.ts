import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PageServer {
  /** http://127.0.0.1:port — a different origin from the Talki server's. */
  url: string;
  close(): Promise<void>;
}

/** A tiny web site of fixed HTML pages (path → HTML), standing in for a customer's shop. */
export async function startPageServer(pages: Record<string, string>): Promise<PageServer> {
  const server = http.createServer((request, response) => {
    const page = pages[(request.url ?? '/').split('?')[0]!];
    if (page === undefined) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A page that configures the widget with window.TalkiConfig and records every callback in window.talkiCalls. */
export function configuredPage(options: {
  serverUrl: string;
  orgId: string;
  widgetKey: string;
  css?: string;
}) {
  const config = JSON.stringify({ orgId: options.orgId, apiKey: options.widgetKey });
  return `<!doctype html>
<html><head><title>Shop</title><style>${options.css ?? ''}</style></head>
<body>
<h1>Welcome to the shop</h1>
<script>
  window.talkiCalls = [];
  const record = (name) => (value) => window.talkiCalls.push({ name, value: value === undefined ? null : value });
  window.TalkiConfig = Object.assign(${config}, {
    onReady: record('ready'),
    onOpen: record('open'),
    onClose: record('close'),
    onMessage: record('message'),
    onAgentMessage: record('agentMessage'),
  });
</script>
<script src="${options.serverUrl}/widget.js"></script>
</body></html>`;
}

/** A page that only pastes the script tag with data attributes. */
export function scriptTagPage(options: {
  serverUrl: string;
  orgId: string;
  widgetKey: string;
  css?: string;
}) {
  return `<!doctype html>
<html><head><title>Shop</title><style>${options.css ?? ''}</style></head>
<body>
<h1>Welcome to the shop</h1>
<button id="buy">Buy</button>
<script src="${options.serverUrl}/widget.js" data-org-id="${options.orgId}" data-api-key="${options.widgetKey}"></script>
</body></html>`;
}
