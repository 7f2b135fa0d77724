import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { announce } from '../../../components/Announcer';
import { Badge } from '../../../components/Badge';
import { Button } from '../../../components/Button';
import { ErrorState, Loading } from '../../../components/States';
import { ApiError } from '../../../lib/api-client';
import { eventStream } from '../../../lib/event-stream';
import { useShortcut } from '../../../lib/shortcuts';
import { useRequiredSession } from '../../../lib/use-session';
import { CustomerPanel } from '../../customers/components/CustomerPanel';
import { Composer, type ComposerHandle } from '../../messages/components/Composer';
import { useThreadMessages } from '../../messages/api/messages';
import { Thread } from '../../messages/components/Thread';
import { TimeEntries } from '../../time-entries/components/TimeEntries';
import {
  useAgents,
  useTags,
  useTicket,
  useUpdateTicket,
  type TicketDetail,
  type TicketUpdate,
} from '../api/ticket';
import { MergeDialog } from './ticket/MergeDialog';
import { PresenceBar } from './ticket/PresenceBar';
import { TagsControl } from './ticket/TagsControl';
import { TicketControls } from './ticket/TicketControls';
import styles from './ticket/TicketPage.module.css';

/** /tickets/:ticketId — one ticket (by id or code): the conversation, the composer and its details. */
export function TicketPage() {
  const { ticketId = '' } = useParams();
  const ticket = useTicket(ticketId);
  const navigate = useNavigate();
  useShortcut(
    { key: 'Escape', description: 'Back to the inbox', scope: 'Ticket' },
    () => void navigate('/inbox'),
  );
  useShortcut({ key: 'u', description: 'Back to the inbox', scope: 'Ticket' }, () => void navigate('/inbox'));

  if (ticket.isPending) {
    return (
      <main id="main" className={styles.statePage}>
        <Loading label="Loading ticket…" />
      </main>
    );
  }
  // A failed refetch (an expired session, a network blip) keeps the ticket and its composer on
  // screen: only a ticket that never loaded is replaced by the error.
  if (ticket.isError && ticket.data === undefined) {
    const notFound = ticket.error instanceof ApiError && ticket.error.status === 404;
    return (
      <main id="main" className={styles.statePage}>
        {notFound ? (
          <div className={styles.notFound}>
            <h1>Ticket not found</h1>
            <p>
              There is no ticket <strong>{ticketId}</strong> in this organization. It may have been deleted,
              or the link may be wrong.
            </p>
            <Link to="/inbox">Back to the inbox</Link>
          </div>
        ) : (
          <>
            <h1>Ticket {ticketId}</h1>
            <ErrorState
              error={ticket.error}
              onRetry={() => void ticket.refetch()}
              title="The ticket could not be loaded"
            />
          </>
        )}
      </main>
    );
  }
  return <TicketView key={ticket.data.id} routeId={ticketId} ticket={ticket.data} />;
}

const STATUS_TONE = { open: 'info', pending: 'warning', resolved: 'success' } as const;

