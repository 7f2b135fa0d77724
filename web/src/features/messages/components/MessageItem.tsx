import { Button } from '../../../components/Button';
import { errorMessage } from '../../../components/States';
import type { TicketChannel } from '../../../lib/api-types';
import { AttachmentList } from '../../uploads/components/AttachmentList';
import type { Message } from '../api/messages';
import styles from './Thread.module.css';

export type MessageKind = 'customer' | 'agent' | 'note' | 'system';

/** Each kind has its own look and a text label, so it doesn't rely on colour alone. */
export function messageKind(message: Message): MessageKind {
  if (message.role === 'system') return 'system';
  if (message.role === 'customer') return 'customer';
  return message.internal ? 'note' : 'agent';
}

const KIND_LABEL: Record<MessageKind, string> = {
  customer: 'Customer',
  agent: 'Reply',
  note: 'Internal note',
  system: 'System',
};

const CHANNEL_LABEL: Record<TicketChannel, string> = {
  widget: 'Chat widget',
  email: 'Email',
  telegram: 'Telegram',
  api: 'API',
};

const DELIVERY_LABEL = { queued: 'Queued', sent: 'Sent', failed: 'Failed' } as const;

const FIELD_LABEL: Record<NonNullable<Message['change']>['field'], string> = {
  status: 'status',
  priority: 'priority',
  assignedTo: 'assignee',
  tags: 'tags',
  subject: 'subject',
  mergedInto: 'merged into',
  mergedFrom: 'merged from',
};

const time = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

interface Props {
  message: Message;
  channel: TicketChannel;
  customerName: string;
  agentName: (id: string | null) => string;
  onRetry: (messageId: string) => void;
  retrying: boolean;
  retryError: unknown;
}

function describeValue(field: string, value: unknown, agentName: Props['agentName']): string {
  if (value === null || value === undefined || value === '')
    return field === 'assignedTo' ? 'nobody' : 'none';
  if (field === 'assignedTo' && typeof value === 'string') return agentName(value);
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.join(', ');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function SystemMessage({ message, agentName }: { message: Message; agentName: Props['agentName'] }) {
  const change = message.change;
  const text = change
    ? `${change.by?.name ?? 'Someone'} changed ${FIELD_LABEL[change.field]} from ${describeValue(change.field, change.from, agentName)} to ${describeValue(change.field, change.to, agentName)}`
    : message.text;
  return (
    <li className={styles.system}>
      <span className="visually-hidden">System: </span>
      <span>{text}</span>
      <time dateTime={message.createdAt} className={styles.time}>
        {time.format(new Date(message.createdAt))}
      </time>
    </li>
  );
}

export function MessageItem({
  message,
  channel,
  customerName,
  agentName,
  onRetry,
  retrying,
  retryError,
}: Props) {
  const kind = messageKind(message);
  if (kind === 'system') return <SystemMessage message={message} agentName={agentName} />;
  const author = kind === 'customer' ? customerName : (message.agentName ?? 'Agent');
  return (
    <li className={`${styles.message} ${styles[kind]}`} aria-label={`${KIND_LABEL[kind]} from ${author}`}>
      <div className={styles.head}>
        <span className={`${styles.kind} ${styles[`kind_${kind}`]}`}>{KIND_LABEL[kind]}</span>
        <span className={styles.author}>{author}</span>
        {kind === 'agent' ? <span className={styles.channel}>via {CHANNEL_LABEL[channel]}</span> : null}
        <time dateTime={message.createdAt} className={styles.time}>
          {time.format(new Date(message.createdAt))}
        </time>
      </div>
      <div className={styles.body}>{message.text}</div>
      <AttachmentList attachments={message.attachments} />
      {kind === 'agent' && message.deliveryStatus ? (
        <div className={styles.delivery}>
          <span className={`${styles.deliveryState} ${styles[`delivery_${message.deliveryStatus}`]}`}>
            Delivery: {DELIVERY_LABEL[message.deliveryStatus]}
          </span>
          {message.deliveryError ? (
            <span className={styles.deliveryError}>{message.deliveryError}</span>
          ) : null}
          {message.deliveryStatus === 'failed' ? (
            <Button size="sm" onClick={() => onRetry(message.id)} busy={retrying}>
              Retry
            </Button>
          ) : null}
          {retryError ? (
            <span role="alert" className={styles.deliveryError}>
              Retry failed: {errorMessage(retryError)}
            </span>
          ) : null}
        </div>
      ) : null}
    </li>
  );
}
