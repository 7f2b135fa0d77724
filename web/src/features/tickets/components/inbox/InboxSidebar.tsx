import { Link } from 'react-router';
import type { StatusCounts, TicketCounts } from '../../api/tickets-list';
import type { InboxParams, InboxView, StatusView } from '../../hooks/use-inbox-params';
import { formatCount } from './format';
import styles from './InboxSidebar.module.css';

const VIEWS: Array<{ view: InboxView; label: string; key: keyof TicketCounts }> = [
  { view: 'mine', label: 'Mine', key: 'mine' },
  { view: 'unassigned', label: 'Unassigned', key: 'unassigned' },
  { view: 'all', label: 'All tickets', key: 'all' },
];
const STATUS_VIEWS: Array<{ status: StatusView; label: string; key: keyof StatusCounts }> = [
  { status: 'open', label: 'Open', key: 'open' },
  { status: 'pending', label: 'Pending', key: 'pending' },
  { status: 'resolved', label: 'Resolved', key: 'resolved' },
  { status: 'any', label: 'Any status', key: 'total' },
];

const statusKey = (status: StatusView): keyof StatusCounts => (status === 'any' ? 'total' : status);

interface InboxSidebarProps {
  params: InboxParams;
  /** null: the server keeps no counts (or they are still loading): none are shown. */
  counts: TicketCounts | null;
  hrefFor: (change: Partial<InboxParams>) => string;
}

/** The queues (Mine, Unassigned, All) and statuses, each a link to its URL, with live counts. */
export function InboxSidebar({ params, counts, hrefFor }: InboxSidebarProps) {
  const current = counts ? counts[VIEWS.find((view) => view.view === params.view)?.key ?? 'all'] : null;
  return (
    <nav className={styles.sidebar} aria-label="Inbox views">
      <h2 className={styles.heading} id="inbox-views-heading">
        Views
      </h2>
      <ul className={styles.list} aria-labelledby="inbox-views-heading">
        {VIEWS.map(({ view, label, key }) => {
          const group = counts?.[key];
          const count = group ? group[statusKey(params.status)] : null;
          return (
            <li key={view}>
              <Link
                to={hrefFor({ view, assignee: '' })}
                className={styles.link}
                aria-current={params.view === view ? 'page' : undefined}
              >
                <span>{label}</span>
                {count !== null ? <Count value={count} /> : null}
              </Link>
            </li>
          );
        })}
      </ul>
      <h2 className={styles.heading} id="inbox-status-heading">
        Status
      </h2>
      <ul className={styles.list} aria-labelledby="inbox-status-heading">
        {STATUS_VIEWS.map(({ status, label, key }) => (
          <li key={status}>
            <Link
              to={hrefFor({ status })}
              className={styles.link}
              aria-current={params.status === status ? 'page' : undefined}
            >
              <span>{label}</span>
              {current ? <Count value={current[key]} /> : null}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Count({ value }: { value: number }) {
  return (
    <span className={styles.count}>
      <span className="visually-hidden">, </span>
      {formatCount(value)}
      <span className="visually-hidden"> tickets</span>
    </span>
  );
}
