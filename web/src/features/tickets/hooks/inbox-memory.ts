/**
 * Where the agent was in the inbox, kept for the life of the tab: coming back from a ticket to
 * /inbox shows the same view, the same selected row and the same scroll position. The view and
 * filters also live in the URL; this covers the plain "Inbox" link, which has none.
 */
interface InboxMemory {
  /** The inbox URL's search string, "" for the defaults. */
  search: string;
  selectedId: string | null;
  /** Which list the scroll offset belongs to (its filters, serialised). */
  listKey: string;
  scrollOffset: number;
}

const memory: InboxMemory = { search: '', selectedId: null, listKey: '', scrollOffset: 0 };

export function rememberedInbox(): Readonly<InboxMemory> {
  return memory;
}

export function rememberInbox(change: Partial<InboxMemory>): void {
  Object.assign(memory, change);
}
