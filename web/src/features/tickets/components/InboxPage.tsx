import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { Button } from '../../../components/Button';
import { EmptyState, ErrorState, Loading, errorMessage } from '../../../components/States';
import { useShortcut } from '../../../lib/shortcuts';
import { useRequiredSession } from '../../../lib/use-session';
import { useAgentDirectory, useTags, useTicketCounts, useTicketList } from '../api/tickets-list';
import { rememberInbox, rememberedInbox } from '../hooks/inbox-memory';
import { filtersOf, useInboxParams, type InboxParams } from '../hooks/use-inbox-params';
import { useInboxSelection } from '../hooks/use-inbox-selection';
import { useLiveRows } from '../hooks/use-live-rows';
import { useTriage } from '../hooks/use-triage';
import { formatCount } from './inbox/format';
import { InboxFilters } from './inbox/InboxFilters';
import { InboxSidebar } from './inbox/InboxSidebar';
import { TicketList } from './inbox/TicketList';
import styles from './InboxPage.module.css';

const VIEW_LABEL = { all: 'All tickets', mine: 'Mine', unassigned: 'Unassigned' } as const;
const STATUS_LABEL = { open: 'Open', pending: 'Pending', resolved: 'Resolved', any: 'Any status' } as const;

/** The shared inbox: queues with live counts, filters, and a keyboard-driven virtualised list. */
export function InboxPage() {
  const location = useLocation();
  // The plain Inbox link (no filters) brings the agent back to the view they left; only on arrival,
  // so "Clear filters" later still clears.
  const [redirecting, setRedirecting] = useState(
    () => location.search === '' && rememberedInbox().search !== '',
  );
  if (redirecting && location.search !== '') setRedirecting(false);
  if (redirecting) return <Navigate to={{ search: rememberedInbox().search }} replace />;
  return <Inbox />;
}

