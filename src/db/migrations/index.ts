import type { Migration } from 'kysely';
import * as core from './0001_core.js';
import * as helpdesk from './0002_helpdesk.js';

/** Every migration, in order. Names are permanent: they are recorded in the database. */
export const migrations: Record<string, Migration> = {
  '0001_core': core,
  '0002_helpdesk': helpdesk,
};
