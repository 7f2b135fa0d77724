import { describe, expect, it } from 'vitest';
import { databaseError, isEnvironmentError, reasonOf, redactUrl } from '../src/cli/startup.js';

const failure = (code: string, message = 'raw driver text') => Object.assign(new Error(message), { code });

describe('start-up error lines', () => {
  it('turn system and driver codes into words, keeping the code to search for', () => {
    expect(reasonOf(failure('EADDRINUSE'))).toBe('address already in use (EADDRINUSE)');
    expect(reasonOf(failure('SQLITE_READONLY_DIRECTORY'))).toBe(
      'the database is read-only (SQLITE_READONLY_DIRECTORY)',
    );
    expect(reasonOf(failure('3D000', 'database "x" does not exist'))).toBe(
      'database "x" does not exist (3D000)',
    );
  });

  it('never print a password', () => {
    expect(redactUrl('postgres://u:hunter2@db:5432/talki')).toBe('postgres://u:***@db:5432/talki');
    expect(redactUrl('rediss://:hunter2@cache:6380')).not.toContain('hunter2');
  });

  it('name the setting that points at the database', () => {
    const sqlite = { databaseUrl: undefined, dataDir: '/srv/talki' };
    expect(databaseError(sqlite, failure('EACCES')).message).toBe(
      'cannot use the data directory /srv/talki: permission denied (EACCES) — check TALKI_DATA_DIR',
    );
    expect(
      databaseError(
        { ...sqlite, databaseUrl: 'postgres://a:b@h/d' },
        failure('28P01', 'password authentication failed'),
      ).message,
    ).toBe(
      'cannot use the PostgreSQL database postgres://a:***@h/d: password authentication failed (28P01) — check DATABASE_URL',
    );
  });

  // A failing migration statement is a bug to see with its stack, not a setting to check.
  it('tell the machine’s problems from Talki’s own', () => {
    for (const code of ['EACCES', 'ENOSPC', 'SQLITE_READONLY', 'SQLITE_IOERR_WRITE', '42501', '25006']) {
      expect({ code, environment: isEnvironmentError(failure(code)) }).toEqual({ code, environment: true });
    }
    for (const code of ['SQLITE_ERROR', 'SQLITE_CONSTRAINT_UNIQUE', '42P01', '42601']) {
      expect({ code, environment: isEnvironmentError(failure(code)) }).toEqual({ code, environment: false });
    }
    expect(isEnvironmentError(new Error('no code'))).toBe(false);
  });
});
