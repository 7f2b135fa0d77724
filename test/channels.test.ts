import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrg } from '../src/modules/orgs/orgs.service.js';
import { addAgent, agentClient, session } from './support/agents.js';
import { client, newOrg, startTestApp, type Client, type TestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';
import { expectErrorBody } from './support/errors.js';
import { startTelegramStandIn, type TelegramStandIn } from './support/telegram-stand-in.js';

const TOKEN = '123456:goodtoken';
const BAD_TOKEN = '999:rejected';

describe.each(DIALECTS)('channel settings API (%s)', (dialect) => {
  let t: TestApp;
  let standIn: TelegramStandIn;
  let org: CreatedOrg;
  let api: Client;

  beforeAll(async () => {
    standIn = await startTelegramStandIn({ tokens: [TOKEN, '777:other', '888:chosen', '889:x'] });
    t = await startTestApp(dialect, {
      env: { TELEGRAM_API_URL: standIn.url, TALKI_PUBLIC_URL: 'https://help.acme.example' },
    });
    org = await newOrg(t);
    api = client(t.app, org.apiKey);
  });
  afterAll(async () => {
    await t.close();
    await standIn.close();
  });

  const address = () => `support.${Math.random().toString(36).slice(2)}@acme.example`;

  it('creates an email channel and never shows its SMTP secret', async () => {
    const email = address();
    const res = await api.post('/v1/channels', {
      type: 'email',
      address: email,
      displayName: 'Acme Support',
      smtpUrl: 'smtp://user:hunter2hunter2@mail.acme.example:587',
    });
    expect(res.statusCode, res.body).toBe(201);
    const channel = res.json();
    expect(channel).toMatchObject({
      type: 'email',
      name: email,
      enabled: true,
      address: email,
      displayName: 'Acme Support',
      smtpUrlSet: true,
    });
    expect(channel.id).toMatch(/^chn_/);
    expect(channel.inboundUrl.endsWith(`/channels/email/inbound/${channel.inboundToken}`)).toBe(true);
    expect(channel.inboundUrl).toMatch(
      /^https:\/\/help\.acme\.example\/channels\/email\/inbound\/[\w-]{20,}$/,
    );
    expect(res.body).not.toContain('hunter2');
    const listed = await api.get('/v1/channels');
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain('hunter2');
    const types = listed.json().data.map((c: { type: string }) => c.type);
    expect(types).toContain('widget');
    expect(types).toContain('email');
    // Only the token's hash is stored: it and its URL are shown on create, never on a read.
    const { inboundToken, inboundUrl, ...rest } = channel;
    const read = await api.get(`/v1/channels/${channel.id}`);
    expect(read.json()).toEqual(rest);
    expect(read.body).not.toContain(inboundToken);
    expect(listed.body).not.toContain(inboundToken);
    expect(inboundUrl).toContain(inboundToken);
  });

  it('refuses an address another channel has (409), settings of another type and bad values (400)', async () => {
    const email = address();
    expect((await api.post('/v1/channels', { type: 'email', address: email })).statusCode).toBe(201);
    const other = client(t.app, (await newOrg(t)).apiKey);
    const dup = await other.post('/v1/channels', { type: 'email', address: email.toUpperCase() });
    expectErrorBody(dup, 409, 'CONFLICT');
    const foreign = await api.post('/v1/channels', { type: 'email', address: address(), botToken: TOKEN });
    expect(expectErrorBody(foreign, 400, 'BAD_REQUEST').error.details?.fields?.[0]?.field).toBe('botToken');
    expectErrorBody(await api.post('/v1/channels', { type: 'email' }), 400, 'BAD_REQUEST');
    expectErrorBody(
      await api.post('/v1/channels', { type: 'email', address: 'not-an-address' }),
      400,
      'BAD_REQUEST',
    );
    expectErrorBody(await api.post('/v1/channels', { type: 'fax', address: address() }), 400, 'BAD_REQUEST');
    const badSmtp = await api.post('/v1/channels', {
      type: 'email',
      address: address(),
      smtpUrl: 'http://x',
    });
    expectErrorBody(badSmtp, 400, 'BAD_REQUEST');
  });

  it('takes the outbound server as fields too, and shows it without the password', async () => {
    const res = await api.post('/v1/channels', {
      type: 'email',
      address: address(),
      smtp: { host: 'smtp.acme.example', username: 'bot@acme.example', password: 'p@ss:word/1' },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().smtp).toEqual({
      host: 'smtp.acme.example',
      port: 587,
      secure: false,
      username: 'bot@acme.example',
    });
    expect(res.body).not.toContain('p@ss');
    const secure = await api.patch(`/v1/channels/${res.json().id}`, {
      smtp: { host: 'smtp.acme.example', port: 465 },
    });
    expect(secure.json()).toMatchObject({
      smtpUrlSet: true,
      smtp: { port: 465, secure: true, username: null },
    });
    const cleared = await api.patch(`/v1/channels/${res.json().id}`, { smtp: null });
    expect(cleared.json()).toMatchObject({ smtpUrlSet: false, smtp: null });
    const both = await api.patch(`/v1/channels/${res.json().id}`, {
      smtp: { host: 'a.example' },
      smtpUrl: 'smtp://b.example',
    });
    expectErrorBody(both, 400, 'BAD_REQUEST');
    const passwordOnly = await api.patch(`/v1/channels/${res.json().id}`, {
      smtp: { host: 'a.example', password: 'x' },
    });
    expectErrorBody(passwordOnly, 400, 'BAD_REQUEST');
    const badHost = await api.patch(`/v1/channels/${res.json().id}`, { smtp: { host: 'a b/c' } });
    expectErrorBody(badHost, 400, 'BAD_REQUEST');
  });

  it('updates and deletes an email channel', async () => {
    const created = (await api.post('/v1/channels', { type: 'email', address: address() })).json();
    const renamed = await api.patch(`/v1/channels/${created.id}`, {
      name: 'Billing',
      displayName: 'Acme Billing',
      enabled: false,
      smtpUrl: 'smtps://u:p@smtp.acme.example',
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({
      name: 'Billing',
      displayName: 'Acme Billing',
      enabled: false,
      smtpUrlSet: true,
    });
    expect((await api.patch(`/v1/channels/${created.id}`, { smtpUrl: null })).json().smtpUrlSet).toBe(false);
    expectErrorBody(await api.patch(`/v1/channels/${created.id}`, { mode: 'polling' }), 400, 'BAD_REQUEST');
    expect((await api.delete(`/v1/channels/${created.id}`)).statusCode).toBe(204);
    expectErrorBody(await api.get(`/v1/channels/${created.id}`), 404, 'NOT_FOUND');
    expectErrorBody(await api.delete(`/v1/channels/${created.id}`), 404, 'NOT_FOUND');
  });

  it('checks a Telegram token, registers the webhook with a secret, and never shows the token', async () => {
    const res = await api.post('/v1/channels', { type: 'telegram', botToken: TOKEN });
    expect(res.statusCode, res.body).toBe(201);
    const channel = res.json();
    expect(channel).toMatchObject({
      type: 'telegram',
      mode: 'webhook',
      botTokenSet: true,
      webhookError: null,
    });
    expect(channel.webhookUrl).toBe(`https://help.acme.example/channels/telegram/${channel.id}/webhook`);
    expect(res.body).not.toContain('goodtoken');
    const stored = await t.database.db.kysely
      .selectFrom('channels')
      .select(['settings', 'secrets'])
      .where('id', '=', channel.id)
      .executeTakeFirstOrThrow();
    expect(`${stored.settings}${stored.secrets}`).not.toContain('goodtoken');
    const setWebhook = standIn.calls.filter((c) => c.method === 'setWebhook').at(-1);
    expect(setWebhook?.params.url).toBe(channel.webhookUrl);
    expect(String(setWebhook?.params.secret_token)).toMatch(/^[\w-]{32,}$/);

    const rejected = await api.post('/v1/channels', { type: 'telegram', botToken: BAD_TOKEN });
    expect(expectErrorBody(rejected, 400, 'BAD_REQUEST').error.details?.fields?.[0]?.field).toBe('botToken');
    const polling = await api.patch(`/v1/channels/${channel.id}`, { mode: 'polling' });
    expect(polling.json()).toMatchObject({ mode: 'polling', webhookUrl: null });
    expect(standIn.calls.some((c) => c.method === 'deleteWebhook')).toBe(true);
    expect((await api.delete(`/v1/channels/${channel.id}`)).statusCode).toBe(204);
  });

  it('takes the webhook secret an admin chooses, and registers it with Telegram', async () => {
    const secret = 'my-own-webhook-secret-123';
    const res = await api.post('/v1/channels', {
      type: 'telegram',
      botToken: '888:chosen',
      webhookSecret: secret,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.body).not.toContain(secret);
    expect(standIn.callsOf('setWebhook', '888:chosen').at(-1)?.params.secret_token).toBe(secret);
    const rotated = await api.patch(`/v1/channels/${res.json().id}`, {
      webhookSecret: 'another-secret-of-16x',
    });
    expect(rotated.statusCode, rotated.body).toBe(200);
    expect(standIn.callsOf('setWebhook', '888:chosen').at(-1)?.params.secret_token).toBe(
      'another-secret-of-16x',
    );
    const weak = await api.post('/v1/channels', {
      type: 'telegram',
      botToken: '889:x',
      webhookSecret: 'short',
    });
    expect(expectErrorBody(weak, 400, 'BAD_REQUEST').error.details?.fields?.[0]?.field).toBe('webhookSecret');
    await api.delete(`/v1/channels/${res.json().id}`);
  });

  it('gives one Telegram bot to one channel only (409), before telling Telegram anything', async () => {
    const first = await api.post('/v1/channels', { type: 'telegram', botToken: '777:other' });
    expect(first.statusCode, first.body).toBe(201);
    const webhooks = standIn.callsOf('setWebhook').length;
    const again = await client(t.app, (await newOrg(t)).apiKey).post('/v1/channels', {
      type: 'telegram',
      botToken: '777:other',
    });
    expect(expectErrorBody(again, 409, 'CONFLICT').error.details?.fields?.[0]?.field).toBe('botToken');
    expect(standIn.callsOf('setWebhook')).toHaveLength(webhooks);
    expect((await api.delete(`/v1/channels/${first.json().id}`)).statusCode).toBe(204);
    expect((await api.post('/v1/channels', { type: 'telegram', botToken: '777:other' })).statusCode).toBe(
      201,
    );
  });

  it('keeps the inbound URL (a credential) and every secret out of the event log', async () => {
    const created = (
      await api.post('/v1/channels', {
        type: 'email',
        address: address(),
        smtpUrl: 'smtp://u:sekrit@h.example',
      })
    ).json();
    await api.patch(`/v1/channels/${created.id}`, { name: 'Renamed' });
    await api.delete(`/v1/channels/${created.id}`);
    const events = await api.get(
      '/v1/events?types=channel.created,channel.updated,channel.deleted&limit=100',
    );
    const mine = events
      .json()
      .data.filter((e: { data: { channel: { id: string } } }) => e.data.channel.id === created.id);
    expect(mine).toHaveLength(3);
    const token = created.inboundUrl.split('/').at(-1);
    expect(events.body).not.toContain(token);
    expect(events.body).not.toContain('sekrit');
    expect(events.body).not.toContain('goodtoken');
  });

  it('refuses an SMTP URL without a host', async () => {
    const res = await api.post('/v1/channels', { type: 'email', address: address(), smtpUrl: 'smtp://' });
    expect(expectErrorBody(res, 400, 'BAD_REQUEST').error.details?.fields?.[0]?.field).toBe('smtpUrl');
  });

  it('answers 404, never 500, for a NUL in any path parameter', async () => {
    const inbound = [
      { url: '/channels/email/inbound/%00', type: 'message/rfc822', payload: 'From: a@b.c\r\n\r\nhi' },
      { url: '/channels/telegram/chn_%00/webhook', type: 'application/json', payload: '{"update_id":1}' },
    ];
    for (const { url, type, payload } of inbound) {
      const res = await t.app.inject({ method: 'POST', url, headers: { 'content-type': type }, payload });
      expectErrorBody(res, 404, 'NOT_FOUND');
    }
    expectErrorBody(await api.get('/v1/channels/chn_%00'), 404, 'NOT_FOUND');
    const visitor = await t.app.inject({
      method: 'POST',
      url: '/widget/v1/session',
      headers: { 'x-talki-widget-key': org.widgetKey },
      payload: {},
    });
    const widget = await t.app.inject({
      method: 'GET',
      url: '/widget/v1/conversations/tkt_%00x',
      headers: { 'x-talki-widget-key': org.widgetKey, 'x-talki-visitor-token': visitor.json().token },
    });
    expectErrorBody(widget, 404, 'NOT_FOUND');
  });

  it('keeps one widget per org: settings by PATCH, origins normalised, never deleted', async () => {
    const widget = await api.get('/v1/channels/widget');
    expect(widget.statusCode).toBe(200);
    expect(widget.json()).toMatchObject({ type: 'widget', allowedOrigins: [], requireEmail: false });
    const res = await api.patch('/v1/channels/widget', {
      allowedOrigins: ['https://shop.acme.example/', 'http://localhost:8080'],
      color: '#FF0066',
      greeting: 'Hello there',
      requireEmail: true,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      allowedOrigins: ['https://shop.acme.example', 'http://localhost:8080'],
      color: '#ff0066',
      greeting: 'Hello there',
      requireEmail: true,
      identitySecretSet: false,
    });
    const path = await api.patch('/v1/channels/widget', { allowedOrigins: ['https://shop.example/page'] });
    expect(expectErrorBody(path, 400, 'BAD_REQUEST').error.details?.fields?.[0]?.field).toBe(
      'allowedOrigins',
    );
    expectErrorBody(
      await api.patch('/v1/channels/widget', { requireSignedIdentity: true }),
      400,
      'BAD_REQUEST',
    );
    const secret = await api.post('/v1/channels/widget/identity-secret');
    expect(secret.statusCode).toBe(200);
    expect(secret.json().identitySecret).toMatch(/^[0-9a-f]{64}$/);
    const after = (await api.get('/v1/channels/widget')).json();
    expect(after.identitySecretSet).toBe(true);
    expect(JSON.stringify(after)).not.toContain(secret.json().identitySecret);
    expectErrorBody(await api.delete('/v1/channels/widget'), 409, 'CONFLICT');
    const widgets = (await api.get('/v1/channels?type=widget')).json().data;
    expect(widgets).toHaveLength(1);
  });

  it('is for admins only, and scoped to the org', async () => {
    const agent = await addAgent(api, { role: 'agent' });
    const plain = agentClient(t.app, (await session(t.app, agent.email)).accessToken);
    expectErrorBody(await plain.get('/v1/channels'), 403, 'FORBIDDEN');
    expectErrorBody(
      await plain.post('/v1/channels', { type: 'email', address: address() }),
      403,
      'FORBIDDEN',
    );
    const mine = (await api.post('/v1/channels', { type: 'email', address: address() })).json();
    const other = client(t.app, (await newOrg(t)).apiKey);
    expectErrorBody(await other.get(`/v1/channels/${mine.id}`), 404, 'NOT_FOUND');
    expectErrorBody(await other.delete(`/v1/channels/${mine.id}`), 404, 'NOT_FOUND');
    expectErrorBody(await client(t.app, undefined).get('/v1/channels'), 401, 'UNAUTHORIZED');
  });

  it('pages the list with both paging styles', async () => {
    const all = (await api.get('/v1/channels?per_page=100')).json();
    expect(all.meta.total).toBe(all.data.length);
    const first = (await api.get('/v1/channels?limit=1')).json();
    expect(first.data).toHaveLength(1);
    expect(first.meta.nextCursor).toBe(first.data[0].id);
    const second = (await api.get(`/v1/channels?limit=1&startingAfter=${first.meta.nextCursor}`)).json();
    expect(second.data[0].id).not.toBe(first.data[0].id);
    expectErrorBody(await api.get('/v1/channels?limit=1&page=2'), 400, 'BAD_REQUEST');
  });
});
