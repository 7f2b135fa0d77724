import { Type } from 'typebox';
import { StringEnum, Timestamp } from '../../http/schema-helpers.js';

export const Invitation = Type.Object({
  id: Type.String({
    description: 'The invitation id (the inviting org sees it as the agent id until you accept).',
  }),
  org: Type.Object({ id: Type.String(), name: Type.String() }),
  role: StringEnum(['admin', 'agent'], { description: 'Your role there once you accept.' }),
  createdAt: Timestamp,
});

export const InvitationList = Type.Object({
  data: Type.Array(Invitation),
  meta: Type.Object({ total: Type.Integer(), page: Type.Integer(), perPage: Type.Integer() }),
});

export const JoinedOrg = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: StringEnum(['admin', 'agent']),
  active: Type.Boolean({ description: 'False when the org had deactivated the pending invitation.' }),
});

export const InvitationParams = Type.Object({ id: Type.String({ description: 'Invitation id.' }) });
export const OrgParams = Type.Object({ orgId: Type.String({ description: 'Organization id (org_…).' }) });
