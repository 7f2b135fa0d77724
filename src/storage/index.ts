import path from 'node:path';
import type { Config } from '../config.js';
import { LocalBlobStorage } from './local.js';
import type { BlobStorage } from './storage.js';

export { BlobNotFoundError, type BlobStorage } from './storage.js';

/** The storage this server uses: files under `<TALKI_DATA_DIR>/uploads` (an object store could go here). */
export function openBlobStorage(config: Pick<Config, 'dataDir'>): BlobStorage {
  return new LocalBlobStorage(path.join(config.dataDir, 'uploads'));
}
