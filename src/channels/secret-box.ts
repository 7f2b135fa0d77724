import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/schema.js';

const GENERATED_KEY = 'channel_encryption_key';
const VERSION = 'v1';

/**
 * Encrypts channel secrets (bot tokens, SMTP passwords) at rest with AES-256-GCM. The key is
 * TALKI_ENCRYPTION_KEY hashed to 256 bits, or a random one generated once and kept in the
 * database. A sealed value records which key sealed it (a short fingerprint), so a changed key
 * is reported as such instead of as corrupt data.
 */
export class SecretBox {
  private constructor(
    private readonly key: Buffer,
    private readonly keyId: string,
  ) {}

  static fromKey(material: string): SecretBox {
    const key = createHash('sha256').update(material).digest();
    return new SecretBox(key, createHash('sha256').update(key).digest('hex').slice(0, 8));
  }

  /** The configured key, or the database's generated one (created on first use, shared by every process). */
  static async open(db: Kysely<Database>, config: Pick<Config, 'encryptionKey'>): Promise<SecretBox> {
    if (config.encryptionKey) return SecretBox.fromKey(config.encryptionKey);
    await db
      .insertInto('server_secrets')
      .values({ name: GENERATED_KEY, value: randomBytes(32).toString('base64url'), created_at: Date.now() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await db
      .selectFrom('server_secrets')
      .select('value')
      .where('name', '=', GENERATED_KEY)
      .executeTakeFirstOrThrow();
    return SecretBox.fromKey(row.value);
  }

  seal(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return [
      VERSION,
      this.keyId,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      body.toString('base64url'),
    ].join('.');
  }

  open<T>(sealed: string): T {
    const [version, keyId, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || body === undefined)
      throw new Error('not a sealed channel secret');
    if (keyId !== this.keyId) {
      throw new Error('channel secrets were sealed with another key: was TALKI_ENCRYPTION_KEY changed?');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const text = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
    return JSON.parse(text) as T;
  }
}
