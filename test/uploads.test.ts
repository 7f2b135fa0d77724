/**
 * POST /v1/uploads (real multipart bodies), GET /v1/uploads/:id and /content: the type is
 * sniffed from the bytes, active types are served as downloads with nosniff, size and count
 * limits, authentication and org isolation, and the attachUploads/attachmentsOf service rules.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../src/http/caller.js';
import { createApiKey } from '../src/modules/api-keys/api-keys.service.js';
import { attachUploads, attachmentsOf } from '../src/modules/uploads/uploads.service.js';
import { client, newOrg, startTestApp, ticketBody, type Client, type TestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';

const MAX_BYTES = 3 * 1024 * 1024;
const MAX_FILES = 3;

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const HTML = '<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>';

interface UploadJson {
  id: string;
  name: string;
  size: number;
  contentType: string;
  sha256: string;
  createdAt: string;
  url: string;
}

interface Part {
  name?: string;
  bytes: Uint8Array | string;
  type?: string;
  field?: string;
}

/** A real multipart/form-data body, serialised by the platform's FormData. */
async function form(parts: Part[], fields: Record<string, string> = {}) {
  const body = new FormData();
  for (const part of parts) {
    const blob = new Blob([part.bytes], part.type ? { type: part.type } : {});
    body.append(part.field ?? 'file', blob, part.name ?? 'file.bin');
  }
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  const serialised = new Response(body);
  return {
    payload: Buffer.from(await serialised.arrayBuffer()),
    contentType: serialised.headers.get('content-type')!,
  };
}

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function expectError(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json();
  expect(body.error.code).toBe(code);
  return body as { error: { message: string; details: { fields?: Array<{ field: string }> } | null } };
}

