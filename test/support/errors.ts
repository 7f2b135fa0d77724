import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';

/** The standard error shape, exactly: {"error":{"code","message","details"}} with this status and code. */
export function expectErrorBody(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json();
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'details', 'message']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  return body as {
    error: {
      code: string;
      message: string;
      details: { fields?: Array<{ field: string; message: string }> } | null;
    };
  };
}

/** A 400 that names the offending field in its message and in details.fields[].field. */
export function expectFieldError(res: LightMyRequestResponse, field: string) {
  const body = expectErrorBody(res, 400, 'BAD_REQUEST');
  expect(body.error.message).toContain(field);
  const fields = body.error.details?.fields ?? [];
  expect(fields.map((f) => f.field)).toContain(field);
}
