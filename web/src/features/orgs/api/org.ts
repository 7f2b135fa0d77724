import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client';
import type { BodyOf, ResponseOf } from '../../../lib/api-types';

export type Organization = ResponseOf<'getOrganization'>;
export type UpdateOrganizationBody = BodyOf<'updateOrganization'>;

export const orgKey = ['org'] as const;

export function useOrganization() {
  return useQuery({
    queryKey: orgKey,
    queryFn: ({ signal }) => apiRequest<Organization>('/v1/org', { signal }),
  });
}

export function useUpdateOrganization() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateOrganizationBody) =>
      apiRequest<Organization>('/v1/org', { method: 'PATCH', body }),
    onSuccess: (org) => client.setQueryData(orgKey, org),
  });
}
