import type { ErrorCode } from './errors.js';

/** What each status's body looks like in the docs: real codes and messages, real field details. */
const ERROR_EXAMPLES: Record<number, Array<[string, ErrorCode, string, unknown]>> = {
  400: [
    [
      'Fields that fail validation, all at once',
      'BAD_REQUEST',
      'Invalid body: subject is required; customer.email must match format "email"',
      {
        fields: [
          { field: 'subject', message: 'is required' },
          { field: 'customer.email', message: 'must match format "email"' },
        ],
      },
    ],
    ['A body that is not JSON', 'BAD_REQUEST', 'Malformed JSON body: Unexpected end of JSON input', null],
  ],
  401: [['No key, or a revoked one', 'UNAUTHORIZED', 'Invalid or revoked API key', null]],
  403: [
    ['A read-only key writing', 'FORBIDDEN', 'This API key is read-only; use a key with write scope', null],
  ],
  404: [
    [
      'An id naming nothing in your organization',
      'NOT_FOUND',
      'Ticket tkt_01hsxq9d2m3k4n5p6q7r8s9t0v not found',
      null,
    ],
  ],
  409: [
    [
      'A clash with an existing record',
      'CONFLICT',
      'bob@example.com is already an agent of this organization (agent_01hsxq7k2c9v5m3n8b4x6z0r1t)',
      null,
    ],
  ],
  413: [['A body over the size limit', 'PAYLOAD_TOO_LARGE', 'Request body is too large', null]],
  415: [
    [
      'A body that is not JSON',
      'UNSUPPORTED_MEDIA_TYPE',
      'Content-Type text/plain is not supported; send application/json',
      null,
    ],
  ],
  429: [
    [
      'Over the rate limit',
      'TOO_MANY_REQUESTS',
      'Rate limit of 300 requests per minute exceeded; retry in 12 s',
      { limit: 300, retryAfter: 12 },
    ],
  ],
  500: [['A fault on our side', 'INTERNAL_SERVER_ERROR', 'Internal server error', null]],
  503: [['A dependency is down', 'SERVICE_UNAVAILABLE', 'Service unavailable', null]],
};

/** Named OpenAPI examples of the error body a status answers with. */
export function errorExamples(status: number) {
  const examples = ERROR_EXAMPLES[status] ?? [['An error', 'BAD_REQUEST', 'Request failed', null]];
  return Object.fromEntries(
    examples.map(([summary, code, message, details], i) => [
      `${code.toLowerCase()}${i === 0 ? '' : `_${i + 1}`}`,
      { summary, value: { error: { code, message, details } } },
    ]),
  );
}

interface OpenApiResponse {
  description?: string;
  content?: Record<string, { schema?: { $ref?: string }; examples?: unknown }>;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Bad request: details.fields names every field that failed',
  401: 'Missing or invalid API key or token',
  403: 'The key or agent lacks permission for this operation',
  404: 'Not found, or not in your organization',
  409: 'Conflicts with an existing record',
  413: 'Request body too large',
  415: 'Unsupported Content-Type',
  429: 'Rate limit exceeded; see Retry-After',
  500: 'Unexpected server error',
  503: 'Service unavailable',
};

/**
 * Gives every error response in the generated document its own description and examples: the
 * route schemas share one ErrorResponse component, which can carry only one example.
 */
export function withErrorExamples<D extends { paths?: object }>(doc: D): D {
  for (const operations of Object.values(doc.paths ?? {}) as Array<Record<string, unknown>>) {
    for (const operation of Object.values(operations ?? {})) {
      const responses = (operation as { responses?: Record<string, OpenApiResponse> }).responses ?? {};
      for (const [status, response] of Object.entries(responses)) {
        const media = response.content?.['application/json'];
        if (!media?.schema?.$ref?.endsWith('/ErrorResponse')) continue;
        media.examples = errorExamples(Number(status));
        response.description = DESCRIPTIONS[Number(status)] ?? response.description;
      }
    }
  }
  return doc;
}
