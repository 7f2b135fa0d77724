import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useRef, type KeyboardEvent, type Ref } from 'react';
import type { Ticket } from '../../../../lib/api-types';
import type { TagSummary } from '../../api/tickets-list';
import { rememberInbox, rememberedInbox } from '../../hooks/inbox-memory';
import { useNow } from '../../hooks/use-now';
import styles from './TicketList.module.css';
import { optionId, ROW_HEIGHT, TicketRow } from './TicketRow';

interface TicketListProps {
  rows: Ticket[];
  /** Identifies the list's filters: a scroll offset is only restored onto the same list. */
  listKey: string;
  label: string;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => void;
  selectedId: string | null;
  checkedIds: ReadonlySet<string>;
  onSelect: (id: string) => void;
  onOpen: (id: string) => void;
  assigneeName: (id: string | null) => string | null;
  tags: Map<string, TagSummary>;
  listRef: Ref<HTMLDivElement>;
}

/** Rows left below the viewport when the next page is asked for. */
const PREFETCH_ROWS = 20;

/**
 * The virtualised list of tickets, a listbox: focus stays on the list and aria-activedescendant
 * names the selected row, which is always rendered (the list scrolls to it), so a screen reader
 * announces each move. Only the rows in view (plus a few) are in the DOM.
 */
export function TicketList({
  rows,
  listKey,
  label,
  hasNextPage,
  isFetchingNextPage,
  fetchNextPage,
  selectedId,
  checkedIds,
  onSelect,
  onOpen,
  assigneeName,
  tags,
  listRef,
}: TicketListProps) {
  const scrollRef = useRef<HTMLDivElement | null>(null);
  const now = useNow();
  const remembered = rememberedInbox();
  const virtualizer = useVirtualizer({
    count: rows.length + (hasNextPage ? 1 : 0),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => rows[index]?.id ?? 'more',
    overscan: 8,
    initialOffset: remembered.listKey === listKey ? remembered.scrollOffset : 0,
    onChange: (instance) => rememberInbox({ listKey, scrollOffset: instance.scrollOffset ?? 0 }),
  });
  const items = virtualizer.getVirtualItems();

  // Next page before the agent reaches the end.
  const lastIndex = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastIndex >= rows.length - PREFETCH_ROWS) fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, lastIndex, rows.length, fetchNextPage]);

  // Rows arriving above the ones in view (a new ticket, a live refetch) must not move them.
  const previous = useRef<Ticket[]>(rows);
  useLayoutEffect(() => {
    const element = scrollRef.current;
    const before = previous.current;
    previous.current = rows;
    if (!element || before === rows || element.scrollTop < ROW_HEIGHT) return;
    const firstIndex = Math.floor(element.scrollTop / ROW_HEIGHT);
    const anchor = before[firstIndex];
    if (!anchor) return;
    const moved = rows.findIndex((row) => row.id === anchor.id);
    if (moved >= 0 && moved !== firstIndex) element.scrollTop += (moved - firstIndex) * ROW_HEIGHT;
  }, [rows]);

  const selectedIndex = selectedId ? rows.findIndex((row) => row.id === selectedId) : -1;
  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtualizer]);

  const rendered = items.some((item) => item.index === selectedIndex);
  const activeDescendant = selectedId && rendered ? optionId(selectedId) : undefined;

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const at = Math.max(selectedIndex, 0);
    const target =
      event.key === 'ArrowDown'
        ? Math.min(selectedIndex + 1, rows.length - 1)
        : event.key === 'ArrowUp'
          ? Math.max(at - 1, 0)
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? rows.length - 1
              : null;
    if (target !== null) {
      event.preventDefault();
      const row = rows[target];
      if (row) onSelect(row.id);
    } else if (event.key === 'Enter' && selectedId) {
      event.preventDefault();
      onOpen(selectedId);
    }
  };

  const pick = useCallback(
    (id: string, open: boolean) => {
      onSelect(id);
      if (open) onOpen(id);
    },
    [onSelect, onOpen],
  );
  const setSize = hasNextPage ? -1 : rows.length;
  return (
    <div
      ref={(element) => {
        scrollRef.current = element;
        if (typeof listRef === 'function') listRef(element);
        else if (listRef) listRef.current = element;
      }}
      className={styles.scroller}
      role="listbox"
      aria-label={label}
      aria-activedescendant={activeDescendant}
      aria-busy={isFetchingNextPage || undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onFocus={() => {
        // Focus arriving with nothing selected selects the first row in view.
        if (!selectedId && rows.length) {
          const first = rows[items[0]?.index ?? 0] ?? rows[0];
          if (first) onSelect(first.id);
        }
      }}
    >
      <div className={styles.sizer} style={{ height: virtualizer.getTotalSize() }}>
        {items.map((item) => {
          const ticket = rows[item.index];
          if (!ticket) {
            return (
              <div
                key={item.key}
                className={styles.more}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                aria-hidden="true"
              >
                Loading more tickets…
              </div>
            );
          }
          return (
            <TicketRow
              key={item.key}
              ticket={ticket}
              index={item.index}
              setSize={setSize}
              selected={ticket.id === selectedId}
              checked={checkedIds.has(ticket.id)}
              assigneeName={assigneeName(ticket.assignedTo)}
              tags={tags}
              now={now}
              top={item.start}
              onPick={pick}
            />
          );
        })}
      </div>
    </div>
  );
}
