import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../src/channels/secret-box.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './support/databases.js';

describe.each(DIALECTS)('channel secrets at rest (%s)', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await database.drop();
  });

  const SECRET = { botToken: '123456:very-secret-token' };

  it('seals with AES-GCM: no plaintext, a fresh IV each time, tampering detected', () => {
    const box = SecretBox.fromKey('k'.repeat(32));
    const a = box.seal(SECRET);
    const b = box.seal(SECRET);
    expect(a).not.toContain('very-secret');
    expect(a).not.toBe(b);
    expect(box.open(a)).toEqual(SECRET);
    const parts = a.split('.');
    const body = Buffer.from(parts[4]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[4] = body.toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
    expect(() => SecretBox.fromKey('x'.repeat(32)).open(a)).toThrow(/another key/);
  });

  it('generates one key per database, and keeps its secrets readable once TALKI_ENCRYPTION_KEY is set', async () => {
    const db = database.db.kysely;
    const generated = await SecretBox.open(db, { encryptionKey: undefined });
    const again = await SecretBox.open(db, { encryptionKey: undefined });
    const old = generated.seal(SECRET);
    expect(again.open(old)).toEqual(SECRET);
    const configured = await SecretBox.open(db, { encryptionKey: 'c'.repeat(32) });
    expect(configured.open(old)).toEqual(SECRET);
    const resealed = configured.seal(SECRET);
    expect(() => generated.open(resealed)).toThrow(/another key/);
    expect(SecretBox.fromKey('c'.repeat(32)).open(resealed)).toEqual(SECRET);
  });
});
