import { useQueryClient } from '@tanstack/react-query';
import type { Ticket } from '../../../lib/api-types';
import { useStreamEvents } from '../../../lib/live-updates';
import { patchTicketInLists } from '../api/tickets-list';

const CARRY_TICKET = new Set(['ticket.updated', 'message.created']);

/**
 * Events carry the ticket as it now is: rows change in place at once, before the refetch the
 * shell starts for every ticket event (which brings new rows and drops ones that left the view).
 */
export function useLiveRows(): void {
  const client = useQueryClient();
  useStreamEvents((event) => {
    const ticket = event.data.ticket as Ticket | undefined;
    if (CARRY_TICKET.has(event.type) && ticket && typeof ticket.id === 'string') {
      patchTicketInLists(client, ticket);
    }
  });
}
