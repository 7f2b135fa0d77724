import { useEffect, useEffectEvent, useSyncExternalStore } from 'react';

/** A keyboard shortcut a screen offers; the `?` dialog lists every one registered right now. */
export interface Shortcut {
  /** The key as KeyboardEvent.key reports it: 'j', 'Enter', '/', '?'. */
  key: string;
  description: string;
  /** Where it applies, to group the `?` list: 'Global', 'Inbox', 'Ticket'. */
  scope: string;
}

interface Registered extends Shortcut {
  run: (event: KeyboardEvent) => void;
}

const registered = new Set<Registered>();
let snapshot: Shortcut[] = [];
const listeners = new Set<() => void>();

function changed(): void {
  snapshot = [...registered].map(({ key, description, scope }) => ({ key, description, scope }));
  for (const listener of listeners) listener();
}

/** Typing in a field must never trigger a shortcut. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
  );
}

function onKeyDown(event: KeyboardEvent): void {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (isTyping(event.target)) return;
  // A modal dialog owns the keyboard while it is open.
  if (document.querySelector('[role="dialog"][aria-modal="true"], dialog[open]')) return;
  // The newest registration wins, so a screen can override a global key.
  const match = [...registered].reverse().find((shortcut) => shortcut.key === event.key);
  if (!match) return;
  event.preventDefault();
  match.run(event);
}

if (typeof window !== 'undefined') window.addEventListener('keydown', onKeyDown);

/** Registers a shortcut while the component is mounted (and `enabled`). */
export function useShortcut(shortcut: Shortcut, run: (event: KeyboardEvent) => void, enabled = true): void {
  const onKey = useEffectEvent(run);
  const { key, description, scope } = shortcut;
  useEffect(() => {
    if (!enabled) return;
    const entry: Registered = { key, description, scope, run: (event) => onKey(event) };
    registered.add(entry);
    changed();
    return () => {
      registered.delete(entry);
      changed();
    };
  }, [key, description, scope, enabled]);
}

export function useShortcutList(): Shortcut[] {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => snapshot,
  );
}
