import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import stripJsonComments from 'strip-json-comments';
import { badRequest } from './errors.js';

function parse(text: string): unknown {
  // Prototype-poisoning keys are dropped, as Fastify's own parser does.
  return secureJson.parse(text, undefined, { protoAction: 'remove', constructorAction: 'remove' });
}

/**
 * JSON bodies. Talki's published examples annotate fields with `// comments`, and people paste
 * them verbatim, so a body that is JSON once comments are removed is accepted too.
 */
export function registerJsonBody(app: FastifyInstance): void {
  // Only JSON is accepted (Fastify also parses text/plain by default): anything else is a 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === '') {
      done(badRequest('Request body is empty; send a JSON object'), undefined);
      return;
    }
    try {
      done(null, parse(text));
    } catch (error) {
      try {
        done(null, parse(stripJsonComments(text, { trailingCommas: true })));
      } catch {
        done(badRequest(`Malformed JSON body: ${(error as Error).message}`), undefined);
      }
    }
  });
}
