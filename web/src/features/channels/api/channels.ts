import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client';
import type { BodyOf, ResponseOf } from '../../../lib/api-types';

export type Channel = ResponseOf<'getChannel'>;
export type ChannelList = ResponseOf<'listChannels'>;
export type CreateChannelBody = BodyOf<'createChannel'>;
export type UpdateChannelBody = BodyOf<'updateChannel'>;
export type ApiKey = ResponseOf<'listApiKeys'>['data'][number];

export const channelKeys = {
  all: ['channels'] as const,
  list: () => ['channels', 'list'] as const,
  widget: () => ['channels', 'widget'] as const,
};

/** The org's email and Telegram channels (the widget has its own screen). At most 100: plenty for channels. */
export function useChannels() {
  return useQuery({
    queryKey: channelKeys.list(),
    queryFn: ({ signal }) =>
      apiRequest<ChannelList>('/v1/channels', { query: { per_page: 100 }, signal }).then((page) =>
        page.data.filter((channel) => channel.type !== 'widget'),
      ),
  });
}

export function useWidgetChannel() {
  return useQuery({
    queryKey: channelKeys.widget(),
    queryFn: ({ signal }) => apiRequest<Channel>('/v1/channels/widget', { signal }),
  });
}

/**
 * The public widget key: the API lists it among the org's keys (kind widget, publicKey shown).
 * It can't be created through the API; every org gets one when it is created.
 */
export function useWidgetKey() {
  return useQuery({
    queryKey: ['api-keys', 'widget'],
    queryFn: async ({ signal }) => {
      const page = await apiRequest<ResponseOf<'listApiKeys'>>('/v1/api-keys', {
        query: { per_page: 100 },
        signal,
      });
      return (
        page.data.find((key) => key.kind === 'widget' && key.status === 'active' && key.publicKey) ?? null
      );
    },
  });
}

export function useCreateChannel() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateChannelBody) =>
      apiRequest<Channel>('/v1/channels', { method: 'POST', body, idempotencyKey: crypto.randomUUID() }),
    onSuccess: () => client.invalidateQueries({ queryKey: channelKeys.all }),
  });
}

export function useUpdateChannel() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateChannelBody }) =>
      apiRequest<Channel>(`/v1/channels/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
    onSuccess: (channel) => {
      if (channel.type === 'widget') client.setQueryData(channelKeys.widget(), channel);
      return client.invalidateQueries({ queryKey: channelKeys.all });
    },
  });
}

export function useDeleteChannel() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      apiRequest<void>(`/v1/channels/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => client.invalidateQueries({ queryKey: channelKeys.all }),
  });
}

/** A new inbound URL for an email channel: the answer carries it this once. */
export function useRotateInboundToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      apiRequest<ResponseOf<'rotateEmailInboundToken'>>(
        `/v1/channels/${encodeURIComponent(id)}/inbound-token`,
        {
          method: 'POST',
        },
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: channelKeys.all }),
  });
}

export function useRotateIdentitySecret() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () =>
      apiRequest<ResponseOf<'rotateWidgetIdentitySecret'>>('/v1/channels/widget/identity-secret', {
        method: 'POST',
      }),
    onSuccess: () => client.invalidateQueries({ queryKey: channelKeys.all }),
  });
}
