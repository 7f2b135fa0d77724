import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { trackAllowedMethods } from './allowed-methods.js';

/** Stable machine-readable error codes; clients branch on these, so never rename one. */
export type ErrorCode =
  | 'BAD_REQUEST'
  | 'INVALID_EMAIL'
  | 'INVALID_IDENTITY'
  | 'ORIGIN_NOT_ALLOWED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'CONFLICT'
  | 'REQUEST_TIMEOUT'
  | 'PAYLOAD_TOO_LARGE'
  | 'HEADERS_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'TOO_MANY_REQUESTS'
  | 'INTERNAL_SERVER_ERROR'
  | 'SERVICE_UNAVAILABLE';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly statusCode: number,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (message: string, details: unknown = null) =>
  new AppError('BAD_REQUEST', 400, message, details);
/** A 400 about one field, shaped like schema validation errors so clients handle both alike. */
export const invalidField = (field: string, message: string) =>
  badRequest(`Invalid ${field}: ${message}`, { fields: [{ field, message }] });
export const notFound = (message: string) => new AppError('NOT_FOUND', 404, message);
export const forbidden = (message: string) => new AppError('FORBIDDEN', 403, message);
export const unauthorized = (message: string) => new AppError('UNAUTHORIZED', 401, message);
/** A widget identity whose signature does not check out. */
export const invalidIdentity = (message: string) => new AppError('INVALID_IDENTITY', 401, message);

/** The body of every non-2xx response. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ examples: ['NOT_FOUND'] }),
      message: Type.String({ examples: ['Ticket not found'] }),
      details: Type.Unknown({
        description: 'null, or more about the error, e.g. {fields:[{field,message}]}',
      }),
    }),
  },
  { $id: 'ErrorResponse', description: 'The error shape of every non-2xx response' },
);

/** Response schemas for the error statuses a route can answer with, keyed by status. */
export function errorResponses<const S extends readonly number[]>(...statuses: S) {
  return Object.fromEntries(statuses.map((s) => [s, Type.Ref('ErrorResponse')])) as {
    [K in S[number]]: ReturnType<typeof Type.Ref>;
  };
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

interface FieldError {
  field: string;
  message: string;
}

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

const PART_NAMES: Record<string, string> = {
  body: 'body',
  querystring: 'query parameter',
  params: 'path parameter',
  headers: 'header',
};

/** Most fields one error lists: a huge body of bad items must not make a huge error. */
const MAX_REPORTED_FIELDS = 50;

/**
 * Turns ajv's issues into `{field, message}` pairs that name the offending fields plainly, one
 * per field (a union reports each branch; its first reason is the one that reads best).
 */
export function describeValidation(issues: AjvIssue[]): FieldError[] {
  const byField = new Map<string, FieldError>();
  for (const described of issues.map(describeIssue)) {
    if (!byField.has(described.field)) byField.set(described.field, described);
    if (byField.size === MAX_REPORTED_FIELDS) break;
  }
  return [...byField.values()];
}

function describeIssue(issue: AjvIssue): FieldError {
  const segments = issue.instancePath.split('/').filter(Boolean);
  let message = issue.message ?? 'is invalid';
  switch (issue.keyword) {
    case 'required':
      segments.push(String(issue.params.missingProperty));
      message = 'is required';
      break;
    case 'additionalProperties':
      segments.push(String(issue.params.additionalProperty));
      message = 'is not a recognised field';
      break;
    case 'enum':
      message = `must be one of: ${(issue.params.allowedValues as unknown[]).join(', ')}`;
      break;
    case 'type':
      message =
        segments.length === 0 && issue.params.type === 'object'
          ? 'must be a JSON object'
          : `must be ${String(issue.params.type).replace(',', ' or ')}`;
      break;
    case 'pattern':
      // Say what a pattern means instead of quoting a regular expression.
      if (issue.params.pattern === '\\S') message = 'must not be blank';
      else if (CURSOR_FIELDS.has(segments.at(-1) ?? ''))
        message = "is not a cursor: pass the previous page's meta.nextCursor";
      break;
    case 'minProperties':
      message = 'must contain at least one field to change';
      break;
    default:
      break;
  }
  return { field: segments.join('.') || '(root)', message };
}

/** Query parameters that carry a list position (pagination.ts gives them one shape). */
const CURSOR_FIELDS = new Set(['startingAfter', 'endingBefore']);

/** "Invalid body subject: is required", or every field when several are wrong. */
function validationMessage(part: string, fields: FieldError[]): string {
  const [first] = fields;
  if (!first) return 'Invalid request';
  if (fields.length === 1) return `Invalid ${part} ${first.field}: ${first.message}`;
  const listed = fields.slice(0, 5).map((f) => `${f.field} ${f.message}`);
  const more = fields.length > 5 ? `; and ${fields.length - 5} more (see details.fields)` : '';
  return `Invalid ${part === 'body' ? 'body' : `${part}s`}: ${listed.join('; ')}${more}`;
}

/**
 * Errors Fastify raises before routing. An over-long path parameter names nothing that exists
 * (ids are short), so it is a 404 like any other unknown id; a malformed URL is a 400.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const notFoundError = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  void reply
    .header('X-Request-Id', request.id)
    .code(notFoundError ? 404 : 400)
    .send({
      error: {
        code: notFoundError ? 'NOT_FOUND' : 'BAD_REQUEST',
        message: notFoundError ? 'Resource not found' : 'Malformed request URL',
        details: null,
      },
    });
}

export function registerErrorHandling(app: FastifyInstance): void {
  const allowedMethods = trackAllowedMethods(app);
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = allowedMethods(path);
    // A route that takes this method but found nothing (a missing static file) is a plain 404.
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      return reply
        .code(405)
        .header('Allow', allowed.join(', '))
        .send({
          error: {
            code: 'METHOD_NOT_ALLOWED',
            message: `${request.method} is not allowed on ${path}; use ${allowed.join(', ')}`,
            details: { allowed },
          },
        });
    }
    return reply.code(404).send({
      error: { code: 'NOT_FOUND', message: `Route ${request.method} ${path} not found`, details: null },
    });
  });

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      return reply
        .code(error.statusCode)
        .send({ error: { code: error.code, message: error.message, details: error.details } });
    }
    if (error.validation) {
      const fields = describeValidation(error.validation);
      const part = PART_NAMES[error.validationContext ?? 'body'] ?? 'field';
      const message = validationMessage(part, fields);
      return reply.code(400).send({ error: { code: 'BAD_REQUEST', message, details: { fields } } });
    }
    const status = error.statusCode ?? 500;
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      const type = request.headers['content-type'] ?? '(none)';
      return reply.code(415).send({
        error: {
          code: 'UNSUPPORTED_MEDIA_TYPE',
          message: `Content-Type ${type} is not supported; send application/json`,
          details: null,
        },
      });
    }
    if (status >= 400 && status < 500) {
      // Fastify's own client errors (malformed JSON, body too large, bad media type) carry safe messages.
      const code = STATUS_CODES[status] ?? 'BAD_REQUEST';
      return reply.code(status).send({ error: { code, message: error.message, details: null } });
    }
    request.log.error({ err: error }, 'request failed');
    const code = STATUS_CODES[status] ?? 'INTERNAL_SERVER_ERROR';
    const message = status === 503 ? 'Service unavailable' : 'Internal server error';
    return reply
      .code(status >= 500 && status < 600 ? status : 500)
      .send({ error: { code, message, details: null } });
  });
}
