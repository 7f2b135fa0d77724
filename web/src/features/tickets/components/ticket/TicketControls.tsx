import { useId } from 'react';
import { Button } from '../../../../components/Button';
import { errorMessage } from '../../../../components/States';
import type { TicketPriority, TicketStatus } from '../../../../lib/api-types';
import type { Agent, TicketDetail, TicketUpdate } from '../../api/ticket';
import styles from './TicketPage.module.css';

const STATUSES: TicketStatus[] = ['open', 'pending', 'resolved'];
const PRIORITIES: TicketPriority[] = ['low', 'normal', 'high', 'urgent'];
const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

interface Props {
  ticket: TicketDetail;
  /** The org's agents, deactivated ones too; undefined while loading. */
  agents: Pick<Agent, 'id' | 'name' | 'active'>[] | undefined;
  myId: string;
  myName: string;
  onChange: (patch: TicketUpdate) => void;
  error: unknown;
}

/** Status, priority and assignee; each change is sent (and shown) at once. */
export function TicketControls({ ticket, agents, myId, myName, onChange, error }: Props) {
  const id = useId();
  // While the team loads, "me" is already assignable. Deactivated agents can't be assigned.
  const active: Pick<Agent, 'id' | 'name'>[] = agents?.filter((agent) => agent.active) ?? [];
  const choices = active.some((agent) => agent.id === myId)
    ? active
    : [...active, { id: myId, name: myName }];
  const assignedKnown = ticket.assignedTo === null || choices.some((agent) => agent.id === ticket.assignedTo);
  const assignee = agents?.find((agent) => agent.id === ticket.assignedTo);
  return (
    <div className={styles.controls}>
      <div className={styles.control}>
        <label htmlFor={`${id}-status`}>Status</label>
        <select
          id={`${id}-status`}
          value={ticket.status}
          onChange={(event) => onChange({ status: event.target.value as TicketStatus })}
        >
          {STATUSES.map((status) => (
            <option key={status} value={status}>
              {capitalise(status)}
            </option>
          ))}
        </select>
      </div>
      <div className={styles.control}>
        <label htmlFor={`${id}-priority`}>Priority</label>
        <select
          id={`${id}-priority`}
          value={ticket.priority}
          onChange={(event) => onChange({ priority: event.target.value as TicketPriority })}
        >
          {PRIORITIES.map((priority) => (
            <option key={priority} value={priority}>
              {capitalise(priority)}
            </option>
          ))}
        </select>
      </div>
      <div className={styles.control}>
        <label htmlFor={`${id}-assignee`}>Assignee</label>
        <select
          id={`${id}-assignee`}
          value={ticket.assignedTo ?? ''}
          onChange={(event) =>
            onChange({ assignedTo: event.target.value === '' ? null : event.target.value })
          }
        >
          <option value="">Unassigned</option>
          {!assignedKnown && ticket.assignedTo ? (
            <option value={ticket.assignedTo}>
              {assignee ? `${assignee.name} (deactivated)` : 'Another agent'}
            </option>
          ) : null}
          {choices.map((agent) => (
            <option key={agent.id} value={agent.id}>
              {agent.name}
              {agent.id === myId ? ' (me)' : ''}
            </option>
          ))}
        </select>
      </div>
      {ticket.assignedTo !== myId ? (
        <Button size="sm" onClick={() => onChange({ assignedTo: myId })}>
          Assign to me
        </Button>
      ) : null}
      {error ? (
        <p role="alert" className={styles.controlError}>
          The change was not saved: {errorMessage(error)}
        </p>
      ) : null}
    </div>
  );
}
