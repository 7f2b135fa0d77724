import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import openapiTS, { astToString } from 'openapi-typescript';
import { describe, expect, it } from 'vitest';

describe('the web app’s API types', () => {
  it('are generated from the current OpenAPI document (run `npm run web:api-types` after an API change)', async () => {
    const document = execFileSync(process.execPath, ['dist/main.js', 'openapi'], { encoding: 'utf8' });
    const fresh = astToString(await openapiTS(document, { silent: true }));
    const committed = readFileSync('web/src/lib/api-schema.d.ts', 'utf8');
    expect(committed.slice(committed.indexOf('export'))).toBe(fresh.slice(fresh.indexOf('export')));
  }, 60_000);
});
