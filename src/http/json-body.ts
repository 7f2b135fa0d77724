import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import stripJsonComments from 'strip-json-comments';
import { AppError, badRequest, invalidField } from './errors.js';

function parse(text: string): unknown {
  // Prototype-poisoning keys are dropped, as Fastify's own parser does.
  const value: unknown = secureJson.parse(text, undefined, {
    protoAction: 'remove',
    constructorAction: 'remove',
  });
  const where = text.includes('\\u0000') ? nulPath(value, []) : undefined;
  if (where !== undefined) throw invalidField(where || '(root)', 'must not contain NUL characters');
  return value;
}

/** The path of the first string holding U+0000, which PostgreSQL text cannot store. */
function nulPath(value: unknown, path: string[]): string | undefined {
  if (typeof value === 'string') return value.includes('\0') ? path.join('.') : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = nulPath(child, [...path, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * JSON bodies. Talki's published examples annotate fields with `// comments`, and people paste
 * them verbatim, so a body that is JSON once comments are removed is accepted too. Trailing
 * commas are not: they are no JSON dialect the examples use, and accepting them would make
 * Talki the only place such a body works.
 */
export function registerJsonBody(app: FastifyInstance): void {
  // Only JSON is accepted (Fastify also parses text/plain by default): anything else is a 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === '') {
      // No body at all (clients often send the header on DELETE): routes that need one say so.
      done(null, undefined);
      return;
    }
    try {
      done(null, parseJsonBody(text));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

function parseJsonBody(text: string): unknown {
  let strictError: Error;
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof AppError) throw error;
    strictError = error as Error;
  }
  try {
    return parse(stripJsonComments(text));
  } catch (error) {
    if (error instanceof AppError) throw error;
  }
  if (canParse(stripJsonComments(text, { trailingCommas: true }))) {
    throw badRequest('Malformed JSON body: remove the trailing comma before a closing } or ]');
  }
  throw badRequest(`Malformed JSON body: ${strictError.message}`);
}

function canParse(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
