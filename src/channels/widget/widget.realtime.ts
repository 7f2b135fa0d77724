import type { MessageView } from '../../modules/messages/messages.schemas.js';
import type { RealtimeBus } from '../../realtime/bus.js';
import type { WidgetMessageView } from './widget.schemas.js';
import { fromMessageView } from './widget.views.js';

/** The topic a customer's open widgets listen on. */
export const widgetTopic = (orgId: string, customerId: string) => `widget:${orgId}:${customerId}`;

/** What a widget's socket receives when an agent answers. */
export interface AgentMessageEvent {
  type: 'message';
  conversationId: string;
  message: WidgetMessageView;
  [key: string]: unknown;
}

/**
 * The widget's delivery of an agent reply: a publish to the customer's open widgets. Internal
 * notes and system messages are never published, whoever asks. Best effort: a widget that is
 * not open reads the reply from the API when it opens.
 */
export async function publishAgentMessage(
  bus: RealtimeBus,
  input: {
    orgId: string;
    customerId: string;
    ticketId: string;
    message: MessageView;
    /** The author the customer is shown (see shownAgentName). */
    agentName: string;
  },
): Promise<void> {
  if (input.message.internal || input.message.role !== 'agent') return;
  const event: AgentMessageEvent = {
    type: 'message',
    conversationId: input.ticketId,
    message: fromMessageView(input.ticketId, input.message, input.agentName),
  };
  await bus.publish(widgetTopic(input.orgId, input.customerId), event);
}
