import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client';
import type { BodyOf, Schemas } from '../../../lib/api-types';
import { newIdempotencyKey } from '../../../lib/ids';

export type Message = Schemas['Message'];
export type NewMessage = BodyOf<'createMessage'>;

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
