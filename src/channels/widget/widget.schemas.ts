import { Type, type Static } from 'typebox';
import { NonBlank, Nullable, StringEnum, Timestamp } from '../../http/schema-helpers.js';
import { MAX_ATTACHMENTS } from '../../modules/uploads/uploads.schemas.js';

/** How every widget call authenticates: the org's public key, never a secret one. */
export const WidgetKeyHeaders = Type.Object({
  'x-talki-widget-key': Type.Optional(
    Type.String({
      description:
        "The organization's public widget key (talki_pk_…); `Authorization: Bearer <widget key>` works too. Secret keys are refused (403).",
    }),
  ),
});

/** Calls about a visitor's conversations also carry the token POST /widget/v1/session handed out. */
export const VisitorHeaders = Type.Object({
  ...WidgetKeyHeaders.properties,
  'x-talki-visitor-token': Type.String({
    description: 'The visitor token from POST /widget/v1/session (talki_vt_…).',
  }),
});

export const NoQuery = Type.Object({}, { additionalProperties: false });

export const PublicSettings = Type.Object(
  {
    title: Type.String({ examples: ['Chat with us'] }),
    greeting: Type.String({ examples: ['Hi! How can we help?'] }),
    color: Type.String({ description: 'Accent colour, #rrggbb.', examples: ['#4f46e5'] }),
    requireEmail: Type.Boolean({ description: 'Whether a new conversation needs an email address.' }),
  },
  { description: "The widget's appearance, as the admin set it." },
);
export type PublicSettingsView = Static<typeof PublicSettings>;

export const SessionBody = Type.Object(
  {
    visitorToken: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'The token this browser was given before; reused while it is valid.',
      }),
    ),
    visitorId: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          "Older snippets' visitor id: recorded as a claimed (unverified) userId when no identity is sent, never a proof of who the visitor is; ignored when the widget requires signed identities.",
      }),
    ),
    identity: Type.Optional(
      Type.Object(
        {
          userId: Type.String({
            minLength: 1,
            maxLength: 200,
            description:
              "The site's own id of the user: verified with a signature, otherwise only claimed (or refused when the widget requires signed identities).",
          }),
          signature: Type.Optional(
            Type.String({
              maxLength: 200,
              description: "hex HMAC-SHA256 of userId keyed by the widget's identity secret.",
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type SessionBody = Static<typeof SessionBody>;

export const Session = Type.Object({
  token: Type.String({
    description: 'Send as X-Talki-Visitor-Token; keep it (e.g. in localStorage) to see past conversations.',
  }),
  visitor: Type.Object({
    id: Type.String({ examples: ['vis_01hsxq…'] }),
    userId: Nullable(Type.String(), {
      description: 'From a signed identity (verified) or an unsigned one or visitorId (claimed).',
    }),
    verified: Type.Boolean({
      description: 'Whether userId was signed; a claimed one sees only its own conversations.',
    }),
    name: Nullable(Type.String()),
    email: Nullable(Type.String()),
  }),
  settings: PublicSettings,
});
export type SessionView = Static<typeof Session>;

const widgetFile = {
  id: Type.String({ examples: ['upl_01hsxq9d…'] }),
  name: Type.String({ examples: ['screenshot.png'] }),
  size: Type.Integer({ description: 'Bytes.' }),
  contentType: Type.String({ examples: ['image/png'] }),
  url: Type.String({
    description: 'Where to download it, with the widget key and visitor token.',
    examples: ['/widget/v1/uploads/upl_01hsxq9d…/content'],
  }),
};
export const WidgetFile = Type.Object(widgetFile);
export type WidgetFileView = Static<typeof WidgetFile>;

export const WidgetMessage = Type.Object({
  id: Type.String({ examples: ['msg_01hsxq5n…'] }),
  conversationId: Type.String({ examples: ['tkt_01hsxq…'] }),
  role: StringEnum(['customer', 'agent']),
  text: Type.String(),
  agentName: Type.Optional(
    Type.String({
      description:
        "On agent messages: the agent's name, or the organization's support name for replies no person wrote (API keys).",
    }),
  ),
  attachments: Type.Array(WidgetFile),
  createdAt: Timestamp,
});
export type WidgetMessageView = Static<typeof WidgetMessage>;

const conversationProperties = {
  id: Type.String({ examples: ['tkt_01hsxq…'] }),
  code: Type.String({ examples: ['ACME-42'] }),
  subject: Type.String(),
  status: StringEnum(['open', 'pending', 'resolved']),
  createdAt: Timestamp,
  updatedAt: Timestamp,
};

export const ConversationSummary = Type.Object({
  ...conversationProperties,
  lastMessage: Nullable(WidgetMessage),
});
export type ConversationSummaryView = Static<typeof ConversationSummary>;

export const Conversation = Type.Object({
  ...conversationProperties,
  messages: Type.Array(WidgetMessage, { description: 'Oldest first; customer and agent messages only.' }),
});
export type ConversationView = Static<typeof Conversation>;

export const ConversationList = Type.Object({
  data: Type.Array(ConversationSummary),
  meta: Type.Object({
    limit: Type.Integer(),
    nextCursor: Nullable(Type.String(), { description: 'Pass as startingAfter for more; null at the end.' }),
  }),
});

export const ListConversationsQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 50, default: 20, description: 'Conversations, 1–50.' }),
    startingAfter: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'meta.nextCursor of the previous page.' }),
    ),
  },
  { additionalProperties: false },
);
export type ListConversationsQuery = Static<typeof ListConversationsQuery>;

const attachments = Type.Optional(
  Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
    maxItems: MAX_ATTACHMENTS,
    description: 'Ids of files uploaded first with POST /widget/v1/uploads.',
  }),
);

export const StartConversationBody = Type.Object(
  {
    text: NonBlank({ maxLength: 10_000 }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    subject: Type.Optional(Type.String({ maxLength: 200 })),
    attachments,
  },
  { additionalProperties: false },
);
export type StartConversationBody = Static<typeof StartConversationBody>;

export const SendMessageBody = Type.Object(
  { text: NonBlank({ maxLength: 10_000 }), attachments },
  { additionalProperties: false },
);
export type SendMessageBody = Static<typeof SendMessageBody>;

export const ConversationParams = Type.Object({
  id: Type.String({ maxLength: 100, description: 'Conversation (ticket) id, tkt_….' }),
});

export const MessagesQuery = Type.Object(
  {
    after: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'The id of the newest message the widget has: only later ones are returned.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const WidgetMessageList = Type.Object({ data: Type.Array(WidgetMessage) });

export const WidgetUploadList = Type.Object({ data: Type.Array(WidgetFile) });

export const UploadParams = Type.Object({ id: Type.String({ maxLength: 100, description: 'upl_…' }) });
