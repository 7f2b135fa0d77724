import { Type, type Static } from 'typebox';
import { cursorParam, cursorParams, ListMeta, PageParams } from '../../http/pagination.js';
import { NonBlank, Nullable, StringEnum, Timestamp } from '../../http/schema-helpers.js';
import type { MessageView } from '../messages/messages.schemas.js';

export const TICKET_STATUSES = ['open', 'resolved', 'pending'] as const;
export const TICKET_CHANNELS = ['widget', 'email', 'telegram', 'api'] as const;
export const TICKET_SORTS = [
  'created_asc',
  'created_desc',
  'updated_desc',
  'priority_desc',
  'relevance',
] as const;
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
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
  userIdVerified: Type.Optional(
    Type.Boolean({
      description: 'With userId: false when it is only claimed by a widget visitor (unsigned), not verified.',
    }),
  ),
});

/** The org's own fields: string keys with scalar values. */
export const CustomFields = Type.Record(
  Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }),
  Type.Union([Type.String({ maxLength: 1000 }), Type.Number(), Type.Boolean(), Type.Null()]),
  {
    maxProperties: 50,
    additionalProperties: false,
    description:
      'Your own fields (up to 50; keys of letters, digits, _ . -). On PATCH, keys are merged and a null value removes a key.',
    examples: [{ orderId: 'A-10482', plan: 'pro', seats: 12 }],
  },
);

const ticketProperties = {
  id: Type.String({ examples: ['tkt_01hsxq3f8m2v9k4c7b6n5p0r1t'] }),
  orgId: Type.String({ examples: ['org_01hsxq1a2b3c4d5e6f7g8h9j0k'] }),
  number: Type.Integer({ description: 'Sequential per organization.', examples: [42] }),
  code: Type.String({
    description: 'Human reference, accepted wherever a ticket id is.',
    examples: ['ACME-42'],
  }),
  status: StringEnum(TICKET_STATUSES),
  priority: StringEnum(TICKET_PRIORITIES),
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
  customFields: Type.Record(Type.String(), Type.Unknown(), {
    description: 'Your own fields on this ticket.',
    examples: [{ orderId: 'A-10482', plan: 'pro', seats: 12, refundRequested: true }],
  }),
  mergedInto: Nullable(Type.String(), { description: 'Set when this ticket was merged into another.' }),
  timeSpentMinutes: Type.Integer({ description: 'Sum of the ticket’s time entries.' }),
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
    meta: ListMeta,
  },
  {
    $id: 'TicketList',
    description:
      'Page paging: meta is {total, page, perPage}. Cursor paging (limit/startingAfter): meta is {limit, nextCursor}.',
  },
);

/** The narrowing filters a ticket list and the inbox's counts share (everything but status). */
const ticketFilterProperties = {
  channel: Type.Optional(StringEnum(TICKET_CHANNELS, { description: 'Filter by channel.' })),
  assignedTo: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 100,
      description:
        'An agent id, "unassigned" for unassigned tickets, or "me" for the calling agent\'s (an API key is no agent: 400).',
    }),
  ),
  tag: Type.Optional(
    Type.String({ minLength: 1, maxLength: 64, description: 'Only tickets with this tag.' }),
  ),
  priority: Type.Optional(StringEnum(TICKET_PRIORITIES, { description: 'Filter by priority.' })),
  customerId: Type.Optional(
    Type.String({ minLength: 1, maxLength: 100, description: 'Only this customer’s tickets.' }),
  ),
  createdAfter: Type.Optional(
    Type.String({ format: 'date-time', description: 'Created strictly after this instant.' }),
  ),
  createdBefore: Type.Optional(
    Type.String({ format: 'date-time', description: 'Created strictly before this instant.' }),
  ),
  updatedAfter: Type.Optional(
    Type.String({ format: 'date-time', description: 'Updated strictly after this instant.' }),
  ),
  search: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'Full text over subject, messages and customer name/email; ranked.',
    }),
  ),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Alias of search.' })),
};

export const ListTicketsQuery = Type.Object(
  {
    status: Type.Optional(StringEnum(TICKET_STATUSES, { description: 'Filter by status.' })),
    ...ticketFilterProperties,
    ...PageParams,
    ...cursorParams('tkt'),
    // A ticket's code (ACME-42) names a position as well as its id does.
    startingAfter: cursorParam(
      'Cursor paging: the id or code of the last ticket of the previous page (meta.nextCursor).',
      '^(?:tkt_[0-9a-z]{1,40}|[A-Za-z0-9]{1,10}-[0-9]{1,15})$',
    ),
    sort: Type.Optional(
      StringEnum(TICKET_SORTS, {
        description:
          'Sort order. Default created_desc, or relevance (best match first) when searching; relevance needs a search and page paging.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ListTicketsQuery = Static<typeof ListTicketsQuery>;

export const TicketCountsQuery = Type.Object(ticketFilterProperties, { additionalProperties: false });
export type TicketCountsQuery = Static<typeof TicketCountsQuery>;

const StatusCounts = Type.Object(
  {
    total: Type.Integer({ description: 'Tickets in the view, whatever their status.' }),
    open: Type.Integer(),
    pending: Type.Integer(),
    resolved: Type.Integer(),
  },
  { description: 'Tickets in the view: in all, and per status (one key per status).' },
);

export const TicketCounts = Type.Object({
  all: StatusCounts,
  mine: Nullable(StatusCounts, { description: "The calling agent's tickets; null for an API key." }),
  unassigned: StatusCounts,
});
// One key per status: adding a status without its count is a type error here.
export type StatusCountsView = Static<typeof StatusCounts> & Record<(typeof TICKET_STATUSES)[number], number>;
export type TicketCountsView = Static<typeof TicketCounts>;

export const TicketParams = Type.Object({
  id: Type.String({ description: 'Ticket id (tkt_…) or code (ACME-42).' }),
});

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
    priority: Type.Optional(StringEnum(TICKET_PRIORITIES, { description: 'Defaults to normal.' })),
    assignedTo: Type.Optional(Nullable(AgentId)),
    customFields: Type.Optional(CustomFields),
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
    priority: Type.Optional(StringEnum(TICKET_PRIORITIES)),
    assignedTo: Type.Optional(Nullable(AgentId)),
    tags: Type.Optional(Tags),
    subject: Type.Optional(NonBlank({ maxLength: 500 })),
    customFields: Type.Optional(CustomFields),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    examples: [{ status: 'resolved', assignedTo: 'agent_456', tags: ['billing'] }],
  },
);
export type UpdateTicketBody = Static<typeof UpdateTicketBody>;

export const MergeTicketBody = Type.Object(
  {
    sourceId: Type.String({
      minLength: 1,
      maxLength: 100,
      description:
        'The ticket to merge into this one: its messages move here and it is resolved with mergedInto set.',
    }),
  },
  { additionalProperties: false },
);
