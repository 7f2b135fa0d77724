import { Type, type Static } from 'typebox';
import { NonBlank, StringEnum, Timestamp } from '../../http/schema-helpers.js';

export const Message = Type.Object(
  {
    id: Type.String({ examples: ['msg_01hsxq5n…'] }),
    ticketId: Type.String(),
    role: StringEnum(['customer', 'agent']),
    text: Type.String({ examples: ['Hi, I can’t log in using my Google account.'] }),
    agentName: Type.Optional(
      Type.String({
        description: "On agent messages: the agent's name, or the name of the API key that posted it.",
        examples: ['Bob'],
      }),
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
