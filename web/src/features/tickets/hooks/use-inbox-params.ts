import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import type { TicketChannel, TicketPriority, TicketStatus } from '../../../lib/api-types';
import type { TicketFilters, TicketSort } from '../api/tickets-list';

export type InboxView = 'all' | 'mine' | 'unassigned';
/** 'any' shows every status; the default view is the open queue. */
export type StatusView = TicketStatus | 'any';

export interface InboxParams {
  view: InboxView;
  status: StatusView;
  channel: TicketChannel | '';
  /** An agent id; only in the All view (Mine and Unassigned fix the assignee). */
  assignee: string;
  tag: string;
  priority: TicketPriority | '';
  q: string;
  sort: TicketSort;
}

export const CHANNELS: TicketChannel[] = ['widget', 'email', 'telegram', 'api'];
export const PRIORITIES: TicketPriority[] = ['urgent', 'high', 'normal', 'low'];
export const SORTS: Array<{ value: TicketSort; label: string }> = [
  { value: 'created_desc', label: 'Newest first' },
  { value: 'created_asc', label: 'Oldest first' },
  { value: 'updated_desc', label: 'Recently updated' },
];

const DEFAULTS: InboxParams = {
  view: 'all',
  status: 'open',
  channel: '',
  assignee: '',
  tag: '',
  priority: '',
  q: '',
  sort: 'created_desc',
};

function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

export function parseInboxParams(search: URLSearchParams): InboxParams {
  return {
    view: oneOf(search.get('view'), ['all', 'mine', 'unassigned'], DEFAULTS.view),
    status: oneOf(search.get('status'), ['open', 'pending', 'resolved', 'any'], DEFAULTS.status),
    channel: oneOf(search.get('channel'), [...CHANNELS, ''], ''),
    assignee: search.get('assignee') ?? '',
    tag: search.get('tag') ?? '',
    priority: oneOf(search.get('priority'), [...PRIORITIES, ''], ''),
    q: search.get('q') ?? '',
    sort: oneOf(
      search.get('sort'),
      SORTS.map((sort) => sort.value),
      DEFAULTS.sort,
    ),
  };
}

/** Only what differs from the defaults goes in the URL, so links stay short. */
function toSearch(params: InboxParams): URLSearchParams {
  const search = new URLSearchParams();
  for (const key of Object.keys(DEFAULTS) as Array<keyof InboxParams>) {
    if (params[key] !== DEFAULTS[key]) search.set(key, params[key]);
  }
  return search;
}

/** The API filters for a view: Mine and Unassigned are assignedTo filters. */
export function filtersOf(params: InboxParams, myId: string): TicketFilters {
  const assignedTo =
    params.view === 'mine'
      ? myId
      : params.view === 'unassigned'
        ? 'unassigned'
        : params.assignee || undefined;
  const search = params.q.trim();
  return {
    status: params.status === 'any' ? undefined : params.status,
    channel: params.channel || undefined,
    assignedTo,
    tag: params.tag || undefined,
    priority: params.priority || undefined,
    // A search with no letter or digit is a 400: send none until there is a word.
    search: /[\p{L}\p{N}]/u.test(search) ? search : undefined,
    sort: params.sort,
  };
}

/** The inbox's view and filters, kept in the URL so a reload or a shared link shows the same list. */
export function useInboxParams() {
  const [search, setSearch] = useSearchParams();
  const params = useMemo(() => parseInboxParams(search), [search]);
  const update = useCallback(
    (change: Partial<InboxParams>, options: { replace?: boolean } = {}) => {
      setSearch(
        (current) => {
          const next = { ...parseInboxParams(current), ...change };
          if (change.view && change.view !== 'all') next.assignee = '';
          if (change.assignee) next.view = 'all';
          return toSearch(next);
        },
        { replace: options.replace ?? false },
      );
    },
    [setSearch],
  );
  return { params, update };
}
