import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client';
import type { BodyOf, ResponseOf } from '../../../lib/api-types';

export type Agent = ResponseOf<'getAgent'>;
type AgentPage = ResponseOf<'listAgents'>;
export type CreateAgentBody = BodyOf<'createAgent'>;
export type UpdateAgentBody = BodyOf<'updateAgent'>;

export const agentsKey = ['agents'] as const;

/** The org's roster (members and pending invitations alike: the API shows them the same). */
export function useAgentList() {
  return useQuery({
    queryKey: [...agentsKey, 'admin-list'],
    queryFn: ({ signal }) => apiRequest<AgentPage>('/v1/agents', { query: { per_page: 100 }, signal }),
  });
}

function useAgentMutation<Input, Output>(request: (input: Input) => Promise<Output>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: request,
    onSuccess: () => client.invalidateQueries({ queryKey: agentsKey }),
  });
}

const agentPath = (id: string) => `/v1/agents/${encodeURIComponent(id)}`;

export const useCreateAgent = () =>
  useAgentMutation(({ body, idempotencyKey }: { body: CreateAgentBody; idempotencyKey: string }) =>
    apiRequest<Agent>('/v1/agents', { method: 'POST', body, idempotencyKey }),
  );

export const useUpdateAgent = () =>
  useAgentMutation(({ id, body }: { id: string; body: UpdateAgentBody }) =>
    apiRequest<Agent>(agentPath(id), { method: 'PATCH', body }),
  );

export const useSetAgentActive = () =>
  useAgentMutation(({ id, active }: { id: string; active: boolean }) =>
    apiRequest<Agent>(`${agentPath(id)}/${active ? 'reactivate' : 'deactivate'}`, { method: 'POST' }),
  );

export const useRemoveAgent = () =>
  useAgentMutation((id: string) => apiRequest<void>(agentPath(id), { method: 'DELETE' }));
