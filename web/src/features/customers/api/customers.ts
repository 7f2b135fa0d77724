import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client';
import type { ResponseOf, Schemas } from '../../../lib/api-types';

export type Customer = Schemas['Customer'];

export function useCustomer(customerId: string) {
  return useQuery({
    queryKey: ['customers', 'detail', customerId],
    queryFn: ({ signal }) =>
      apiRequest<Customer>(`/v1/customers/${encodeURIComponent(customerId)}`, { signal }),
  });
}

/** The customer's tickets, newest first; under 'tickets' so ticket events refresh it. */
export function useCustomerTickets(customerId: string) {
  return useQuery({
    queryKey: ['tickets', 'by-customer', customerId],
    queryFn: ({ signal }) =>
      apiRequest<ResponseOf<'listTickets'>>('/v1/tickets', {
        query: { customerId, per_page: 10, sort: 'created_desc' },
        signal,
      }),
  });
}
