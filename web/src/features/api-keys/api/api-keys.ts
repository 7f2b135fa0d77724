import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client';
import type { BodyOf, ResponseOf } from '../../../lib/api-types';

export type ApiKey = ResponseOf<'getApiKey'>;
export type CreatedApiKey = ResponseOf<'createApiKey'>;
export type CreateApiKeyBody = BodyOf<'createApiKey'>;
type ApiKeyPage = ResponseOf<'listApiKeys'>;

export const apiKeysKey = ['api-keys'] as const;

/** Every key of the org (the list is short: admins make a handful), newest first. */
export function useApiKeys() {
  return useQuery({
    queryKey: [...apiKeysKey, 'list'],
    queryFn: ({ signal }) => apiRequest<ApiKeyPage>('/v1/api-keys', { query: { per_page: 100 }, signal }),
  });
}

export function useCreateApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: CreateApiKeyBody; idempotencyKey: string }) =>
      apiRequest<CreatedApiKey>('/v1/api-keys', { method: 'POST', body, idempotencyKey }),
    onSuccess: () => client.invalidateQueries({ queryKey: apiKeysKey }),
  });
}

export function useRevokeApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      apiRequest<ApiKey>(`/v1/api-keys/${encodeURIComponent(id)}/revoke`, { method: 'POST' }),
    onSuccess: () => client.invalidateQueries({ queryKey: apiKeysKey }),
  });
}