function Inbox() {
  const session = useRequiredSession();
  const myId = session.agent.id;
  const navigate = useNavigate();
  const location = useLocation();
  const { params, update } = useInboxParams();
  // AppLayout empties the query cache in an effect of its first render, which runs after this
  // screen's own effects (a parent's effects run after its children's) and leaves these queries
  // detached from the cache, pending forever. One more render re-attaches them.
  const [, setAfterShellMount] = useState(false);
  useEffect(() => {
    const timer = window.setTimeout(() => setAfterShellMount(true), 0);
    return () => window.clearTimeout(timer);
  }, []);
  const filters = useMemo(() => filtersOf(params, myId), [params, myId]);
  const listKey = JSON.stringify(filters);
  // The counts cover every queue (Mine, Unassigned, All) at once, so the queue's own assignee is
  // not a narrowing; only an agent picked in the All view is.
  const narrowing = useMemo(
    () => ({
      channel: filters.channel,
      assignedTo: params.view === 'all' ? filters.assignedTo : undefined,
      tag: filters.tag,
      priority: filters.priority,
      search: filters.search,
    }),
    [filters, params.view],
  );

  useEffect(() => {
    rememberInbox({ search: location.search });
  }, [location.search]);
  useEffect(() => {
    if (rememberedInbox().listKey !== listKey) rememberInbox({ listKey, scrollOffset: 0 });
  }, [listKey]);

  const list = useTicketList(filters);
  const counts = useTicketCounts(narrowing);
  const agents = useAgentDirectory();
  const tags = useTags();
  useLiveRows();

  const rows = useMemo(() => {
    const seen = new Set<string>();
    return (list.data?.pages ?? []).flatMap((page) =>
      page.data.filter((row) => !seen.has(row.id) && seen.add(row.id)),
    );
  }, [list.data]);
  const settled = list.isSuccess && !list.isPlaceholderData && !list.isFetching;
  const selection = useInboxSelection(rows, listKey, settled);
  const { assignToMe, resolve } = useTriage(myId);

  // Every agent reads the team, deactivated members too, so each assigned row shows a name.
  const names = useMemo(() => {
    const map = new Map<string, string>();
    for (const agent of agents.data ?? []) map.set(agent.id, agent.name);
    map.set(myId, `${session.agent.name} (you)`);
    return map;
  }, [agents.data, myId, session.agent.name]);
  const assigneeName = useCallback((id: string | null) => (id ? (names.get(id) ?? null) : null), [names]);
  const tagsByName = useMemo(() => new Map((tags.data ?? []).map((tag) => [tag.name, tag])), [tags.data]);

  const listRef = useRef<HTMLDivElement | null>(null);
  const searchRef = useRef<HTMLInputElement | null>(null);
  const open = useCallback(
    (id: string, compose?: 'reply' | 'note') =>
      void navigate(`/tickets/${encodeURIComponent(id)}${compose ? `?compose=${compose}` : ''}`),
    [navigate],
  );
  const { select, move, selected, checked, toggleChecked, clearChecked } = selection;
  const targets = () =>
    checked.size > 0 ? rows.filter((row) => checked.has(row.id)) : selected ? [selected] : [];

  const scope = 'Inbox';
  const step = (by: number) => {
    if (move(by)) listRef.current?.focus({ preventScroll: true });
  };
  useShortcut({ key: 'j', description: 'Next ticket', scope }, () => step(1));
  useShortcut({ key: 'k', description: 'Previous ticket', scope }, () => step(-1));
  useShortcut({ key: 'Enter', description: 'Open the selected ticket', scope }, (event) => {
    const target = event.target;
    if (target === document.body || (target instanceof Node && listRef.current?.contains(target))) {
      if (selected) open(selected.id);
    } else if (target instanceof HTMLElement && target.matches('button, a[href], [role="button"]')) {
      // The shortcut layer took Enter from this control: give it its click back.
      target.click();
    }
  });
  useShortcut({ key: '/', description: 'Search tickets', scope }, () => {
    searchRef.current?.focus();
    searchRef.current?.select();
  });
  useShortcut({ key: 'a', description: 'Assign the selected ticket to me', scope }, () => {
    const picked = targets();
    if (picked.length) void assignToMe(picked).then(() => picked.length > 1 && clearChecked());
  });
  useShortcut({ key: 'e', description: 'Resolve the selected ticket', scope }, () => {
    const picked = targets();
    if (picked.length) void resolve(picked).then(() => picked.length > 1 && clearChecked());
  });
  useShortcut({ key: 'r', description: 'Reply to the selected ticket', scope }, () => {
    if (selected) open(selected.id, 'reply');
  });
  useShortcut({ key: 'n', description: 'Add a note to the selected ticket', scope }, () => {
    if (selected) open(selected.id, 'note');
  });
  useShortcut({ key: 'x', description: 'Check the selected ticket for a bulk action', scope }, () => {
    if (selected) toggleChecked(selected.id);
  });

  const hrefFor = useCallback(
    (change: Partial<InboxParams>) => {
      const next = new URLSearchParams(location.search);
      for (const [key, value] of Object.entries(change)) {
        if (value === '' || value === undefined) next.delete(key);
        else next.set(key, String(value));
      }
      if (change.view === 'all') next.delete('view');
      if (change.status === 'open') next.delete('status');
      const text = next.toString();
      return text ? `?${text}` : '/inbox';
    },
    [location.search],
  );

  const viewCounts = counts.data ?? null;
  const group = viewCounts ? viewCounts[params.view] : null;
  const total = group ? group[params.status === 'any' ? 'total' : params.status] : null;
  const hasMore = list.hasNextPage;
  const summary =
    total !== null
      ? `${formatCount(total)} ${total === 1 ? 'ticket' : 'tickets'}`
      : list.isSuccess
        ? `${formatCount(rows.length)}${hasMore ? '+' : ''} ${rows.length === 1 && !hasMore ? 'ticket' : 'tickets'}`
        : '';
  const title = `${VIEW_LABEL[params.view]} · ${STATUS_LABEL[params.status]}`;
  const filtered = !!(params.channel || params.priority || params.tag || params.assignee || params.q);

  let body;
  if (list.isPending) body = <Loading label="Loading tickets…" />;
  else if (list.isError && rows.length === 0)
    body = (
      <ErrorState
        error={list.error}
        title="Tickets could not be loaded"
        onRetry={() => void list.refetch()}
      />
    );
  else if (rows.length === 0 && !list.isPlaceholderData)
    body = (
      <EmptyState
        title={
          filtered
            ? 'No tickets match these filters'
            : `No ${STATUS_LABEL[params.status].toLowerCase()} tickets here`
        }
      >
        {filtered ? (
          <Button onClick={() => update({ channel: '', assignee: '', tag: '', priority: '', q: '' })}>
            Clear filters
          </Button>
        ) : (
          <p>New conversations appear here as they arrive.</p>
        )}
      </EmptyState>
    );
  else
    body = (
      <TicketList
        rows={rows}
        listKey={listKey}
        label={`Tickets: ${title}`}
        hasNextPage={!!hasMore}
        isFetchingNextPage={list.isFetchingNextPage}
        fetchNextPage={() => void list.fetchNextPage()}
        selectedId={selection.selectedId}
        checkedIds={checked}
        onSelect={select}
        onOpen={open}
        assigneeName={assigneeName}
        tags={tagsByName}
        listRef={listRef}
      />
    );

  return (
    <main id="main" className={styles.page}>
      <InboxSidebar params={params} counts={viewCounts} hrefFor={hrefFor} />
      <section className={styles.column} aria-labelledby="inbox-title">
        <header className={styles.header}>
          <h1 id="inbox-title" className={styles.title}>
            {title}
          </h1>
          <p className={styles.summary} role="status">
            {summary}
            {list.isFetching && !list.isPending && !list.isFetchingNextPage ? (
              <span className={styles.refreshing}> · updating…</span>
            ) : null}
          </p>
          <p className={styles.hint}>
            <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> open · <kbd>a</kbd> assign to me · <kbd>e</kbd>{' '}
            resolve · <kbd>?</kbd> all keys
          </p>
        </header>
        <InboxFilters
          params={params}
          update={update}
          agents={agents.data ?? []}
          myId={myId}
          tags={tags.data ?? []}
          searchRef={searchRef}
        />
        {checked.size > 0 ? (
          <div className={styles.bulk} role="region" aria-label="Bulk actions">
            <span>
              {checked.size} {checked.size === 1 ? 'ticket' : 'tickets'} checked
            </span>
            <Button size="sm" onClick={() => void assignToMe(targets()).then(clearChecked)}>
              Assign to me
            </Button>
            <Button size="sm" onClick={() => void resolve(targets()).then(clearChecked)}>
              Resolve
            </Button>
            <Button size="sm" variant="ghost" onClick={clearChecked}>
              Uncheck all
            </Button>
          </div>
        ) : null}
        {list.isError && rows.length > 0 ? (
          <p className={styles.inlineError} role="alert">
            The list could not be refreshed: {errorMessage(list.error)}{' '}
            <Button size="sm" onClick={() => void list.refetch()}>
              Try again
            </Button>
          </p>
        ) : null}
        {body}
      </section>
    </main>
  );
}
