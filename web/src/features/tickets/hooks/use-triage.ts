import { useCallback } from 'react';
import { announce } from '../../../components/Announcer';
import { errorMessage } from '../../../components/States';
import type { Ticket } from '../../../lib/api-types';
import { useUpdateTicket, type TicketChange } from '../api/tickets-list';

/** Assign-to-me and resolve, for one ticket or several, each result announced. */
export function useTriage(myId: string) {
  const update = useUpdateTicket();
  const { mutateAsync } = update;

  const apply = useCallback(
    async (tickets: Ticket[], change: TicketChange, verb: string, skip: (ticket: Ticket) => boolean) => {
      const todo = tickets.filter((ticket) => !skip(ticket));
      if (todo.length === 0) {
        announce(tickets.length === 1 ? `${tickets[0]!.code} is already ${verb}` : `Already ${verb}`);
        return;
      }
      const results = await Promise.allSettled(todo.map((ticket) => mutateAsync({ id: ticket.id, change })));
      const failed = results.filter((result) => result.status === 'rejected');
      if (failed.length === 0) {
        announce(todo.length === 1 ? `${todo[0]!.code} ${verb}` : `${todo.length} tickets ${verb}`);
      } else {
        const reason = errorMessage((failed[0] as PromiseRejectedResult).reason);
        announce(
          todo.length === 1
            ? `${todo[0]!.code} could not be ${verb}: ${reason}`
            : `${failed.length} of ${todo.length} tickets could not be ${verb}: ${reason}`,
        );
      }
    },
    [mutateAsync],
  );

  const assignToMe = useCallback(
    (tickets: Ticket[]) =>
      apply(tickets, { assignedTo: myId }, 'assigned to you', (ticket) => ticket.assignedTo === myId),
    [apply, myId],
  );
  const resolve = useCallback(
    (tickets: Ticket[]) =>
      apply(tickets, { status: 'resolved' }, 'resolved', (ticket) => ticket.status === 'resolved'),
    [apply],
  );
  return { assignToMe, resolve, busy: update.isPending };
}
