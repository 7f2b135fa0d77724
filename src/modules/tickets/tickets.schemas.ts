import { Type, type Static } from 'typebox';
import { NonBlank, Nullable, StringEnum, Timestamp } from '../../http/schema-helpers.js';
import type { MessageView } from '../messages/messages.schemas.js';

export const TICKET_STATUSES = ['open', 'resolved', 'pending'] as const;
export const TICKET_CHANNELS = ['widget', 'email', 'telegram', 'api'] as const;
export const TICKET_SORTS = ['created_asc', 'created_desc', 'updated_desc'] as const;
export type TicketSort = (typeof TICKET_SORTS)[number];

export const MAX_TAGS = 50;
const Tag = NonBlank({ maxLength: 64, description: 'A tag name; surrounding spaces are trimmed.' });
const Tags = Type.Array(Tag, {
  maxItems: MAX_TAGS,
  description: 'Tag names, in the order given; duplicates are dropped.',
});
const AgentId = Type.String({
  minLength: 1,
  maxLength: 100,
  description: 'The id of an active agent of this organization.',
});

export const TicketCustomer = Type.Object({
  id: Type.String({ examples: ['cus_01hsxq3f8m2v9k4c7b6n5p0r1t'] }),
  name: Nullable(Type.String(), { examples: ['Alice Johnson'] }),
  email: Nullable(Type.String(), { examples: ['alice@example.com'] }),
  userId: Type.Optional(
    Type.String({ description: "The company's own id for this person, when known.", examples: ['usr_abc'] }),
  ),
});

const ticketProperties = {
  id: Type.String({ examples: ['tkt_01hsxq3f8m2v9k4c7b6n5p0r1t'] }),
  orgId: Type.String({ examples: ['org_01hsxq1a2b3c4d5e6f7g8h9j0k'] }),
  status: StringEnum(TICKET_STATUSES),
  channel: StringEnum(TICKET_CHANNELS),
  subject: Type.String({ examples: ["Can't log into my account"] }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  customer: TicketCustomer,
  assignedTo: Nullable(Type.String(), {
    description: 'Agent id, or null when unassigned.',
    examples: ['agent_01hsxq…'],
  }),
  tags: Type.Array(Type.String(), { examples: [['billing', 'urgent']] }),
};

export const Ticket = Type.Object(ticketProperties, { $id: 'Ticket' });
export type TicketView = Static<typeof Ticket>;

export const TicketWithMessages = Type.Object(
  { ...ticketProperties, messages: Type.Array(Type.Ref('Message'), { description: 'Oldest first.' }) },
  { $id: 'TicketWithMessages' },
);
export type TicketWithMessagesView = TicketView & { messages: MessageView[] };

export const TicketList = Type.Object(
  {
    data: Type.Array(Type.Ref('Ticket')),
    meta: Type.Object({
      total: Type.Integer({ examples: [142] }),
      page: Type.Integer({ examples: [1] }),
      perPage: Type.Integer({ examples: [25] }),
    }),
  },
  { $id: 'TicketList' },
);

export const ListTicketsQuery = Type.Object(
  {
    status: Type.Optional(StringEnum(TICKET_STATUSES, { description: 'Filter by status.' })),
    channel: Type.Optional(StringEnum(TICKET_CHANNELS, { description: 'Filter by channel.' })),
    assignedTo: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'An agent id, or "unassigned" for unassigned tickets.',
      }),
    ),
    tag: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'Only tickets with this tag.' }),
    ),
    page: Type.Integer({ minimum: 1, maximum: 10_000_000, default: 1, description: 'Page number, from 1.' }),
    per_page: Type.Integer({
      minimum: 1,
      maximum: 100,
      default: 25,
      description: 'Results per page, 1–100.',
    }),
    sort: StringEnum(TICKET_SORTS, { default: 'created_desc', description: 'Sort order.' }),
  },
  { additionalProperties: false },
);
export type ListTicketsQuery = Static<typeof ListTicketsQuery>;

export const TicketParams = Type.Object({ id: Type.String({ description: 'Ticket id (tkt_…).' }) });

export const CreateTicketBody = Type.Object(
  {
    channel: Type.Optional(
      StringEnum(['api'], { description: 'Tickets created through the API are on the api channel.' }),
    ),
    subject: NonBlank({ maxLength: 500 }),
    customer: Type.Object(
      {
        name: Type.Optional(Type.String({ maxLength: 200 })),
        email: Type.String({ format: 'email', maxLength: 254 }),
        userId: Type.Optional(
          Type.String({ minLength: 1, maxLength: 200, description: "The company's own id for this person." }),
        ),
      },
      { additionalProperties: false },
    ),
    message: NonBlank({ maxLength: 100_000, description: "The customer's first message." }),
    tags: Type.Optional(Tags),
    status: Type.Optional(StringEnum(TICKET_STATUSES, { description: 'Defaults to open.' })),
    assignedTo: Type.Optional(Nullable(AgentId)),
  },
  {
    additionalProperties: false,
    examples: [
      {
        channel: 'api',
        subject: 'Password reset not working',
        customer: { name: 'Bob Smith', email: 'bob@example.com' },
        message: "I clicked 'Forgot Password' but the email never arrived.",
        tags: ['password', 'email-delivery'],
      },
    ],
  },
);
export type CreateTicketBody = Static<typeof CreateTicketBody>;

export const UpdateTicketBody = Type.Object(
  {
    status: Type.Optional(StringEnum(TICKET_STATUSES)),
    assignedTo: Type.Optional(Nullable(AgentId)),
    tags: Type.Optional(Tags),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    examples: [{ status: 'resolved', assignedTo: 'agent_456', tags: ['billing'] }],
  },
);
export type UpdateTicketBody = Static<typeof UpdateTicketBody>;
