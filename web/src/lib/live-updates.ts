import { useEffect, useEffectEvent, useSyncExternalStore } from 'react';
import type { QueryClient } from '@tanstack/react-query';
import { eventStream, type PresenceFrame, type StreamStatus, type TalkiEvent } from './event-stream';

/**
 * Which cached queries an event makes stale. Query keys start with the API collection they
 * read (`['tickets', …]`, `['tags', …]`), so one table covers every screen.
 */
const STALE_BY_EVENT_PREFIX: Record<string, string[]> = {
  ticket: ['tickets'],
  message: ['tickets'],
  customer: ['customers', 'tickets'],
  tag: ['tags', 'tickets'],
  agent: ['agents'],
  api_key: ['api-keys'],
  collection: ['collections', 'articles'],
  article: ['articles', 'collections'],
  time_entry: ['time-entries'],
  upload: [],
  org: ['org'],
  channel: ['channels'],
  canned_reply: ['canned-replies'],
};

export function invalidateForEvent(client: QueryClient, event: TalkiEvent): void {
  const prefix = event.type.split('.')[0] ?? '';
  for (const root of STALE_BY_EVENT_PREFIX[prefix] ?? []) {
    void client.invalidateQueries({ queryKey: [root] });
  }
}

/** Runs `handler` for each live event while mounted. */
export function useStreamEvents(handler: (event: TalkiEvent) => void): void {
  const onEvent = useEffectEvent(handler);
  useEffect(() => eventStream.onEvent((event) => onEvent(event)), []);
}

export function usePresenceFrames(handler: (frame: PresenceFrame) => void): void {
  const onFrame = useEffectEvent(handler);
  useEffect(() => eventStream.onPresence((frame) => onFrame(frame)), []);
}

export function useStreamStatus(): StreamStatus {
  return useSyncExternalStore(
    (listener) => eventStream.onStatus(listener),
    () => eventStream.status,
  );
}
