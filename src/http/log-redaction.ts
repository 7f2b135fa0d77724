import type { FastifyRequest } from 'fastify';

/**
 * The email hook's token (a secret in the URL) and anything after it, however the caller spelled
 * the path around it: `//`, `..`, another case and %-escapes reach no route but still carry it.
 */
const CAPABILITY = /(\/inbound)\/.*$/i;

function redactPath(path: string): string {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A malformed escape: look at the path as sent.
  }
  return CAPABILITY.test(decoded) ? decoded.replace(CAPABILITY, '$1/[REDACTED]') : path;
}

/**
 * A URL as it may appear in logs: every query value replaced (tokens, emails and search terms
 * travel there) and capability segments hidden; parameter names stay, for debugging.
 */
export function redactUrl(url: string): string {
  const mark = url.indexOf('?');
  const path = redactPath(mark === -1 ? url : url.slice(0, mark));
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
