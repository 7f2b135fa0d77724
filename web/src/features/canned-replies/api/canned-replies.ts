import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client';
import type { ResponseOf } from '../../../lib/api-types';

export type CannedReply = ResponseOf<'getCannedReply'>;

/**
 * The composer's picker list. A keystroke that changes the query aborts the request before it;
 * a failing request is an ordinary query error, and the picker then just shows no entries.
 */
export function useCannedReplySearch(q: string, enabled: boolean) {
  return useQuery({
    queryKey: ['canned-replies', 'picker', q],
    queryFn: async ({ signal }) =>
      (
        await apiRequest<ResponseOf<'listCannedReplies'>>('/v1/canned-replies', {
          query: { q, per_page: 20 },
          signal,
        })
      ).data,
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