describe.each(DIALECTS)('uploads and attachments (%s)', (dialect) => {
  let t: TestApp;
  let api: Client;
  let other: Client;
  let apiKey: string;
  let otherKey: string;
  let orgId: string;
  let otherOrgId: string;

  const post = async (key: string | undefined, parts: Part[], fields?: Record<string, string>) => {
    const { payload, contentType } = await form(parts, fields);
    return t.app.inject({
      method: 'POST',
      url: '/v1/uploads',
      headers: { 'content-type': contentType, ...(key ? { authorization: `Bearer ${key}` } : {}) },
      payload,
    });
  };
  const upload = async (parts: Part[], key = apiKey) => {
    const res = await post(key, parts);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ data: UploadJson[] }>().data;
  };
  const uploadRows = async (org: string) =>
    t.database.db.kysely.selectFrom('uploads').select('id').where('org_id', '=', org).execute();
  const storedFiles = (org: string) => {
    const dir = path.join(t.config.dataDir, 'uploads', org);
    return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
  };
  const callerOf = (org: string): Caller => ({
    orgId: org,
    actorType: 'api_key',
    actorId: 'key_test',
    name: 'Test',
    role: 'admin',
    scope: 'write',
  });

  beforeAll(async () => {
    t = await startTestApp(dialect, {
      env: { TALKI_UPLOAD_MAX_BYTES: String(MAX_BYTES), TALKI_UPLOAD_MAX_FILES: String(MAX_FILES) },
    });
    const org = await newOrg(t);
    apiKey = org.apiKey;
    orgId = org.org.id;
    api = client(t.app, apiKey);
    const second = await newOrg(t);
    otherKey = second.apiKey;
    otherOrgId = second.org.id;
    other = client(t.app, otherKey);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('stores a file and returns its metadata; the bytes live under TALKI_DATA_DIR/uploads/<org>/<id>', async () => {
    const [file] = await upload([{ name: 'screenshot.png', bytes: PNG, type: 'image/png' }]);
    expect(Object.keys(file!).sort()).toEqual([
      'contentType',
      'createdAt',
      'id',
      'name',
      'sha256',
      'size',
      'type',
      'url',
    ]);
    expect(file!.id).toMatch(/^upl_[0-9a-z]{26}$/);
    expect(file).toMatchObject({
      name: 'screenshot.png',
      size: PNG.length,
      contentType: 'image/png',
      sha256: sha256(PNG),
      url: `/v1/uploads/${file!.id}/content`,
    });
    expect(file!.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(storedFiles(orgId)).toContain(file!.id);
    expect(fs.readFileSync(path.join(t.config.dataDir, 'uploads', orgId, file!.id))).toEqual(PNG);

    const meta = await api.get(`/v1/uploads/${file!.id}`);
    expect(meta.statusCode, meta.body).toBe(200);
    expect(meta.json()).toEqual(file);
  });

  it('takes several files in one request, in order, each sniffed on its own', async () => {
    const files = await upload([
      { name: 'a.png', bytes: PNG },
      { name: 'notes.txt', bytes: 'plain words, ünïcödé', field: 'other' },
      { name: 'blob.bin', bytes: Buffer.from([0, 1, 2, 3, 255, 254, 0, 9]) },
    ]);
    expect(files.map((f) => [f.name, f.contentType])).toEqual([
      ['a.png', 'image/png'],
      ['notes.txt', 'text/plain'],
      ['blob.bin', 'application/octet-stream'],
    ]);
  });

  it('sniffs the type from the bytes: a PNG named evil.html declared text/html is image/png', async () => {
    const [file] = await upload([{ name: 'evil.html', bytes: PNG, type: 'text/html' }]);
    expect(file!.contentType).toBe('image/png');
    const res = await api.get(file!.url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['content-disposition']).toMatch(/^inline;/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.rawPayload).toEqual(PNG);
  });

  it('serves HTML as a download with nosniff and a sandbox CSP, whatever it was called', async () => {
    const [file] = await upload([{ name: 'readme.txt', bytes: HTML, type: 'text/plain' }]);
    expect(file!.contentType).toBe('text/html');
    const res = await api.get(file!.url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="readme.txt"; filename*=UTF-8''readme.txt`,
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(HTML)));
    expect(res.body).toBe(HTML);
  });

  it('treats SVG, XML and unknown bytes as active (download); plain UTF-8 text is inline', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>';
    const xmlSvg = `<?xml version="1.0"?>\n${svg}`;
    const xml = '<?xml version="1.0"?><note>hi</note>';
    const files = await upload([
      { name: 'logo.png', bytes: svg, type: 'image/png' },
      { name: 'x.svg', bytes: xmlSvg },
      { name: 'data.xml', bytes: xml },
    ]);
    const [text] = await upload([{ name: 'résumé 2024.txt', bytes: 'Grüße\n' }]);
    const [binary] = await upload([{ name: 'x.bin', bytes: randomBytes(64).fill(0, 10, 12) }]);
    expect(files.map((f) => f.contentType)).toEqual(['image/svg+xml', 'image/svg+xml', 'application/xml']);
    for (const file of [...files, binary!]) {
      const res = await api.get(file.url);
      expect(res.headers['content-disposition'], file.name).toMatch(/^attachment;/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    expect(binary!.contentType).toBe('application/octet-stream');

    expect(text!.contentType).toBe('text/plain');
    const res = await api.get(text!.url);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(
      `inline; filename="r_sum_ 2024.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%202024.txt`,
    );
    expect(res.body).toBe('Grüße\n');
  });

  it('never uses the client filename as a path; names are cleaned and capped', async () => {
    const long = `${'a'.repeat(300)}.pdf`;
    const files = await upload([
      { name: '../../../etc/passwd', bytes: 'x' },
      { name: 'C:\\Users\\bob\\report\u202Egnp.exe', bytes: 'x' },
      { name: long, bytes: 'x' },
    ]);
    expect(files.map((f) => f.name)).toEqual(['passwd', 'reportgnp.exe', `${'a'.repeat(196)}.pdf`]);
    // Only id-named files under the org's folder: nothing was written where a name pointed.
    for (const name of storedFiles(orgId)) expect(name).toMatch(/^upl_[0-9a-z]{26}$/);
    expect(fs.existsSync(path.join(t.config.dataDir, 'etc'))).toBe(false);
  });

  it('accepts a file up to the size limit, beyond the JSON body limit; one byte more is a 413 and nothing is kept', async () => {
    const [big] = await upload([{ name: 'big.bin', bytes: Buffer.alloc(MAX_BYTES, 7) }]);
    expect(big!.size).toBe(MAX_BYTES);
    const rowsBefore = (await uploadRows(orgId)).length;
    const filesBefore = storedFiles(orgId).length;
    const res = await post(apiKey, [
      { name: 'ok.png', bytes: PNG },
      { name: 'huge.bin', bytes: Buffer.alloc(MAX_BYTES + 1, 7) },
    ]);
    const body = expectError(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(body.error.message).toContain('huge.bin');
    expect((await uploadRows(orgId)).length).toBe(rowsBefore);
    expect(storedFiles(orgId).length).toBe(filesBefore);
  });

  it('refuses too many files, no file, non-file fields and bodies that are not multipart', async () => {
    const rowsBefore = (await uploadRows(orgId)).length;
    const tooMany = Array.from({ length: MAX_FILES + 1 }, (_, i) => ({ name: `f${i}.png`, bytes: PNG }));
    let body = expectError(await post(apiKey, tooMany), 400, 'BAD_REQUEST');
    expect(body.error.message).toContain(`at most ${MAX_FILES}`);
    expect(body.error.details?.fields?.[0]?.field).toBe('file');

    body = expectError(await post(apiKey, []), 400, 'BAD_REQUEST');
    expect(body.error.details?.fields?.[0]?.field).toBe('file');
    body = expectError(
      await post(apiKey, [{ name: 'a.png', bytes: PNG }], { caption: 'hi' }),
      400,
      'BAD_REQUEST',
    );
    expect(body.error.details?.fields?.[0]?.field).toBe('caption');

    expectError(await api.post('/v1/uploads', { file: 'aGVsbG8=' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    // Cut in the closing boundary, and in the middle of the file's bytes.
    const whole = await form([{ name: 'a.png', bytes: PNG }]);
    for (const end of [whole.payload.length - 20, whole.payload.length - 80]) {
      const cut = await t.app.inject({
        method: 'POST',
        url: '/v1/uploads',
        headers: { 'content-type': whole.contentType, authorization: `Bearer ${apiKey}` },
        payload: whole.payload.subarray(0, end),
      });
      expect(expectError(cut, 400, 'BAD_REQUEST').error.message).toMatch(/^Malformed multipart body/);
    }
    const noBoundary = await t.app.inject({
      method: 'POST',
      url: '/v1/uploads',
      headers: { 'content-type': 'multipart/form-data', authorization: `Bearer ${apiKey}` },
      payload: whole.payload,
    });
    expectError(noBoundary, 400, 'BAD_REQUEST');
    expect((await uploadRows(orgId)).length).toBe(rowsBefore);
  });

  it('keeps multipart to this route: other routes still answer 415', async () => {
    const { payload, contentType } = await form([{ name: 'a.png', bytes: PNG }], { subject: 'x' });
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/tickets',
      headers: { 'content-type': contentType, authorization: `Bearer ${apiKey}` },
      payload,
    });
    expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('needs a key to upload or download; another org gets 404; read-only keys download only', async () => {
    const [file] = await upload([{ name: 'a.png', bytes: PNG }]);
    expectError(await post(undefined, [{ name: 'a.png', bytes: PNG }]), 401, 'UNAUTHORIZED');
    expectError(await client(t.app, undefined).get(file!.url), 401, 'UNAUTHORIZED');
    expectError(await client(t.app, undefined).get(`/v1/uploads/${file!.id}`), 401, 'UNAUTHORIZED');
    expectError(await other.get(file!.url), 404, 'NOT_FOUND');
    expectError(await other.get(`/v1/uploads/${file!.id}`), 404, 'NOT_FOUND');
    expectError(await api.get('/v1/uploads/upl_01hzzzzzzzzzzzzzzzzzzzzzzz/content'), 404, 'NOT_FOUND');
    expectError(await api.get('/v1/uploads/not%20an%20id/content'), 404, 'NOT_FOUND');

    const reader = await createApiKey(t.database.db.kysely, {
      orgId,
      kind: 'secret',
      name: 'RO',
      scope: 'read',
    });
    expectError(await post(reader.key, [{ name: 'a.png', bytes: PNG }]), 403, 'FORBIDDEN');
    expect((await client(t.app, reader.key).get(file!.url)).statusCode).toBe(200);
  });

  it('records upload.created with the upload as the API shows it', async () => {
    const [file] = await upload([{ name: 'event.png', bytes: PNG }]);
    const res = await api.get('/v1/events?types=upload.created');
    const event = res
      .json()
      .data.find((e: { data: { upload: UploadJson } }) => e.data.upload.id === file!.id);
    expect(event.data).toEqual({ upload: file });
  });

  it('attaches uploads to a new message over HTTP and lists them on the ticket and thread', async () => {
    const ticket = (await api.post('/v1/tickets', ticketBody())).json();
    const [png, html] = await upload([
      { bytes: PNG, name: 'shot.png' },
      { bytes: HTML, name: 'page.html' },
    ]);
    const posted = await api.post(`/v1/tickets/${ticket.id}/messages`, {
      text: 'See attached',
      attachments: [png!.id, html!.id],
    });
    expect(posted.statusCode, posted.body).toBe(201);
    expect(posted.json().attachments.map((a: { id: string }) => a.id)).toEqual([png!.id, html!.id]);
    expect(posted.json().attachments[0]).toMatchObject({
      name: 'shot.png',
      contentType: 'image/png',
      url: `/v1/uploads/${png!.id}/content`,
    });

    const shown = (await api.get(`/v1/tickets/${ticket.id}`)).json().messages.at(-1);
    expect(shown.attachments.map((a: { name: string }) => a.name)).toEqual(['shot.png', 'page.html']);
    const thread = (await api.get(`/v1/tickets/${ticket.id}/messages`)).json().data.at(-1);
    expect(thread.attachments).toHaveLength(2);

    // An upload goes on one message only; another org's or an unknown upload is refused, and nothing is posted.
    const before = (await api.get(`/v1/tickets/${ticket.id}`)).json().messages.length;
    for (const attachments of [[png!.id], ['upl_unknown'], ['not an id']]) {
      const res = await api.post(`/v1/tickets/${ticket.id}/messages`, { text: 'again', attachments });
      expectError(res, 400, 'BAD_REQUEST');
    }
    const [theirs] = await upload([{ bytes: PNG, name: 'theirs.png' }], otherKey);
    expectError(
      await api.post(`/v1/tickets/${ticket.id}/messages`, { text: 'x', attachments: [theirs!.id] }),
      400,
      'BAD_REQUEST',
    );
    expect((await api.get(`/v1/tickets/${ticket.id}`)).json().messages.length).toBe(before);
  });

  it('attachUploads claims unattached uploads of the org for a message; attachmentsOf lists them', async () => {
    const db = t.database.db.kysely;
    const ticket = (await api.post('/v1/tickets', ticketBody())).json<{ id: string }>();
    const messageId = (await api.get(`/v1/tickets/${ticket.id}`)).json().messages[0].id as string;
    const [a, b, c] = await upload([
      { name: 'a.png', bytes: PNG },
      { name: 'b.txt', bytes: 'bee' },
      { name: 'c.png', bytes: PNG },
    ]);
    const [foreign] = await upload([{ name: 'theirs.png', bytes: PNG }], otherKey);
    const caller = callerOf(orgId);
    const attach = (ids: string[]) =>
      db.transaction().execute((trx) => attachUploads(trx, caller, messageId, ids));
    const expectAttachmentsError = async (ids: string[], text: string) => {
      const error = await attach(ids).then(
        () => undefined,
        (e: unknown) =>
          e as { statusCode: number; message: string; details: { fields: Array<{ field: string }> } },
      );
      expect(error?.statusCode).toBe(400);
      expect(error?.message).toContain(text);
      expect(error?.details.fields[0]?.field).toBe('attachments');
    };

    await expectAttachmentsError([a!.id, foreign!.id], foreign!.id);
    await expectAttachmentsError([a!.id, 'upl_nope'], 'upl_nope');
    await expectAttachmentsError([a!.id, '../x'], '../x');
    await expectAttachmentsError(
      Array.from({ length: 11 }, (_, i) => `upl_${i}`),
      'at most 10',
    );
    // A refused call attached nothing.
    expect((await attachmentsOf(db, orgId, [messageId])).get(messageId)).toEqual([]);

    const attached = await attach([a!.id, b!.id, a!.id]);
    const expected = [a!, b!].map(({ id, name, size, contentType, url }) => ({
      id,
      name,
      size,
      contentType,
      type: contentType,
      url,
    }));
    expect(attached).toEqual(expected);
    await expectAttachmentsError([c!.id, b!.id], 'already attached');

    const map = await attachmentsOf(db, orgId, [messageId, 'msg_none']);
    expect(map.get(messageId)).toEqual(expected);
    expect(map.get('msg_none')).toEqual([]);
    // Another org sees nothing of this message's attachments.
    expect((await attachmentsOf(db, otherOrgId, [messageId])).get(messageId)).toEqual([]);
    expect(await attach([])).toEqual([]);
    // The unclaimed one is still free to attach.
    expect((await attach([c!.id])).map((x) => x.id)).toEqual([a!.id, b!.id, c!.id]);
  });
});
