import { useQuery } from '@tanstack/react-query';
import { ApiError, apiRequest, type Page } from '../../../lib/api-client';

/**
 * A canned reply, as GET /v1/canned-replies answers. Hand-typed until the API types
 * (api-schema.d.ts) include the endpoint; replace with Schemas['CannedReply'] then.
 */
export interface CannedReply {
  id: string;
  shortcut: string;
  title: string;
  body: string;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Set once the server has said it has no such endpoint: don't ask it again on every keystroke. */
let endpointMissing = false;

/**
 * The composer's picker list. A server without the endpoint yet (404) answers an empty list, so
 * the picker just shows nothing instead of an error, and isn't asked again until a reload.
 */
let previous: Promise<unknown> = Promise.resolve();

export function fetchCannedReplies(q: string): Promise<CannedReply[]> {
  // One request at a time, so keystrokes typed before the first answer don't each hit a 404.
  const next = previous.catch(() => undefined).then(() => askCannedReplies(q));
  previous = next;
  return next;
}

async function askCannedReplies(q: string): Promise<CannedReply[]> {
  if (endpointMissing) return [];
  try {
    // Not aborted when the agent types on: the first answer also says whether the endpoint exists.
    const page = await apiRequest<Page<CannedReply>>('/v1/canned-replies', { query: { q, per_page: 20 } });
    return page.data;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      endpointMissing = true;
      return [];
    }
    throw error;
  }
}

export function useCannedReplySearch(q: string, enabled: boolean) {
  return useQuery({
    queryKey: ['canned-replies', 'picker', q],
    queryFn: () => fetchCannedReplies(q),
    enabled,
    staleTime: 30_000,
    placeholderData: (previous) => previous,
  });
}

export interface PlaceholderValues {
  customerName: string | null;
  customerEmail: string | null;
  agentName: string;
  ticketCode: string;
}

/** Fills {{customer.name}}, {{customer.email}}, {{agent.name}} and {{ticket.code}} in a body. */
export function fillPlaceholders(body: string, values: PlaceholderValues): string {
  const table: Record<string, string> = {
    'customer.name': values.customerName ?? '',
    'customer.email': values.customerEmail ?? '',
    'agent.name': values.agentName,
    'ticket.code': values.ticketCode,
  };
  return body.replace(/\{\{\s*([a-z]+\.[a-z]+)\s*\}\}/gi, (whole, name: string) => table[name] ?? whole);
}
