import type { FastifyRequest } from 'fastify';

/** Paths whose last segment is a capability (a secret in the URL): logged as [REDACTED]. */
const CAPABILITY_PATHS = ['/channels/email/inbound/'];

/**
 * A URL as it may appear in logs: every query value replaced (tokens, emails and search terms
 * travel there) and capability segments hidden; parameter names stay, for debugging.
 */
export function redactUrl(url: string): string {
  const mark = url.indexOf('?');
  let path = mark === -1 ? url : url.slice(0, mark);
  const capability = CAPABILITY_PATHS.find((prefix) => path.startsWith(prefix));
  if (capability) path = `${capability}[REDACTED]`;
  if (mark === -1) return path;
  const query = url
    .slice(mark + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq === -1 ? pair : `${pair.slice(0, eq)}=[REDACTED]`;
    })
    .join('&');
  return `${path}?${query}`;
}

/** Fastify's request log line, with the URL redacted. */
export const logSerializers = {
  req(request: FastifyRequest) {
    return {
      method: request.method,
      url: redactUrl(request.url),
      host: request.host,
      remoteAddress: request.ip,
      remotePort: request.socket?.remotePort,
    };
  },
};
