import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, apiRequest } from '../../../lib/api-client';
import type { BodyOf, ResponseOf, Schemas } from '../../../lib/api-types';

export type TicketDetail = Schemas['TicketWithMessages'];
export type TicketUpdate = BodyOf<'updateTicket'>;
export type Agent = ResponseOf<'listAgents'>['data'][number];
export type Tag = ResponseOf<'listTags'>['data'][number];

/** Query keys start with 'tickets' so message and ticket events refresh the open ticket live. */
export const ticketKey = (idOrCode: string) => ['tickets', 'detail', idOrCode] as const;

export function fetchTicket(idOrCode: string, signal?: AbortSignal): Promise<TicketDetail> {
  return apiRequest<TicketDetail>(`/v1/tickets/${encodeURIComponent(idOrCode)}`, { signal });
}

export function useTicket(idOrCode: string) {
  return useQuery({
    queryKey: ticketKey(idOrCode),
    queryFn: ({ signal }) => fetchTicket(idOrCode, signal),
    // A queued reply settles on the delivery worker's time, which may not send an event this
    // screen hears: look again every few seconds while one is waiting.
    refetchInterval: (query) =>
      query.state.data?.messages.some((message) => message.deliveryStatus === 'queued') ? 4000 : false,
  });
}

/**
 * PATCH /v1/tickets/:id, applied to the cached ticket at once (status, priority, assignee and
 * tags are all plain replacements the server accepts or refuses whole) and rolled back on error.
 */
export function useUpdateTicket(routeId: string, ticketId: string) {
  const client = useQueryClient();
  return useMutation({
    // One at a time: tags are sent whole, so two quick edits in flight together could land in
    // the wrong order and the older list would win.
    scope: { id: `ticket-update-${ticketId}` },
    mutationFn: (patch: TicketUpdate) =>
      apiRequest<Schemas['Ticket']>(`/v1/tickets/${encodeURIComponent(ticketId)}`, {
        method: 'PATCH',
        body: patch,
      }),
    onMutate: async (patch) => {
      await client.cancelQueries({ queryKey: ticketKey(routeId) });
      const before = client.getQueryData<TicketDetail>(ticketKey(routeId));
      // The screen only sends status, priority, assignee and tags: plain replacements.
      if (before) client.setQueryData<TicketDetail>(ticketKey(routeId), { ...before, ...patch });
      return { before };
    },
    onError: (_error, _patch, context) => {
      if (context?.before) client.setQueryData(ticketKey(routeId), context.before);
    },
    onSettled: () => client.invalidateQueries({ queryKey: ['tickets'] }),
  });
}

/** Merges this ticket into `targetIdOrCode`: the API merges the source (body) into the path's ticket. */
export function useMergeInto(sourceId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (targetIdOrCode: string) =>
      apiRequest<ResponseOf<'mergeTicket'>>(`/v1/tickets/${encodeURIComponent(targetIdOrCode)}/merge`, {
        method: 'POST',
        body: { sourceId },
      }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['tickets'] }),
  });
}

/**
 * Tickets matching a code or words, for the merge dialog. Full-text search covers subjects and
 * messages, not codes, so a code (ACME-42) is also looked up directly.
 */
export function useTicketSearch(text: string) {
  const q = text.trim();
  return useQuery({
    queryKey: ['tickets', 'merge-search', q],
    queryFn: async ({ signal }): Promise<Schemas['Ticket'][]> => {
      const byCode = /^[a-z0-9]+-\d+$/i.test(q)
        ? fetchTicket(q, signal).then(
            ({ messages: _messages, ...ticket }) => [ticket],
            (error: unknown) => {
              if (error instanceof ApiError && error.status === 404) return [];
              throw error;
            },
          )
        : Promise.resolve([]);
      const byText = apiRequest<ResponseOf<'listTickets'>>('/v1/tickets', {
        query: { search: q, per_page: 10, sort: 'relevance' },
        signal,
      });
      const [exact, found] = await Promise.all([byCode, byText]);
      return [...exact, ...found.data.filter((ticket) => !exact.some((match) => match.id === ticket.id))];
    },
    enabled: q.length > 0,
    placeholderData: (previous) => previous,
  });
}

/** The org's agents, from the inbox's cached directory: one list, read by every agent, for both screens. */
export { useAgentDirectory as useAgents } from './tickets-list';

export function useTags() {
  return useQuery({
    queryKey: ['tags', 'all'],
    queryFn: ({ signal }) =>
      apiRequest<ResponseOf<'listTags'>>('/v1/tags', { query: { per_page: 100 }, signal }),
    staleTime: 60_000,
  });
}
