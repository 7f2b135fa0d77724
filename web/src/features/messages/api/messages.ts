import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiAllPages, apiRequest } from '../../../lib/api-client';
import type { BodyOf, Schemas } from '../../../lib/api-types';
import { newIdempotencyKey } from '../../../lib/ids';

export type Message = Schemas['Message'];
export type NewMessage = BodyOf<'createMessage'>;

/** A thread longer than this shows its newest part (a ticket that long is rare). */
const THREAD_LIMIT = 1000;

/**
 * The whole thread as GET /v1/tickets/:id/messages has it: unlike the ticket's own `messages`,
 * it includes the system lines (status, assignee and priority changes), so the history shows.
 * Keyed under ['tickets'], so live events refresh it with the ticket.
 */
export function useThreadMessages(ticketId: string) {
  return useQuery({
    queryKey: ['tickets', ticketId, 'messages'],
    queryFn: ({ signal }) =>
      apiAllPages<Message>(`/v1/tickets/${encodeURIComponent(ticketId)}/messages`, {
        max: THREAD_LIMIT,
        signal,
      }),
    // A reply still queued is checked again until its delivery settles.
    refetchInterval: (query) =>
      query.state.data?.some((message) => message.deliveryStatus === 'queued') ? 4000 : false,
  });
}

export function useSendMessage(ticketId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: NewMessage; idempotencyKey: string }) =>
      apiRequest<Message>(`/v1/tickets/${encodeURIComponent(ticketId)}/messages`, {
        method: 'POST',
        body,
        idempotencyKey,
      }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['tickets'] }),
  });
}

export function useRetryDelivery(ticketId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (messageId: string) =>
      apiRequest<Message>(
        `/v1/tickets/${encodeURIComponent(ticketId)}/messages/${encodeURIComponent(messageId)}/retry`,
        { method: 'POST' },
      ),
    onSettled: () => client.invalidateQueries({ queryKey: ['tickets'] }),
  });
}

export { newIdempotencyKey };
