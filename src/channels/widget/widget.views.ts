import { isoTime } from '../../lib/ids.js';
import type { MessageView } from '../../modules/messages/messages.schemas.js';
import { shownAgentName } from '../../modules/messages/messages.service.js';
import type { AttachmentView } from '../../modules/uploads/uploads.schemas.js';
import type { ConversationRow, VisibleMessageRow } from './widget.queries.js';
import type { WidgetFileView, WidgetMessageView } from './widget.schemas.js';

/** Where the widget downloads a file: behind the widget key and visitor token, not /v1. */
export const widgetFileUrl = (id: string) => `/widget/v1/uploads/${id}/content`;

export function fileView(file: Pick<AttachmentView, 'id' | 'name' | 'size' | 'contentType'>): WidgetFileView {
  return {
    id: file.id,
    name: file.name,
    size: file.size,
    contentType: file.contentType,
    url: widgetFileUrl(file.id),
  };
}

/** A message as the visitor sees it; agent replies carry a person's name or the org's support name. */
export function messageView(
  row: VisibleMessageRow,
  attachments: AttachmentView[],
  supportName: string,
): WidgetMessageView {
  const message: WidgetMessageView = {
    id: row.id,
    conversationId: row.ticket_id,
    role: row.role === 'agent' ? 'agent' : 'customer',
    text: row.text,
    attachments: attachments.map(fileView),
    createdAt: isoTime(row.created_at),
  };
  if (row.role === 'agent') {
    message.agentName = shownAgentName({ agentId: row.agent_id, authorName: row.author_name }, supportName);
  }
  return message;
}

/**
 * An agent's message as the visitor sees it (no delivery state, notes never get here), under the
 * name the customer is shown (see shownAgentName), not the API's internal agentName.
 */
export function fromMessageView(
  ticketId: string,
  message: MessageView,
  agentName: string | null,
): WidgetMessageView {
  const view: WidgetMessageView = {
    id: message.id,
    conversationId: ticketId,
    role: message.role === 'agent' ? 'agent' : 'customer',
    text: message.text,
    attachments: message.attachments.map(fileView),
    createdAt: message.createdAt,
  };
  if (message.role === 'agent' && agentName !== null) view.agentName = agentName;
  return view;
}

export function conversationFields(row: ConversationRow, codePrefix: string) {
  return {
    id: row.id,
    code: `${codePrefix}-${row.number ?? 0}`,
    subject: row.subject,
    status: row.status,
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
}
