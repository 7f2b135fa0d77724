import { memo, type ReactNode } from 'react';
import type { Ticket } from '../../../../lib/api-types';
import type { TagSummary } from '../../api/tickets-list';
import { fullTime, relativeTime, textOn } from './format';
import styles from './TicketRow.module.css';

const STATUS_LABEL = { open: 'Open', pending: 'Pending', resolved: 'Resolved' } as const;
const PRIORITY_LABEL = { urgent: 'Urgent', high: 'High', normal: 'Normal', low: 'Low' } as const;
const CHANNEL_LABEL = { widget: 'Chat', email: 'Email', telegram: 'Telegram', api: 'API' } as const;

export const ROW_HEIGHT = 62;

interface TicketRowProps {
  ticket: Ticket;
  index: number;
  setSize: number;
  selected: boolean;
  /** Picked with x for a bulk action. */
  checked: boolean;
  assigneeName: string | null;
  tags: Map<string, TagSummary>;
  now: number;
  top: number;
  onPick: (id: string, open: boolean) => void;
}

export function optionId(ticketId: string): string {
  return `inbox-ticket-${ticketId}`;
}

/** One ticket in the inbox list: an option of the listbox, two dense lines. */
export const TicketRow = memo(function TicketRow({
  ticket,
  index,
  setSize,
  selected,
  checked,
  assigneeName,
  tags,
  now,
  top,
  onPick,
}: TicketRowProps) {
  const customer = ticket.customer.name ?? ticket.customer.email ?? 'Anonymous visitor';
  return (
    <div
      role="option"
      id={optionId(ticket.id)}
      aria-selected={selected}
      aria-posinset={index + 1}
      aria-setsize={setSize}
      data-ticket-id={ticket.id}
      className={[styles.row, selected ? styles.selected : '', checked ? styles.checked : '']
        .join(' ')
        .trim()}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      onClick={(event) => onPick(ticket.id, !(event.shiftKey || event.ctrlKey || event.metaKey))}
    >
      <span className={`${styles.status} ${styles[ticket.status]}`} aria-hidden="true" />
      {checked ? <span className="visually-hidden">Checked: </span> : null}
      <div className={styles.main}>
        <div className={styles.line}>
          <span className={styles.code}>{ticket.code}</span>
          <Hidden>: </Hidden>
          <span className={styles.subject}>{ticket.subject}</span>
        </div>
        <div className={`${styles.line} ${styles.meta}`}>
          <Hidden>, from </Hidden>
          <span className={styles.customer}>
            {customer}
            {ticket.customer.name && ticket.customer.email ? (
              <span className={styles.email}>
                {' '}
                <Hidden>(</Hidden>
                {ticket.customer.email}
                <Hidden>)</Hidden>
              </span>
            ) : null}
          </span>
          {ticket.tags.length ? <Hidden>, tags </Hidden> : null}
          <span className={styles.tags}>
            {ticket.tags.map((name) => {
              const color = tags.get(name)?.color;
              return (
                <span
                  key={name}
                  className={styles.tag}
                  style={color ? { background: color, color: textOn(color), borderColor: color } : undefined}
                >
                  {name}
                  <Hidden> </Hidden>
                </span>
              );
            })}
          </span>
        </div>
      </div>
      <div className={styles.side}>
        <div className={styles.line}>
          <Hidden>, </Hidden>
          <span className={`${styles.pill} ${styles[`status_${ticket.status}`]}`}>
            {STATUS_LABEL[ticket.status]}
          </span>
          <span className={`${styles.pill} ${styles[`priority_${ticket.priority}`]}`}>
            <Hidden>, </Hidden>
            {PRIORITY_LABEL[ticket.priority]}
            <Hidden> priority</Hidden>
          </span>
          <Hidden>, updated </Hidden>
          <time className={styles.time} dateTime={ticket.updatedAt} title={fullTime(ticket.updatedAt)}>
            {relativeTime(ticket.updatedAt, now)}
          </time>
          <Hidden> ({fullTime(ticket.updatedAt)})</Hidden>
        </div>
        <div className={`${styles.line} ${styles.meta}`}>
          <Hidden>, via </Hidden>
          <span className={styles.channel}>{CHANNEL_LABEL[ticket.channel]}</span>
          <Hidden>, </Hidden>
          <span className={ticket.assignedTo ? styles.assignee : styles.unassigned}>
            {ticket.assignedTo ? <Hidden>assigned to </Hidden> : null}
            {ticket.assignedTo ? (assigneeName ?? 'another agent') : 'Unassigned'}
          </span>
        </div>
      </div>
    </div>
  );
});

/** Words a screen reader needs between the row's parts, which sighted agents get from layout. */
function Hidden({ children }: { children: ReactNode }) {
  return <span className="visually-hidden">{children}</span>;
}
