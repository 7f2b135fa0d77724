import { useCallback, useEffect, useRef, useState } from 'react';
import type { Ticket } from '../../../lib/api-types';
import { rememberInbox, rememberedInbox } from './inbox-memory';

/**
 * The selected row, by ticket id so a refetch (rows added above, rows changed) keeps it. When the
 * selected ticket leaves the view (resolved in the Open view), the row now at its place is selected,
 * which is what triage wants: the next ticket. A new view starts with nothing selected.
 */
export function useInboxSelection(rows: Ticket[], listKey: string, settled: boolean) {
  const [selectedId, setSelectedId] = useState<string | null>(() =>
    rememberedInbox().listKey === listKey ? rememberedInbox().selectedId : null,
  );
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set());
  const lastIndex = useRef(0);
  const [keyOfSelection, setKeyOfSelection] = useState(listKey);

  if (keyOfSelection !== listKey) {
    setKeyOfSelection(listKey);
    setSelectedId(null);
    setChecked(new Set());
  }

  const index = selectedId ? rows.findIndex((row) => row.id === selectedId) : -1;
  useEffect(() => {
    lastIndex.current = 0;
  }, [listKey]);
  useEffect(() => {
    if (index >= 0) lastIndex.current = index;
  }, [index]);
  useEffect(() => {
    if (!settled || !selectedId || index >= 0 || rows.length === 0) return;
    const next = rows[Math.min(lastIndex.current, rows.length - 1)];
    setSelectedId(next?.id ?? null);
  }, [settled, selectedId, index, rows]);

  useEffect(() => {
    rememberInbox({ selectedId });
  }, [selectedId]);

  const select = useCallback((id: string) => setSelectedId(id), []);
  const move = useCallback(
    (step: number) => {
      if (rows.length === 0) return null;
      const target = index < 0 ? 0 : Math.min(Math.max(index + step, 0), rows.length - 1);
      const row = rows[target];
      if (row) setSelectedId(row.id);
      return row ?? null;
    },
    [rows, index],
  );
  const toggleChecked = useCallback((id: string) => {
    setChecked((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);
  const clearChecked = useCallback(() => setChecked(new Set()), []);

  return {
    selectedId,
    selected: index >= 0 ? rows[index]! : null,
    select,
    move,
    checked,
    toggleChecked,
    clearChecked,
  };
}
