import { useLayoutEffect, useRef } from 'react';
import { EmptyState } from '../../../components/States';
import type { TicketChannel } from '../../../lib/api-types';
import { useRetryDelivery, type Message } from '../api/messages';
import { MessageItem } from './MessageItem';
import styles from './Thread.module.css';

interface Props {
  ticketId: string;
  messages: Message[];
  channel: TicketChannel;
  customerName: string;
  agentName: (id: string | null) => string;
}

/** How close to the end still counts as "at the bottom", in px. */
const BOTTOM_SLACK = 48;

/**
 * The conversation, oldest first. New messages arrive live (the ticket query refreshes on
 * message events); the view follows them only if the agent was already at the bottom, so
 * reading older messages isn't interrupted.
 */
export function Thread({ ticketId, messages, channel, customerName, agentName }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const retry = useRetryDelivery(ticketId);
  const lastId = messages.at(-1)?.id;

  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && atBottom.current) element.scrollTop = element.scrollHeight;
  }, [lastId, messages.length]);

  return (
    <div
      ref={scroller}
      className={styles.scroller}
      onScroll={(event) => {
        const element = event.currentTarget;
        atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < BOTTOM_SLACK;
      }}
      tabIndex={0}
      role="region"
      aria-label="Conversation"
      data-thread-scroller=""
    >
      {messages.length === 0 ? (
        <EmptyState title="No messages yet">
          <p>Write the first reply below.</p>
        </EmptyState>
      ) : (
        <ol className={styles.list}>
          {messages.map((message) => (
            <MessageItem
              key={message.id}
              message={message}
              channel={channel}
              customerName={customerName}
              agentName={agentName}
              onRetry={(messageId) => retry.mutate(messageId)}
              retrying={retry.isPending && retry.variables === message.id}
              retryError={retry.isError && retry.variables === message.id ? retry.error : null}
            />
          ))}
        </ol>
      )}
    </div>
  );
}

/** Makes the thread jump to the end (after the agent's own send). */
export function scrollThreadToEnd(): void {
  const element = document.querySelector<HTMLElement>('[data-thread-scroller]');
  if (element) element.scrollTop = element.scrollHeight;
}
