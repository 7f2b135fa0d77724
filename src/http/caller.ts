import type { AgentRole, ApiKeyScope } from '../db/schema.js';
import type { FastifyRequest } from 'fastify';
import { forbidden } from './errors.js';

/** Who acts: an API key, an agent, or a customer writing on a channel (widget, email, Telegram). */
export type ActorType = 'api_key' | 'agent' | 'customer';

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

/** A logged-in person (an agent's access token), whichever org they might act in. */
export interface Person {
  id: string;
  name: string;
}

/**
 * A customer acting through a channel: the events and audit entries their messages cause name
 * them. They hold no role; the services they reach check ownership themselves.
 */
export function customerCaller(
  orgId: string,
  customer: { id: string; name: string | null; email: string | null },
): Caller {
  return {
    orgId,
    actorType: 'customer',
    actorId: customer.id,
    name: customer.name ?? customer.email ?? 'Customer',
    role: 'agent',
    scope: 'write',
  };
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
