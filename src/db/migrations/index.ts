import type { Migration } from 'kysely';
import * as core from './0001_core.js';

/** Every migration, in order. Names are permanent: they are recorded in the database. */
export const migrations: Record<string, Migration> = {
  '0001_core': core,
};
