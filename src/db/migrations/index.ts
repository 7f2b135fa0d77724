import type { Migration } from 'kysely';
import * as core from './0001_core.js';
import * as helpdesk from './0002_helpdesk.js';
import * as auth from './0003_auth.js';
import * as customers from './0004_customers.js';
import * as search from './0005_search.js';
import * as knowledgeBase from './0006_knowledge_base.js';
import * as timeEntriesUploads from './0007_time_entries_uploads.js';
import * as channels from './0008_channels.js';
import * as identity from './0009_identity.js';
import * as invitations from './0010_invitations.js';
import * as inboundMail from './0011_inbound_mail.js';
import * as eventStream from './0012_event_stream.js';
import * as cannedReplies from './0013_canned_replies.js';

/** Every migration, in order. Names are permanent: they are recorded in the database. */
export const migrations: Record<string, Migration> = {
  '0001_core': core,
  '0002_helpdesk': helpdesk,
  '0003_auth': auth,
  '0004_customers': customers,
  '0005_search': search,
  '0006_knowledge_base': knowledgeBase,
  '0007_time_entries_uploads': timeEntriesUploads,
  '0008_channels': channels,
  '0009_identity': identity,
  '0010_invitations': invitations,
  '0011_inbound_mail': inboundMail,
  '0012_event_stream': eventStream,
  '0013_canned_replies': cannedReplies,
};
