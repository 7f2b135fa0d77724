import { Type, type Static } from 'typebox';
import { cursorParams, ListMeta, PageParams } from '../../http/pagination.js';
import { Nullable, Timestamp } from '../../http/schema-helpers.js';

export const MAX_MINUTES = 1440;
export const MAX_NOTE_LENGTH = 2000;

const Minutes = Type.Integer({
  minimum: 1,
  maximum: MAX_MINUTES,
  description: 'Minutes worked, 1–1440 (one day) per entry.',
  examples: [45],
});
const Note = Nullable(Type.String({ maxLength: MAX_NOTE_LENGTH }), {
  description: 'What the time was spent on (up to 2000 characters); blank becomes null.',
  examples: ['Reproduced the login bug and wrote up the fix'],
});
const Day = Type.String({
  format: 'date',
  description: "The day worked, YYYY-MM-DD. Defaults to today in the organization's time zone.",
  examples: ['2024-03-15'],
});
const agentId = (description: string) =>
  Type.String({ minLength: 1, maxLength: 100, description, examples: ['agent_01hsxq…'] });

export const TimeEntry = Type.Object({
  id: Type.String({ examples: ['time_01hsxq7c…'] }),
  ticketId: Type.String({ examples: ['tkt_01hsxq3f8m2v9k4c7b6n5p0r1t'] }),
  agentId: Nullable(Type.String(), {
    description: 'The agent the time is for; null once that agent is gone.',
  }),
  minutes: Type.Integer({ examples: [45] }),
  note: Nullable(Type.String()),
  date: Type.String({ format: 'date', examples: ['2024-03-15'] }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type TimeEntryView = Static<typeof TimeEntry>;

export const TimeEntryList = Type.Object({ data: Type.Array(TimeEntry), meta: ListMeta });

export const TimeEntryParams = Type.Object({
  id: Type.String({ description: 'Ticket id (tkt_…).' }),
  entryId: Type.String({ description: 'Time entry id (time_…).' }),
});

export const ListTimeEntriesQuery = Type.Object(
  { ...PageParams, ...cursorParams('time') },
  { additionalProperties: false },
);
export type ListTimeEntriesQuery = Static<typeof ListTimeEntriesQuery>;

export const CreateTimeEntryBody = Type.Object(
  {
    minutes: Minutes,
    note: Type.Optional(Note),
    date: Type.Optional(Day),
    agentId: Type.Optional(
      agentId('The agent the time is for. Defaults to the calling agent; with an API key, to none.'),
    ),
  },
  {
    additionalProperties: false,
    examples: [{ minutes: 45, note: 'Reproduced the login bug', date: '2024-03-15', agentId: 'agent_456' }],
  },
);
export type CreateTimeEntryBody = Static<typeof CreateTimeEntryBody>;

export const UpdateTimeEntryBody = Type.Object(
  {
    minutes: Type.Optional(Minutes),
    note: Type.Optional(Note),
    date: Type.Optional(Day),
    agentId: Type.Optional(agentId('Moves the entry to another agent of this organization.')),
  },
  { additionalProperties: false, minProperties: 1, examples: [{ minutes: 60 }] },
);
export type UpdateTimeEntryBody = Static<typeof UpdateTimeEntryBody>;
