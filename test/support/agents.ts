import { expect } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { client, type Client } from './app.js';

export const PASSWORD = 'correct horse battery staple';

let emailCounter = 0;

/** An email no other test uses (the agents table is global, across orgs). */
export function uniqueEmail(name = 'agent'): string {
  return `${name}.${++emailCounter}.${Date.now().toString(36)}@agents.test`;
}

export interface AgentJson {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'agent';
  active: boolean;
  createdAt: string;
}

export interface SessionJson {
  accessToken: string;
  tokenType: string;
  expiresIn: number;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  agent: { id: string; email: string; name: string };
  orgs: Array<{ id: string; name: string; role: string }>;
}

/** Adds an agent through the API with an admin's client; fails the test unless it is a 201. */
export async function addAgent(
  admin: Client,
  fields: { email?: string; name?: string; role?: 'admin' | 'agent'; password?: string | null } = {},
): Promise<AgentJson> {
  const res = await admin.post('/v1/agents', {
    email: fields.email ?? uniqueEmail(),
    name: fields.name ?? 'Bob Agent',
    role: fields.role ?? 'agent',
    ...(fields.password === null ? {} : { password: fields.password ?? PASSWORD }),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<AgentJson>();
}

export function login(
  app: FastifyInstance,
  email: string,
  password: string,
  remoteAddress = '127.0.0.1',
): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password }, remoteAddress });
}

/** Logs in; fails the test unless it is a 200. */
export async function session(
  app: FastifyInstance,
  email: string,
  password = PASSWORD,
): Promise<SessionJson> {
  const res = await login(app, email, password);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<SessionJson>();
}

/** A client that authenticates with an agent's access token, optionally naming the org. */
export function agentClient(app: FastifyInstance, accessToken: string, orgId?: string): Client {
  const base = client(app, accessToken);
  const org: Record<string, string> = orgId ? { 'x-organization-id': orgId } : {};
  return {
    get: (url, headers) => base.get(url, { ...org, ...headers }),
    post: (url, body, headers) => base.post(url, body, { ...org, ...headers }),
    patch: (url, body, headers) => base.patch(url, body, { ...org, ...headers }),
    delete: (url, headers) => base.delete(url, { ...org, ...headers }),
  };
}

export function postAuth(app: FastifyInstance, path: 'refresh' | 'logout', refreshToken: unknown) {
  return app.inject({ method: 'POST', url: `/v1/auth/${path}`, payload: { refreshToken } });
}

/** The standard error body with this status and code; returns it for further checks. */
export function expectError(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json<{ error: { code: string; message: string; details: unknown } }>();
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  return body.error;
}

/** A 400 whose details name `field`. */
export function expectFieldError(res: LightMyRequestResponse, field: string) {
  const error = expectError(res, 400, 'BAD_REQUEST');
  const fields = (error.details as { fields?: Array<{ field: string }> } | null)?.fields ?? [];
  expect(fields.map((f) => f.field)).toContain(field);
  return error;
}

/**
 * Adds a person who already has a login to another org the only way there is: the admin's POST
 * makes an invitation, the person logs in and accepts it. Returns their record in that org.
 */
export async function joinByInvitation(
  app: FastifyInstance,
  admin: Client,
  email: string,
  fields: { role?: 'admin' | 'agent'; password?: string } = {},
): Promise<AgentJson> {
  const invited = await addAgent(admin, { email, role: fields.role ?? 'agent', password: null });
  const person = await session(app, email, fields.password ?? PASSWORD);
  const res = await app.inject({
    method: 'POST',
    url: `/v1/auth/invitations/${invited.id}/accept`,
    headers: { authorization: `Bearer ${person.accessToken}` },
  });
  expect(res.statusCode, res.body).toBe(200);
  const member = await admin.get(`/v1/agents/${person.agent.id}`);
  expect(member.statusCode, member.body).toBe(200);
  return member.json<AgentJson>();
}
