import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client';
import type { BodyOf, ResponseOf } from '../../../lib/api-types';

export type Collection = ResponseOf<'getCollection'>;
export type ArticleSummary = ResponseOf<'listArticles'>['data'][number];
export type Article = ResponseOf<'getArticle'>;
export type CollectionBody = BodyOf<'updateCollection'>;
export type ArticleBody = BodyOf<'updateArticle'>;

/** All collections, in their order (at most 100: the API's largest page). */
export function useCollections() {
  return useQuery({
    queryKey: ['collections', 'list'],
    queryFn: ({ signal }) =>
      apiRequest<ResponseOf<'listCollections'>>('/v1/collections', { query: { per_page: 100 }, signal }).then(
        (page) => page.data,
      ),
  });
}

/** Articles of one collection ("none": in no collection; undefined: all), newest first. */
export function useArticles(collectionId: string | undefined) {
  return useQuery({
    queryKey: ['articles', 'list', collectionId ?? 'all'],
    queryFn: ({ signal }) =>
      apiRequest<ResponseOf<'listArticles'>>('/v1/articles', {
        query: { per_page: 100, collectionId },
        signal,
      }),
  });
}

export function useArticle(id: string | undefined) {
  return useQuery({
    queryKey: ['articles', 'one', id],
    enabled: id !== undefined,
    queryFn: ({ signal }) => apiRequest<Article>(`/v1/articles/${encodeURIComponent(id!)}`, { signal }),
  });
}

function useInvalidating<TArgs, TResult>(fn: (args: TArgs) => Promise<TResult>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: async () => {
      await Promise.all([
        client.invalidateQueries({ queryKey: ['collections'] }),
        client.invalidateQueries({ queryKey: ['articles'] }),
      ]);
    },
  });
}

export const useCreateCollection = () =>
  useInvalidating((body: BodyOf<'createCollection'>) =>
    apiRequest<Collection>('/v1/collections', { method: 'POST', body, idempotencyKey: crypto.randomUUID() }),
  );

export const useUpdateCollection = () =>
  useInvalidating(({ id, body }: { id: string; body: CollectionBody }) =>
    apiRequest<Collection>(`/v1/collections/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
  );

export function useDeleteCollection() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      apiRequest<void>(`/v1/collections/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    // The deleted collection's own article list is not asked for again: it would be a 400.
    onSuccess: async (_result, id) => {
      // Gone from the list at once, so no screen keeps asking for its articles (a 400 now).
      client.setQueryData<Collection[]>(['collections', 'list'], (list) => list?.filter((c) => c.id !== id));
      client.removeQueries({ queryKey: ['articles', 'list', id] });
      await Promise.all([
        client.invalidateQueries({ queryKey: ['collections'] }),
        client.invalidateQueries({ queryKey: ['articles'], predicate: (query) => query.queryKey[2] !== id }),
      ]);
    },
  });
}

export const useCreateArticle = () =>
  useInvalidating((body: BodyOf<'createArticle'>) =>
    apiRequest<Article>('/v1/articles', { method: 'POST', body, idempotencyKey: crypto.randomUUID() }),
  );

export const useUpdateArticle = () =>
  useInvalidating(({ id, body }: { id: string; body: ArticleBody }) =>
    apiRequest<Article>(`/v1/articles/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
  );

export const useDeleteArticle = () =>
  useInvalidating((id: string) =>
    apiRequest<void>(`/v1/articles/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  );
