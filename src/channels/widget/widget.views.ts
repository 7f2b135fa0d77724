import { isoTime } from '../../lib/ids.js';
import type { MessageView } from '../../modules/messages/messages.schemas.js';
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

export function messageView(row: VisibleMessageRow, attachments: AttachmentView[]): WidgetMessageView {
  const message: WidgetMessageView = {
    id: row.id,
    conversationId: row.ticket_id,
    role: row.role === 'agent' ? 'agent' : 'customer',
    text: row.text,
    attachments: attachments.map(fileView),
    createdAt: isoTime(row.created_at),
  };
  if (row.role === 'agent' && row.author_name !== null) message.agentName = row.author_name;
  return message;
}

/** An agent's message as the visitor sees it (no delivery state, notes never get here). */
export function fromMessageView(ticketId: string, message: MessageView): WidgetMessageView {
  const view: WidgetMessageView = {
    id: message.id,
    conversationId: ticketId,
    role: message.role === 'agent' ? 'agent' : 'customer',
    text: message.text,
    attachments: message.attachments.map(fileView),
    createdAt: message.createdAt,
  };
  if (message.agentName !== undefined) view.agentName = message.agentName;
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
