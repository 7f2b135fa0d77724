import { Link } from 'react-router';
import { Badge } from '../../../components/Badge';
import { ErrorState, Loading } from '../../../components/States';
import { useCustomer, useCustomerTickets } from '../api/customers';
import styles from './CustomerPanel.module.css';

function fieldValue(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return String(value);
}

/** Who the customer is, the organization's fields on them, and their other tickets. */
export function CustomerPanel({
  customerId,
  currentTicketId,
}: {
  customerId: string;
  currentTicketId: string;
}) {
  const customer = useCustomer(customerId);
  const tickets = useCustomerTickets(customerId);
  return (
    <section className={styles.panel} aria-labelledby="customer-heading">
      <h2 id="customer-heading" className={styles.heading}>
        Customer
      </h2>
      {customer.isPending ? (
        <Loading label="Loading customer…" />
      ) : customer.isError ? (
        <ErrorState
          error={customer.error}
          onRetry={() => void customer.refetch()}
          title="Customer not loaded"
        />
      ) : (
        <>
          <p className={styles.name}>{customer.data.name ?? customer.data.email ?? 'Unnamed customer'}</p>
          <dl className={styles.details}>
            {customer.data.email ? (
              <>
                <dt>Email</dt>
                <dd>
                  <a href={`mailto:${customer.data.email}`}>{customer.data.email}</a>
                </dd>
              </>
            ) : null}
            {customer.data.phone ? (
              <>
                <dt>Phone</dt>
                <dd>{customer.data.phone}</dd>
              </>
            ) : null}
            {customer.data.company ? (
              <>
                <dt>Company</dt>
                <dd>{customer.data.company}</dd>
              </>
            ) : null}
            {customer.data.userId ? (
              <>
                <dt>User id</dt>
                <dd>
                  {customer.data.userId}{' '}
                  {customer.data.userIdVerified ? null : <Badge tone="warning">Unverified</Badge>}
                </dd>
              </>
            ) : null}
          </dl>
          {Object.keys(customer.data.customFields).length > 0 ? (
            <>
              <h3 className={styles.subheading}>Custom fields</h3>
              <dl className={styles.details}>
                {Object.entries(customer.data.customFields).map(([key, value]) => (
                  <div key={key} className={styles.row}>
                    <dt>{key}</dt>
                    <dd>{fieldValue(value)}</dd>
                  </div>
                ))}
              </dl>
            </>
          ) : null}
        </>
      )}
      <h3 className={styles.subheading}>Other tickets</h3>
      {tickets.isPending ? (
        <Loading label="Loading tickets…" />
      ) : tickets.isError ? (
        <ErrorState error={tickets.error} onRetry={() => void tickets.refetch()} title="Tickets not loaded" />
      ) : (
        (() => {
          const others = tickets.data.data.filter((ticket) => ticket.id !== currentTicketId);
          if (others.length === 0) return <p className={styles.muted}>No other tickets.</p>;
          return (
            <ul className={styles.tickets}>
              {others.map((ticket) => (
                <li key={ticket.id}>
                  <Link to={`/tickets/${ticket.code}`}>
                    <span className={styles.code}>{ticket.code}</span> {ticket.subject}
                  </Link>
                  <span className={styles.status}>{ticket.status}</span>
                </li>
              ))}
            </ul>
          );
        })()
      )}
    </section>
  );
}
