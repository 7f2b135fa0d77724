import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobNotFoundError, type BlobStorage } from './storage.js';

/** One key segment: what Talki's ids look like. Anything else could climb out of the root. */
const SEGMENT = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * Blobs as files under one root folder, `<root>/<org>/<id>`. A write goes to a temporary file
 * in the same folder and is renamed into place, so a reader never sees half a file.
 */
export class LocalBlobStorage implements BlobStorage {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    const segments = key.split('/');
    if (segments.length < 1 || segments.length > 3 || !segments.every((s) => SEGMENT.test(s))) {
      throw new Error(`Invalid storage key: ${JSON.stringify(key)}`);
    }
    return path.join(this.root, ...segments);
  }

  async put(key: string, body: Readable | Buffer): Promise<{ size: number; sha256: string }> {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${randomBytes(8).toString('hex')}.tmp`;
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      await pipeline(
        Buffer.isBuffer(body) ? Readable.from([body]) : body,
        meter,
        // flush: the bytes are on disk before the rename makes them visible.
        createWriteStream(temp, { flags: 'wx', mode: 0o600, flush: true }),
      );
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return { size, sha256: hash.digest('hex') };
  }

  async get(key: string): Promise<Readable> {
    // Opened first so that a missing file rejects here, not later as a stream error mid-response.
    const handle = await open(this.pathOf(key), 'r').catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? new BlobNotFoundError(key) : error;
    });
    return handle.createReadStream();
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}
