import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRequest, type Page } from '../../../lib/api-client';
import type { ResponseOf } from '../../../lib/api-types';

export type CannedReply = ResponseOf<'getCannedReply'>;
export type CannedReplyInput = Pick<CannedReply, 'shortcut' | 'title' | 'body'>;

/** What a reply's body can use; replaced when an agent inserts the reply into a ticket. */
export const CANNED_REPLY_PLACEHOLDERS = [
  { token: '{{customer.name}}', meaning: 'The customer’s name' },
  { token: '{{customer.email}}', meaning: 'The customer’s email' },
  { token: '{{agent.name}}', meaning: 'Your name' },
  { token: '{{ticket.code}}', meaning: 'The ticket’s code, e.g. ACME-42' },
] as const;

export const cannedRepliesKey = ['canned-replies'] as const;

export function useCannedReplyList(q: string) {
  return useQuery({
    queryKey: [...cannedRepliesKey, 'admin-list', q],
    queryFn: ({ signal }) =>
      apiRequest<Page<CannedReply>>('/v1/canned-replies', { query: { q, per_page: 100 }, signal }),
    placeholderData: (previous) => previous,
  });
}

export function useSaveCannedReply() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string | null; body: CannedReplyInput }) =>
      id === null
        ? apiRequest<CannedReply>('/v1/canned-replies', { method: 'POST', body })
        : apiRequest<CannedReply>(`/v1/canned-replies/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
    onSuccess: () => client.invalidateQueries({ queryKey: cannedRepliesKey }),
  });
}

export function useDeleteCannedReply() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      apiRequest<void>(`/v1/canned-replies/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => client.invalidateQueries({ queryKey: cannedRepliesKey }),
  });
}