function TicketView({ routeId, ticket }: { routeId: string; ticket: TicketDetail }) {
  const session = useRequiredSession();
  const myId = session.agent.id;
  const agents = useAgents();
  const tags = useTags();
  const update = useUpdateTicket(routeId, ticket.id);
  const composer = useRef<ComposerHandle>(null);
  const thread = useThreadMessages(ticket.id);
  const [searchParams, setSearchParams] = useSearchParams();
  const [mergeOpen, setMergeOpen] = useState(false);
  const [detailsOpen, setDetailsOpen] = useState(false);

  const agentName = (id: string | null) => {
    if (!id) return 'Nobody';
    if (id === myId) return session.agent.name;
    return agents.data?.find((agent) => agent.id === id)?.name ?? 'Another agent';
  };
  const customerName = ticket.customer.name ?? ticket.customer.email ?? 'Customer';

  const change = (patch: TicketUpdate, done?: string) =>
    update.mutate(patch, { onSuccess: () => (done ? announce(done) : undefined) });

  // Others see who has the ticket open; leaving (or closing the tab) ends it.
  useEffect(() => {
    eventStream.setPresence(ticket.id, 'viewing');
    const leave = () => eventStream.setPresence(ticket.id, 'idle');
    window.addEventListener('pagehide', leave);
    return () => {
      window.removeEventListener('pagehide', leave);
      leave();
    };
  }, [ticket.id]);

  // ?compose=reply|note (the inbox's r/n keys) opens the composer in that mode, once.
  const compose = searchParams.get('compose');
  useEffect(() => {
    if (compose !== 'reply' && compose !== 'note') return;
    composer.current?.open(compose);
    setSearchParams(
      (current) => {
        const next = new URLSearchParams(current);
        next.delete('compose');
        return next;
      },
      { replace: true },
    );
  }, [compose, setSearchParams]);

  useShortcut({ key: 'r', description: 'Reply', scope: 'Ticket' }, () => composer.current?.open('reply'));
  useShortcut({ key: 'n', description: 'Add an internal note', scope: 'Ticket' }, () =>
    composer.current?.open('note'),
  );
  useShortcut({ key: 'e', description: 'Resolve the ticket', scope: 'Ticket' }, () =>
    change({ status: 'resolved' }, `${ticket.code} resolved`),
  );
  useShortcut({ key: 'a', description: 'Assign to me', scope: 'Ticket' }, () =>
    change({ assignedTo: myId }, `${ticket.code} assigned to you`),
  );

  const resolved = ticket.status === 'resolved';
  return (
    <main id="main" className={styles.page}>
      <div className={styles.mainColumn}>
        <header className={styles.header}>
          <div className={styles.titleRow}>
            <Link to="/inbox" className={styles.back}>
              <span aria-hidden="true">←</span> Inbox
            </Link>
            <span className={styles.code}>{ticket.code}</span>
            <h1 className={styles.subject}>{ticket.subject}</h1>
            <Badge tone={STATUS_TONE[ticket.status]}>{ticket.status}</Badge>
            <div className={styles.headerActions}>
              <Button
                variant={resolved ? 'secondary' : 'primary'}
                size="sm"
                onClick={() =>
                  change(
                    { status: resolved ? 'open' : 'resolved' },
                    `${ticket.code} ${resolved ? 'reopened' : 'resolved'}`,
                  )
                }
              >
                {resolved ? 'Reopen' : 'Resolve'}
              </Button>
              <Button size="sm" onClick={() => setMergeOpen(true)} disabled={ticket.mergedInto !== null}>
                Merge…
              </Button>
              <Button
                size="sm"
                className={styles.detailsToggle}
                aria-expanded={detailsOpen}
                aria-controls="ticket-details"
                onClick={() => setDetailsOpen((open) => !open)}
              >
                {detailsOpen ? 'Hide details' : 'Details'}
              </Button>
            </div>
          </div>
          <TicketControls
            ticket={ticket}
            agents={agents.data}
            myId={myId}
            myName={session.agent.name}
            onChange={(patch) => change(patch)}
            error={update.isError ? update.error : null}
          />
          <PresenceBar ticketId={ticket.id} myId={myId} />
        </header>
        {ticket.mergedInto ? (
          <p className={styles.merged} role="note">
            This ticket was merged into <Link to={`/tickets/${ticket.mergedInto}`}>another ticket</Link>.
          </p>
        ) : null}
        <Thread
          ticketId={ticket.id}
          messages={thread.data ?? ticket.messages}
          channel={ticket.channel}
          customerName={customerName}
          agentName={agentName}
        />
        <Composer
          ref={composer}
          ticketId={ticket.id}
          ticketCode={ticket.code}
          customerName={ticket.customer.name}
          customerEmail={ticket.customer.email}
        />
      </div>
      <aside
        id="ticket-details"
        aria-label="Ticket details"
        className={detailsOpen ? `${styles.side} ${styles.sideOpen}` : styles.side}
      >
        <div className={styles.drawerBar}>
          <Button size="sm" onClick={() => setDetailsOpen(false)}>
            Close details
          </Button>
        </div>
        <TagsControl ticket={ticket} tags={tags.data?.data} onChange={(patch) => change(patch)} />
        <CustomerPanel customerId={ticket.customer.id} currentTicketId={ticket.id} />
        <TimeEntries ticketId={ticket.id} totalMinutes={ticket.timeSpentMinutes} agentName={agentName} />
      </aside>
      <MergeDialog ticket={ticket} open={mergeOpen} onOpenChange={setMergeOpen} />
    </main>
  );
}
