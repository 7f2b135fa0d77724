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

/** A burst of events (a bulk import, a merge) refetches each screen once, not once per event. */
const COALESCE_MS = 150;
const pendingRoots = new Set<string>();
let flushTimer: number | undefined;

export function invalidateForEvent(client: QueryClient, event: TalkiEvent): void {
  const prefix = event.type.split('.')[0] ?? '';
  for (const root of STALE_BY_EVENT_PREFIX[prefix] ?? []) pendingRoots.add(root);
  if (flushTimer !== undefined || pendingRoots.size === 0) return;
  flushTimer = window.setTimeout(() => {
    flushTimer = undefined;
    const roots = [...pendingRoots];
    pendingRoots.clear();
    for (const root of roots) void client.invalidateQueries({ queryKey: [root] });
  }, COALESCE_MS);
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
