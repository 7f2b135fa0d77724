import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client';
import type { BodyOf, ResponseOf } from '../../../lib/api-types';

export type Tag = ResponseOf<'getTag'>;
type TagPage = ResponseOf<'listTags'>;
export type CreateTagBody = BodyOf<'createTag'>;
export type UpdateTagBody = BodyOf<'updateTag'>;

export const tagsKey = ['tags'] as const;

/** The org's tags for the admin list: up to 100, which covers every helpdesk we know of. */
export function useTagList() {
  return useQuery({
    queryKey: [...tagsKey, 'admin-list'],
    queryFn: ({ signal }) => apiRequest<TagPage>('/v1/tags', { query: { per_page: 100 }, signal }),
  });
}

export function useSaveTag() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string | null; body: CreateTagBody | UpdateTagBody }) =>
      id === null
        ? apiRequest<Tag>('/v1/tags', { method: 'POST', body })
        : apiRequest<Tag>(`/v1/tags/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
    onSuccess: () => client.invalidateQueries({ queryKey: tagsKey }),
  });
}

export function useDeleteTag() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiRequest<void>(`/v1/tags/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => client.invalidateQueries({ queryKey: tagsKey }),
  });
}
