import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client';
import type { BodyOf, ResponseOf } from '../../../lib/api-types';

export type TimeEntry = ResponseOf<'listTimeEntries'>['data'][number];

const base = (ticketId: string) => `/v1/tickets/${encodeURIComponent(ticketId)}/time-entries`;

export function useTimeEntries(ticketId: string) {
  return useQuery({
    queryKey: ['time-entries', ticketId],
    queryFn: ({ signal }) =>
      apiRequest<ResponseOf<'listTimeEntries'>>(base(ticketId), { query: { per_page: 100 }, signal }),
  });
}

/** Every change also moves the ticket's timeSpentMinutes, so the ticket is refreshed too. */
function useRefresh(ticketId: string) {
  const client = useQueryClient();
  return () =>
    Promise.all([
      client.invalidateQueries({ queryKey: ['time-entries', ticketId] }),
      client.invalidateQueries({ queryKey: ['tickets'] }),
    ]);
}

export function useAddTimeEntry(ticketId: string) {
  const refresh = useRefresh(ticketId);
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: BodyOf<'createTimeEntry'>; idempotencyKey: string }) =>
      apiRequest<TimeEntry>(base(ticketId), { method: 'POST', body, idempotencyKey }),
    onSuccess: refresh,
  });
}

export function useUpdateTimeEntry(ticketId: string) {
  const refresh = useRefresh(ticketId);
  return useMutation({
    mutationFn: ({ entryId, body }: { entryId: string; body: BodyOf<'updateTimeEntry'> }) =>
      apiRequest<TimeEntry>(`${base(ticketId)}/${encodeURIComponent(entryId)}`, { method: 'PATCH', body }),
    onSuccess: refresh,
  });
}

export function useDeleteTimeEntry(ticketId: string) {
  const refresh = useRefresh(ticketId);
  return useMutation({
    mutationFn: (entryId: string) =>
      apiRequest<void>(`${base(ticketId)}/${encodeURIComponent(entryId)}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });
}

/** "45", "45m", "1h", "1h 30m", "1:30" or "1.5h" → minutes; null when it isn't a duration. */
export function parseDuration(text: string): number | null {
  const value = text.trim().toLowerCase();
  if (value === '') return null;
  let match = /^(\d+):([0-5]\d)$/.exec(value);
  if (match) return Number(match[1]) * 60 + Number(match[2]);
  match = /^(?:(\d+(?:\.\d+)?)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?$/.exec(value);
  if (match && (match[1] || match[2])) {
    return Math.round(Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0));
  }
  if (/^\d+$/.test(value)) return Number(value);
  return null;
}

export function formatMinutes(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${rest}m`;
  return rest === 0 ? `${hours}h` : `${hours}h ${rest}m`;
}
