import type { Readable } from 'node:stream';

/**
 * Where uploaded bytes live, behind the smallest interface that an object store could also
 * implement. Keys are chosen by Talki (`<org>/<id>`), never derived from a client's filename.
 */
export interface BlobStorage {
  /** Stores the whole body under `key` (replacing nothing: keys are fresh ids). */
  put(key: string, body: Readable | Buffer): Promise<{ size: number; sha256: string }>;
  /** The stored bytes; rejects with BlobNotFoundError when the key holds nothing. */
  get(key: string): Promise<Readable>;
  /** Removes the bytes; a missing key is not an error. */
  delete(key: string): Promise<void>;
}

export class BlobNotFoundError extends Error {
  constructor(key: string) {
    super(`No blob stored under ${key}`);
    this.name = 'BlobNotFoundError';
  }
}
