import { useSyncExternalStore } from 'react';

/**
 * One polite live region for the whole app: "Reply sent", "Ticket resolved". Screen readers
 * hear it, and everyone sees it as a short toast.
 */
let message = '';
let timer: number | undefined;
const listeners = new Set<() => void>();

export function announce(text: string): void {
  message = text;
  for (const listener of listeners) listener();
  window.clearTimeout(timer);
  timer = window.setTimeout(() => {
    message = '';
    for (const listener of listeners) listener();
  }, 4000);
}

export function Announcer() {
  const text = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => message,
  );
  return (
    <div className={text ? 'toast toast-visible' : 'toast'} role="status" aria-live="polite">
      {text}
    </div>
  );
}
