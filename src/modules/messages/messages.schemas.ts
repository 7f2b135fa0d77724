import { Type, type Static } from 'typebox';
import { NonBlank, StringEnum, Timestamp } from '../../http/schema-helpers.js';

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
        description: "On agent messages: the agent's name, or the name of the API key that posted it.",
        examples: ['Bob'],
      }),
    ),
    internal: Type.Boolean({
      description: 'Internal notes are visible to agents only and never delivered to the customer.',
    }),
    change: Type.Optional(
      Type.Object(
        {
          field: StringEnum(['status', 'assignedTo', 'tags', 'priority']),
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
    createdAt: Timestamp,
  },
  { $id: 'Message' },
);
export type MessageView = Static<typeof Message>;

export const CreateMessageBody = Type.Object(
  { text: NonBlank({ maxLength: 100_000 }) },
  {
    additionalProperties: false,
    examples: [{ text: "We've fixed the issue — please try again and let us know!" }],
  },
);
export type CreateMessageBody = Static<typeof CreateMessageBody>;
