import {
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type InfiniteData,
  type QueryClient,
} from '@tanstack/react-query';
import { apiAllPages, apiRequest } from '../../../lib/api-client';
import type { BodyOf, QueryOf, ResponseOf, Ticket, TicketStatus } from '../../../lib/api-types';

export type TicketListQuery = QueryOf<'listTickets'>;
export type TicketListPage = ResponseOf<'listTickets'>;
export type TicketSort = 'created_desc' | 'created_asc' | 'updated_desc';
export type AgentSummary = ResponseOf<'listAgents'>['data'][number];
export type TagSummary = ResponseOf<'listTags'>['data'][number];

/** The filters of the list that narrow it, without paging: what the counts take too. */
export type TicketFilters = Pick<
  TicketListQuery,
  'status' | 'channel' | 'assignedTo' | 'tag' | 'priority' | 'search' | 'sort'
>;

/** Rows per request: enough to fill a tall screen twice, small enough to answer fast on a big org. */
export const PAGE_SIZE = 50;

export const ticketListKeys = {
  all: ['tickets', 'list'] as const,
  list: (filters: TicketFilters) => ['tickets', 'list', filters] as const,
  counts: (filters: Omit<TicketFilters, 'status' | 'sort'>) => ['tickets', 'counts', filters] as const,
};

/**
 * The inbox list: keyset pages (`limit` + `startingAfter`), so page 2000 costs what page 1 does
 * and a ticket arriving at the top never shifts or repeats a row further down.
 */
export function useTicketList(filters: TicketFilters) {
  return useInfiniteQuery({
    queryKey: ticketListKeys.list(filters),
    queryFn: ({ pageParam, signal }) =>
      apiRequest<TicketListPage>('/v1/tickets', {
        query: { ...filters, limit: PAGE_SIZE, startingAfter: pageParam },
        signal,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.meta.nextCursor ?? undefined,
    // A refetch (live event, new filter) keeps the rows on screen until the new ones are in.
    placeholderData: (previous, previousQuery) =>
      previousQuery && sameView(previousQuery.queryKey[2], filters) ? previous : undefined,
  });
}

/** Same filters except the text being typed: keep rows while a search narrows, not across views. */
function sameView(a: TicketFilters | undefined, b: TicketFilters): boolean {
  if (!a) return false;
  return (
    a.status === b.status &&
    a.channel === b.channel &&
    a.assignedTo === b.assignedTo &&
    a.tag === b.tag &&
    a.priority === b.priority &&
    a.sort === b.sort
  );
}

export type TicketCounts = ResponseOf<'countTickets'>;
/** One view's numbers: in all (`total`) and per status. */
export type StatusCounts = TicketCounts['all'];

/**
 * Live counts for the views. A failing request is an ordinary query error: the sidebar then
 * shows no numbers, and the next live event or refetch tries again.
 */
export function useTicketCounts(filters: Omit<TicketFilters, 'status' | 'sort'>) {
  return useQuery({
    queryKey: ticketListKeys.counts(filters),
    queryFn: ({ signal }) =>
      apiRequest<TicketCounts>('/v1/tickets/counts', { query: { ...filters }, signal }),
    placeholderData: (previous) => previous,
  });
}

/**
 * The org's agents, deactivated ones too (any agent may read them): names on rows and in the
 * ticket view, and the active ones as choices for the assignee filter and control.
 */
export function useAgentDirectory() {
  return useQuery({
    queryKey: ['agents', 'directory'],
    queryFn: ({ signal }) => apiAllPages<AgentSummary>('/v1/agents', { signal }),
    staleTime: 5 * 60_000,
  });
}

export function useTags() {
  return useQuery({
    queryKey: ['tags', 'all'],
    queryFn: ({ signal }) => apiAllPages<TagSummary>('/v1/tags', { signal }),
    staleTime: 5 * 60_000,
  });
}

type ListData = InfiniteData<TicketListPage, string | undefined>;

/** Replaces a ticket wherever a cached list shows it, so a change shows before the refetch lands. */
export function patchTicketInLists(client: QueryClient, ticket: Ticket): void {
  client.setQueriesData<ListData>({ queryKey: ticketListKeys.all }, (data) => {
    if (!data) return data;
    let touched = false;
    const pages = data.pages.map((page) => {
      const index = page.data.findIndex((row) => row.id === ticket.id);
      // An event can arrive after the PATCH answer it predates: never step back.
      if (index === -1 || Date.parse(page.data[index]!.updatedAt) > Date.parse(ticket.updatedAt)) return page;
      touched = true;
      const rows = [...page.data];
      rows[index] = ticket;
      return { ...page, data: rows };
    });
    return touched ? { ...data, pages } : data;
  });
}

export type TicketChange = Pick<BodyOf<'updateTicket'>, 'status' | 'assignedTo'>;

/** PATCH /v1/tickets/:id for triage (assign, resolve); the lists show the answer at once. */
export function useUpdateTicket() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, change }: { id: string; change: TicketChange }) =>
      apiRequest<ResponseOf<'updateTicket'>>(`/v1/tickets/${encodeURIComponent(id)}`, {
        method: 'PATCH',
        body: change,
      }),
    onSuccess: (ticket) => {
      patchTicketInLists(client, ticket);
      // The event stream does this too; this covers a socket that is reconnecting.
      void client.invalidateQueries({ queryKey: ['tickets'] });
    },
  });
}

export const STATUSES: TicketStatus[] = ['open', 'pending', 'resolved'];
