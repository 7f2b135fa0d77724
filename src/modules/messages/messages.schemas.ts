import { Type, type Static } from 'typebox';
import { cursorParam } from '../../http/pagination.js';
import { NonBlank, StringEnum, Timestamp } from '../../http/schema-helpers.js';
import { Attachment, MAX_ATTACHMENTS } from '../uploads/uploads.schemas.js';

export const Message = Type.Object(
  {
    id: Type.String({ examples: ['msg_01hsxq5n…'] }),
    ticketId: Type.String(),
    role: StringEnum(['customer', 'agent', 'system'], {
      description: 'customer or agent; system messages record changes to the ticket (the audit trail).',
    }),
    text: Type.String({ examples: ['Hi, I can’t log in using my Google account.'] }),
    agentName: Type.Optional(
      Type.String({
        description:
          "On agent messages: the agent's name, or the name of the API key that posted it. Customers never see a key's name: the widget shows the organization's supportName instead.",
        examples: ['Bob'],
      }),
    ),
    internal: Type.Boolean({
      description: 'Internal notes are visible to agents only and never delivered to the customer.',
    }),
    change: Type.Optional(
      Type.Object(
        {
          field: StringEnum([
            'status',
            'priority',
            'assignedTo',
            'tags',
            'subject',
            'mergedInto',
            'mergedFrom',
          ]),
          from: Type.Unknown(),
          to: Type.Unknown(),
          by: Type.Union([
            Type.Object({ type: Type.String(), id: Type.String(), name: Type.String() }),
            Type.Null(),
          ]),
        },
        { description: 'On system messages: what changed, from → to, and who changed it.' },
      ),
    ),
    attachments: Type.Array(Attachment, {
      description: 'Files on the message (POST /v1/uploads, then attachments: [uploadId]).',
    }),
    html: Type.Optional(
      Type.String({ description: 'Email messages: the sanitised HTML body (text holds the plain text).' }),
    ),
    deliveryStatus: Type.Union([StringEnum(['queued', 'sent', 'failed']), Type.Null()], {
      description:
        "Agent messages: delivery to the customer on the ticket's channel. queued (waiting or being retried), sent, or failed (given up; see deliveryError, and POST …/retry). API-channel tickets are delivered by the event log, so their replies are sent at once. Null for customer and system messages and internal notes.",
    }),
    deliveryError: Type.Union([Type.String(), Type.Null()], {
      description: 'The last delivery attempt’s error, while queued for a retry or after failing.',
    }),
    deliveredAt: Type.Union([Timestamp, Type.Null()], {
      description: 'When the channel accepted the message.',
    }),
    createdAt: Timestamp,
  },
  { $id: 'Message' },
);
export type MessageView = Static<typeof Message>;

export const CreateMessageBody = Type.Object(
  {
    text: NonBlank({ maxLength: 100_000 }),
    attachments: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
        maxItems: MAX_ATTACHMENTS,
        description: 'Ids of uploads (POST /v1/uploads) to attach; each can be attached once.',
      }),
    ),
    internal: Type.Optional(
      Type.Boolean({
        description: 'An internal note: visible to agents, never delivered to the customer.',
        default: false,
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [{ text: "We've fixed the issue — please try again and let us know!" }],
  },
);
export type CreateMessageBody = Static<typeof CreateMessageBody>;

export const ListMessagesQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 50, description: 'Messages per page, 1–100.' }),
    startingAfter: cursorParam(
      'The id of the last message you have (meta.nextCursor).',
      '^msg_[0-9a-z]{1,40}$',
    ),
    types: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description:
          'Comma-separated subset of: message (customer and agent messages), note (internal notes), system (the audit trail).',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ListMessagesQuery = Static<typeof ListMessagesQuery>;

export const MessageList = Type.Object({
  data: Type.Array(Type.Ref('Message')),
  meta: Type.Object({ limit: Type.Integer(), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
});

export const MessageParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100, description: 'The ticket: its id or its code (ACME-42).' }),
  messageId: Type.String({ minLength: 1, maxLength: 100 }),
});
