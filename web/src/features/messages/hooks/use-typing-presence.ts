import { useCallback, useEffect, useRef } from 'react';
import { eventStream } from '../../../lib/event-stream';

/** After this long without a keystroke the agent is back to just viewing. */
const IDLE_MS = 4000;

/**
 * Tells others this agent is typing in the ticket: once when typing starts (the stream repeats
 * it while it lasts), and 'viewing' again after a few quiet seconds, not on every keystroke.
 */
export function useTypingPresence(ticketId: string): () => void {
  const typing = useRef(false);
  const timer = useRef<number | undefined>(undefined);
  useEffect(
    () => () => {
      window.clearTimeout(timer.current);
      typing.current = false;
    },
    [ticketId],
  );
  return useCallback(() => {
    if (!typing.current) {
      typing.current = true;
      eventStream.setPresence(ticketId, 'typing');
    }
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      typing.current = false;
      eventStream.setPresence(ticketId, 'viewing');
    }, IDLE_MS);
  }, [ticketId]);
}
