import type { AgentRole, ApiKeyScope } from '../db/schema.js';
import type { FastifyRequest } from 'fastify';
import { forbidden } from './errors.js';

export type ActorType = 'api_key' | 'agent';

/**
 * Who is calling, resolved once per request and passed first to every service call. An API
 * key with write scope acts for the whole org (as an admin); a read-only key only reads; an
 * agent acts with the role their membership gives them.
 */
export interface Caller {
  orgId: string;
  actorType: ActorType;
  /** key_… or agent_… */
  actorId: string;
  /** Shown as `agentName` on messages this caller posts. */
  name: string;
  role: AgentRole;
  scope: ApiKeyScope;
}

export function requireAdmin(caller: Caller, what: string): void {
  if (caller.role !== 'admin') throw forbidden(`Only admins can ${what}`);
}

/** The agent id when an agent is calling; API keys act for no particular agent. */
export function agentIdOf(caller: Caller): string | null {
  return caller.actorType === 'agent' ? caller.actorId : null;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on admin-only routes: what is refused to others ("manage API keys"). */
    adminOnly?: string;
  }
}

/**
 * preValidation hook for authenticated routes: an admin-only route refuses other callers with
 * a 403 before their input is even validated (a plain agent learns nothing from a 400).
 */
export async function enforceAdminOnly(request: FastifyRequest): Promise<void> {
  const what = request.routeOptions.config.adminOnly;
  if (what !== undefined) requireAdmin(request.caller, what);
}
