import { useEffect, useState } from 'react';
import type { PresenceState } from '../../../../lib/event-stream';
import { usePresenceFrames } from '../../../../lib/live-updates';
import styles from './TicketPage.module.css';

/** The server forgets a presence after 30 s without a repeat: so does this list. */
const FORGET_MS = 35_000;

interface Other {
  name: string;
  state: PresenceState;
  at: number;
}

/** "Bob is viewing" / "Bob is typing…", live, for everyone on this ticket except me. */
export function PresenceBar({ ticketId, myId }: { ticketId: string; myId: string }) {
  const [others, setOthers] = useState<Map<string, Other>>(() => new Map());
  usePresenceFrames((frame) => {
    if (frame.ticketId !== ticketId || frame.agent.id === myId) return;
    setOthers((current) => {
      const next = new Map(current);
      if (frame.state === 'idle') next.delete(frame.agent.id);
      else next.set(frame.agent.id, { name: frame.agent.name, state: frame.state, at: Date.now() });
      return next;
    });
  });
  useEffect(() => {
    const timer = window.setInterval(() => {
      setOthers((current) => {
        const now = Date.now();
        const stale = [...current].filter(([, other]) => now - other.at > FORGET_MS);
        if (stale.length === 0) return current;
        const next = new Map(current);
        for (const [id] of stale) next.delete(id);
        return next;
      });
    }, 5000);
    return () => window.clearInterval(timer);
  }, []);

  const list = [...others.values()];
  const typing = list.filter((other) => other.state === 'typing');
  const viewing = list.filter((other) => other.state === 'viewing');
  const parts = [
    typing.length > 0
      ? `${typing.map((other) => other.name).join(', ')} ${typing.length === 1 ? 'is' : 'are'} typing…`
      : '',
    viewing.length > 0
      ? `${viewing.map((other) => other.name).join(', ')} ${viewing.length === 1 ? 'is' : 'are'} viewing`
      : '',
  ].filter(Boolean);
  return (
    <div className={styles.presence} role="status" aria-live="polite">
      {parts.length > 0 ? (
        <>
          <span
            className={
              typing.length > 0 ? `${styles.presenceDot} ${styles.presenceTyping}` : styles.presenceDot
            }
            aria-hidden="true"
          />
          {parts.join(' · ')}
        </>
      ) : null}
    </div>
  );
}
