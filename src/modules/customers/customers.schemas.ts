import { Type, type Static } from 'typebox';
import { cursorParams, ListMeta, PageParams } from '../../http/pagination.js';
import { NonBlank, Nullable, StringEnum, Timestamp } from '../../http/schema-helpers.js';

export const CUSTOMER_SORTS = ['created_desc', 'created_asc', 'name_asc', 'updated_desc'] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];
/** Sorts whose order is the id's, so a cursor (an id) marks a stable position. */
export const CURSOR_SORTS: readonly CustomerSort[] = ['created_desc', 'created_asc'];

export const MAX_CUSTOM_FIELDS = 50;
export const MAX_CUSTOM_FIELD_KEY = 64;
const MAX_CUSTOM_FIELD_TEXT = 1000;

export type CustomFieldValue = string | number | boolean;
export type CustomFields = Record<string, CustomFieldValue>;

const CustomFieldsView = Type.Record(
  Type.String(),
  Type.Union([Type.String(), Type.Number(), Type.Boolean()]),
  {
    description: "The organization's own fields for this customer.",
    examples: [{ plan: 'pro', seats: 12, vip: true }],
  },
);

export const Customer = Type.Object(
  {
    id: Type.String({ examples: ['cus_01hsxq3f8m2v9k4c7b6n5p0r1t'] }),
    name: Nullable(Type.String(), { examples: ['Alice Johnson'] }),
    email: Nullable(Type.String(), { examples: ['alice@example.com'] }),
    phone: Nullable(Type.String(), { examples: ['+1 (555) 010-2030'] }),
    company: Nullable(Type.String(), { examples: ['Acme Inc.'] }),
    userId: Nullable(Type.String(), {
      description:
        "The company's own id for this person: verified (set with a secret API key or a signed widget identity, unique within the organization) or, when userIdVerified is false, only claimed by a widget visitor without a signature.",
      examples: ['usr_abc'],
    }),
    userIdVerified: Type.Boolean({
      description:
        'true when userId is verified; false when it is only a claim (an unsigned widget identity or visitorId) or there is none. A claimed userId never joins the verified customer with that id.',
    }),
    claimedEmail: Nullable(Type.String(), {
      description:
        'An address a widget visitor typed that another customer already has. Unverified, so the conversation stays with this customer instead of being attributed to that one.',
    }),
    customFields: CustomFieldsView,
    ticketCount: Type.Integer({ description: "How many tickets are this customer's.", examples: [3] }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Customer' },
);
export type CustomerView = Static<typeof Customer>;

export const CustomerList = Type.Object(
  { data: Type.Array(Type.Ref('Customer')), meta: ListMeta },
  { $id: 'CustomerList' },
);

export const ListCustomersQuery = Type.Object(
  {
    email: Type.Optional(
      Type.String({ minLength: 1, maxLength: 254, description: 'Exact email, compared case-insensitively.' }),
    ),
    userId: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: "Exact userId (the company's own id)." }),
    ),
    search: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Case-insensitive substring of the name, email or phone.',
      }),
    ),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Alias of search.' })),
    sort: StringEnum(CUSTOMER_SORTS, {
      default: 'created_desc',
      description:
        'Sort order. Cursor paging (limit/startingAfter) supports created_desc and created_asc only; name_asc puts customers without a name last.',
    }),
    ...PageParams,
    ...cursorParams('cus'),
  },
  { additionalProperties: false },
);
export type ListCustomersQuery = Static<typeof ListCustomersQuery>;

export const CustomerParams = Type.Object({ id: Type.String({ description: 'Customer id (cus_…).' }) });

const Name = NonBlank({ maxLength: 200, description: 'Surrounding spaces are trimmed.' });
const Email = Type.String({
  format: 'email',
  maxLength: 254,
  description: 'Unique within the organization, compared case-insensitively.',
});
const Phone = NonBlank({
  maxLength: 50,
  description: 'Digits, spaces and + ( ) - . / characters; at least 3 digits.',
});
const Company = NonBlank({ maxLength: 200 });
const UserId = NonBlank({
  maxLength: 200,
  description: "The company's own id for this person; unique within the organization.",
});

function customFieldsInput(description: string) {
  return Type.Record(
    Type.String(),
    Nullable(Type.Union([Type.String({ maxLength: MAX_CUSTOM_FIELD_TEXT }), Type.Number(), Type.Boolean()])),
    {
      maxProperties: MAX_CUSTOM_FIELDS,
      description: `${description} Keys are 1–${MAX_CUSTOM_FIELD_KEY} characters; values are strings (up to ${MAX_CUSTOM_FIELD_TEXT} characters), numbers or booleans; at most ${MAX_CUSTOM_FIELDS} fields per customer.`,
    },
  );
}

export const CreateCustomerBody = Type.Object(
  {
    name: Type.Optional(Nullable(Name)),
    email: Type.Optional(Nullable(Email)),
    phone: Type.Optional(Nullable(Phone)),
    company: Type.Optional(Nullable(Company)),
    userId: Type.Optional(Nullable(UserId)),
    customFields: Type.Optional(customFieldsInput('Null values are ignored.')),
  },
  {
    additionalProperties: false,
    description: 'At least one of name, email, phone or userId is required.',
    examples: [
      {
        name: 'Alice Johnson',
        email: 'alice@example.com',
        company: 'Acme Inc.',
        userId: 'usr_abc',
        customFields: { plan: 'pro' },
      },
    ],
  },
);
export type CreateCustomerBody = Static<typeof CreateCustomerBody>;

export const UpdateCustomerBody = Type.Object(
  {
    name: Type.Optional(Nullable(Name)),
    email: Type.Optional(Nullable(Email)),
    phone: Type.Optional(Nullable(Phone)),
    company: Type.Optional(Nullable(Company)),
    userId: Type.Optional(Nullable(UserId)),
    customFields: Type.Optional(
      customFieldsInput('Merged into the existing fields: keys sent are set, a null value removes the key.'),
    ),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description:
      'Only the fields sent change; null clears a field. The customer must keep at least one of name, email, phone or userId.',
    examples: [{ phone: '+1 555 010 2030', customFields: { plan: 'enterprise', trial: null } }],
  },
);
export type UpdateCustomerBody = Static<typeof UpdateCustomerBody>;

export const MergeCustomerBody = Type.Object(
  {
    sourceId: Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'The customer merged into this one; it is deleted afterwards.',
    }),
  },
  { additionalProperties: false, examples: [{ sourceId: 'cus_01hsxq3f8m2v9k4c7b6n5p0r1t' }] },
);
export type MergeCustomerBody = Static<typeof MergeCustomerBody>;
