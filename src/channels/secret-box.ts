import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/schema.js';

const GENERATED_KEY = 'channel_encryption_key';

function macWith(key: Buffer, purpose: string, value: string, length: number): string {
  const derived = createHmac('sha256', key).update(`talki:${purpose}`).digest();
  return createHmac('sha256', derived).update(value).digest('hex').slice(0, length);
}
const VERSION = 'v1';

interface Key {
  id: string;
  bytes: Buffer;
}

function keyOf(material: string): Key {
  const bytes = createHash('sha256').update(material).digest();
  return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 8), bytes };
}

/**
 * Encrypts channel secrets (bot tokens, SMTP passwords) at rest with AES-256-GCM. The key is
 * TALKI_ENCRYPTION_KEY hashed to 256 bits, or a random one generated once and kept in the
 * database. A sealed value records which key sealed it (a short fingerprint): values sealed
 * with the generated key stay readable after TALKI_ENCRYPTION_KEY is set (and are sealed with
 * it when next saved), and a value no known key sealed is reported as such, not as corrupt data.
 */
export class SecretBox {
  private readonly readable: Map<string, Buffer>;

  private constructor(
    private readonly sealing: Key,
    older: Key[] = [],
  ) {
    this.readable = new Map([sealing, ...older].map((key) => [key.id, key.bytes]));
  }

  static fromKey(material: string): SecretBox {
    return new SecretBox(keyOf(material));
  }

  /** The configured key (reading what the generated one sealed too), or the generated one. */
  static async open(db: Kysely<Database>, config: Pick<Config, 'encryptionKey'>): Promise<SecretBox> {
    if (config.encryptionKey) {
      const generated = await db
        .selectFrom('server_secrets')
        .select('value')
        .where('name', '=', GENERATED_KEY)
        .executeTakeFirst();
      return new SecretBox(keyOf(config.encryptionKey), generated ? [keyOf(generated.value)] : []);
    }
    // Created on first use and shared by every process of this database.
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
    return new SecretBox(keyOf(row.value));
  }

  seal(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealing.bytes, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return [
      VERSION,
      this.sealing.id,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      body.toString('base64url'),
    ].join('.');
  }

  /**
   * A MAC of `value` for one purpose (a key derived per purpose, so one tag never works for
   * another), as lower-case hex of `length` characters.
   */
  mac(purpose: string, value: string, length = 24): string {
    return macWith(this.sealing.bytes, purpose, value, length);
  }

  /** Whether `tag` is this value's MAC under any key the box reads (so tags outlive a key change). */
  verifyMac(purpose: string, value: string, tag: string): boolean {
    const given = Buffer.from(tag.toLowerCase());
    return [...this.readable.values()].some((key) => {
      const expected = Buffer.from(macWith(key, purpose, value, tag.length));
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
  }

  open<T>(sealed: string): T {
    const [version, keyId, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || !keyId || !iv || !tag || body === undefined) {
      throw new Error('not a sealed channel secret');
    }
    const key = this.readable.get(keyId);
    if (!key) {
      throw new Error('channel secrets were sealed with another key: was TALKI_ENCRYPTION_KEY changed?');
    }
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const text = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
    return JSON.parse(text) as T;
  }
}
