import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  engines: { node: string };
};
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
};

describe('the Node version package.json promises', () => {
  // npm install warns (EBADENGINE) for every locked package whose engines.node excludes the running Node.
  it('is admitted by every locked package', () => {
    const floor = semver.minVersion(manifest.engines.node)!.version;
    const refusing = Object.entries(lock.packages)
      .filter(([name, entry]) => {
        const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
        return name !== '' && range !== undefined && !semver.satisfies(floor, range);
      })
      .map(([name, entry]) => `${name}@${entry.version} (node ${JSON.stringify(entry.engines)})`);
    expect(refusing).toEqual([]);
  });

  it('is the Node this test runs on or older', () => {
    expect(semver.satisfies(process.version, manifest.engines.node)).toBe(true);
  });
});
