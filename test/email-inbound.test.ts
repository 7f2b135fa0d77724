/**
 * Inbound mail under attack and as agents read it: HTML bombs refused for good while the server
 * keeps answering, threading that a stranger cannot ride, per-sender and per-IP throttles, the
 * inbound token hashed and kept out of logs, and reply text without quoted history (over real
 * SMTP sockets and the HTTP hook).
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Migrator, type Kysely } from 'kysely';
import type { SendMailOptions } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { THREAD_TOKEN_PURPOSE } from '../src/channels/email/compose.js';
import { redactUrl } from '../src/http/log-redaction.js';
import {
  assertHtmlWithinLimits,
  EmailTooComplexError,
  MAX_HTML_DEPTH,
  MAX_HTML_ELEMENTS,
} from '../src/channels/email/html-limits.js';
import { foldQuotedText } from '../src/channels/email/quotes.js';
import { startSmtpListener, type SmtpListener } from '../src/channels/email/smtp-listener.js';
import { SecretBox } from '../src/channels/secret-box.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { migrations } from '../src/db/migrations/index.js';
import type { Database } from '../src/db/schema.js';
import { newId } from '../src/lib/ids.js';
import { hashInboundToken } from '../src/modules/channels/channels.tokens.js';
import { MemoryRateLimiter } from '../src/http/rate-limit.memory.js';
import { openBlobStorage } from '../src/storage/index.js';
import { client, newOrg, startTestApp, type Client, type TestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';
import { expectErrorBody } from './support/errors.js';
import { rawEmail, sendMail } from './support/smtp.js';

const ADDRESS = 'help@acme.example';
const PER_SENDER = 3;

const run = randomBytes(4).toString('hex');
let counter = 0;
/** A sender of its own for each test, so that per-sender budgets never leak between tests. */
const newSender = (name = 'carol') => `${name}.${run}.${++counter}@example.com`;
const newMessageId = () => `<${run}.${++counter}@mail.example.com>`;

const nested = (depth: number) => `${'<div>'.repeat(depth)}deep${'</div>'.repeat(depth)}`;

/** What an SMTP client is told when its mail is refused (nodemailer's error). */
async function smtpRefusal(port: number, mail: SendMailOptions): Promise<number | undefined> {
  const error = await sendMail(port, mail).then(
    () => undefined,
    (e: { responseCode?: number }) => e,
  );
  return error?.responseCode;
}

describe.each(DIALECTS)('inbound mail (%s)', (dialect) => {
  let t: TestApp;
  let db: Kysely<Database>;
  let box: SecretBox;
  let api: Client;
  let orgId: string;
  let token: string;
  let listener: SmtpListener;

  const mail = (from: string, overrides: SendMailOptions = {}): SendMailOptions => ({
    from,
    to: ADDRESS,
    subject: 'Printer on fire',
    text: 'It is on fire.',
    messageId: newMessageId(),
    ...overrides,
  });

  const rowOf = async (messageId: string) =>
    db
      .selectFrom('messages')
      .select(['id', 'ticket_id', 'text', 'html', 'source'])
      .where('org_id', '=', orgId)
      .where('external_id', '=', messageId)
      .executeTakeFirst();

  /** Sends over SMTP and returns the stored row. */
  async function deliver(sent: SendMailOptions) {
    await sendMail(listener.port, sent);
    const row = await rowOf(sent.messageId!);
    expect(row).toBeDefined();
    return row!;
  }

  const post = (body: Buffer | string, path = token) =>
    t.app.inject({
      method: 'POST',
      url: `/channels/email/inbound/${path}`,
      headers: { 'content-type': 'message/rfc822' },
      payload: body,
    });

  const ticketCount = async () =>
    Number(
      (
        await db
          .selectFrom('tickets')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('org_id', '=', orgId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    t = await startTestApp(dialect, {
      env: {
        TALKI_EMAIL_MAX_BYTES: String(4 * 1024 * 1024),
        TALKI_PUBLIC_URL: 'https://help.acme.example',
        TALKI_SMTP_PORT: '0',
        TALKI_SMTP_HOST: '127.0.0.1',
        TALKI_MAIL_PER_MIN: String(PER_SENDER),
        TALKI_MAIL_PER_IP_PER_MIN: '0',
      },
    });
    db = t.database.db.kysely;
    box = await SecretBox.open(db, t.config);
    const org = await newOrg(t, 'Acme');
    orgId = org.org.id;
    api = client(t.app, org.apiKey);
    const created = await api.post('/v1/channels', { type: 'email', address: ADDRESS });
    expect(created.statusCode, created.body).toBe(201);
    token = created.json().inboundToken;
    const storage = openBlobStorage(t.config);
    listener = await startSmtpListener({
      config: t.config,
      db,
      storage,
      box,
      // Budgets of its own, apart from the app's HTTP hook, so each path's limit shows alone.
      limiter: new MemoryRateLimiter(),
      log: t.app.log,
    });
  });

  afterAll(async () => {
    await listener?.close();
    await t?.close();
  });

  describe('HTML bombs', () => {
    it('refuses 5,000 nested <div>s for good: 554 over SMTP, 400 over HTTP, nothing stored', async () => {
      const before = await ticketCount();
      const bomb = mail(newSender(), { text: undefined, html: nested(5000) });
      expect(await smtpRefusal(listener.port, bomb)).toBe(554);
      const res = await post(await rawEmail(mail(newSender(), { text: undefined, html: nested(5000) })));
      expect(expectErrorBody(res, 400, 'INVALID_EMAIL').error.message).toMatch(/nested more than/);
      expect(await ticketCount()).toBe(before);
    });

    it('refuses HTML with too many elements, and still takes HTML nested like real mail', async () => {
      const flat = '<p><b>x</b></p>'.repeat(30_000);
      const res = await post(await rawEmail(mail(newSender(), { text: undefined, html: flat })));
      expect(expectErrorBody(res, 400, 'INVALID_EMAIL').error.message).toMatch(/more than \d+ elements/);
      const ok = await deliver(mail(newSender(), { text: undefined, html: nested(60) }));
      expect(ok.text).toBe('deep');
    });

    it('keeps /healthz answering while a 100k-deep bomb is refused', async () => {
      const server = await buildApp({
        config: t.config,
        db: t.database.db,
        limiter: new MemoryRateLimiter(),
        logger: false,
      });
      await server.listen({ port: 0, host: '127.0.0.1' });
      try {
        const { port } = server.server.address() as { port: number };
        const bomb = mail(newSender(), { text: undefined, html: nested(100_000) });
        let settled = false;
        const refusal = smtpRefusal(listener.port, bomb).finally(() => {
          settled = true;
        });
        const answers: number[] = [];
        let answeredInFlight = 0;
        while (!settled) {
          const res = await fetch(`http://127.0.0.1:${port}/healthz`);
          answers.push(res.status);
          if (!settled) answeredInFlight++;
        }
        expect(await refusal).toBe(554);
        expect(answers.every((status) => status === 200)).toBe(true);
        expect(answeredInFlight).toBeGreaterThan(0);
      } finally {
        await server.close();
      }
    });
  });

  describe('text agents read', () => {
    it('folds quoted history and the signature away, keeping them in the source', async () => {
      const text = [
        'Still broken after the update.',
        '',
        '-- ',
        'Carol Customer',
        'Head of Printing',
        '',
        'On Mon, 3 Jun 2024 at 10:00, Acme Support <help@acme.example> wrote:',
        '> Please update the driver.',
        '>',
        '> Ada',
      ].join('\n');
      const row = await deliver(mail(newSender(), { text }));
      expect(row.text).toBe('Still broken after the update.');
      const source = JSON.parse(row.source!);
      expect(source.text).toContain('> Please update the driver.');
      expect(source.text).toContain('Head of Printing');
      const ticket = (await api.get(`/v1/tickets/${row.ticket_id}`)).json();
      const shown = ticket.messages.find((m: { id: string }) => m.id === row.id);
      expect(shown.text).toBe('Still broken after the update.');
    });

    it('folds an Outlook header block over the HTTP hook, and keeps interleaved answers', async () => {
      const outlook = [
        'Thanks, that worked.',
        '',
        '________________________________',
        'From: Acme Support <help@acme.example>',
        'Sent: Monday, June 3, 2024 10:00 AM',
        'To: Carol',
        'Subject: Re: Printer',
        '',
        'Please update the driver.',
      ].join('\n');
      const sent = mail(newSender(), { text: outlook });
      const res = await post(await rawEmail(sent));
      expect(res.statusCode, res.body).toBe(201);
      expect((await rowOf(sent.messageId!))!.text).toBe('Thanks, that worked.');

      const inline = 'On Mon, Ada wrote:\n> Which model?\nThe X200.\n> Which driver?\nVersion 4.';
      const row = await deliver(mail(newSender(), { text: inline }));
      expect(row.text).toBe(inline);
    });

    it('makes text of HTML-only mail without the tracking pixels the sanitised HTML dropped', async () => {
      const html =
        '<p>Order <a href="https://shop.example/o/7">#7</a> never came.</p>' +
        '<img src="https://tracker.example/open.gif?u=carol" width="1" height="1">' +
        '<blockquote>On Mon, Acme wrote: your order shipped</blockquote>';
      const row = await deliver(mail(newSender(), { text: undefined, html }));
      expect(row.text).toContain('Order #7 [https://shop.example/o/7] never came.');
      expect(row.text).not.toContain('tracker.example');
      expect(row.source).not.toContain('tracker.example');
      expect(row.html).not.toContain('tracker.example');
    });

    it('folds the Outlook block of HTML-only mail, with the rule above it', async () => {
      const html =
        '<p>Still broken.</p><div id="divRplyFwdMsg"><hr><b>From:</b> Acme Support &lt;help@acme.example&gt;<br>' +
        '<b>Sent:</b> Monday, June 3, 2024 10:00 AM<br><b>To:</b> Carol<br><b>Subject:</b> RE: Printer</div>' +
        '<p>Please update the driver.</p>';
      const sent = mail(newSender(), { text: undefined, html });
      const res = await post(await rawEmail(sent));
      expect(res.statusCode, res.body).toBe(201);
      expect((await rowOf(sent.messageId!))!.text).toBe('Still broken.');
    });

    it('records Authentication-Results with the message', async () => {
      const verdict = 'mx.acme.example; spf=pass smtp.mailfrom=example.com; dkim=pass header.d=example.com';
      const row = await deliver(mail(newSender(), { headers: { 'Authentication-Results': verdict } }));
      expect(JSON.parse(row.source!).authenticationResults).toEqual([verdict]);
    });
  });

  describe('threading', () => {
    /** A customer's ticket with one agent reply; returns the ids and the reply's Message-ID. */
    async function conversation() {
      const customer = newSender();
      const first = await deliver(mail(customer, { subject: `Where is order ${++counter}?` }));
      const reply = await api.post(`/v1/tickets/${first.ticket_id}/messages`, { text: 'On its way.' });
      expect(reply.statusCode, reply.body).toBe(201);
      const replyId: string = reply.json().id;
      const signed = `<${replyId}.${box.mac(THREAD_TOKEN_PURPOSE, replyId)}@acme.example>`;
      return { customer, first, replyId, signed };
    }

    it("opens a new ticket for a stranger naming a Talki message id without its token, or a customer's Message-ID", async () => {
      const { first, replyId } = await conversation();
      const bare = await deliver(mail(newSender('mallory'), { inReplyTo: `<${replyId}@acme.example>` }));
      expect(bare.ticket_id).not.toBe(first.ticket_id);
      const forged = await deliver(
        mail(newSender('mallory'), { inReplyTo: `<${replyId}.${'0'.repeat(24)}@acme.example>` }),
      );
      expect(forged.ticket_id).not.toBe(first.ticket_id);
      const customerId = (
        await db
          .selectFrom('messages')
          .select('external_id')
          .where('id', '=', first.id)
          .executeTakeFirstOrThrow()
      ).external_id!;
      const copied = await deliver(mail(newSender('mallory'), { references: [customerId] }));
      expect(copied.ticket_id).not.toBe(first.ticket_id);
      const { code } = (await api.get(`/v1/tickets/${first.ticket_id}`)).json();
      const tagged = await deliver(mail(newSender('mallory'), { subject: `Re: order [${code}]` }));
      expect(tagged.ticket_id).not.toBe(first.ticket_id);
    });

    it('threads a From whose DMARC check failed by nothing but a signed Message-ID', async () => {
      const { customer, first, replyId, signed } = await conversation();
      const { code } = (await api.get(`/v1/tickets/${first.ticket_id}`)).json();
      const forged = {
        'Authentication-Results': 'mx.acme.example; spf=fail; dkim=none; dmarc=fail header.from=example.com',
      };
      const spoofed = await deliver(
        mail(customer, { subject: `Re: [${code}]`, inReplyTo: `<${replyId}@acme.example>`, headers: forged }),
      );
      expect(spoofed.ticket_id).not.toBe(first.ticket_id);
      const signedReply = await deliver(mail(customer, { inReplyTo: signed, headers: forged }));
      expect(signedReply.ticket_id).toBe(first.ticket_id);
    });

    it('threads a reply to a signed Message-ID from anyone, and the customer by any reference', async () => {
      const { customer, first, replyId, signed } = await conversation();
      const colleague = await deliver(mail(newSender('dave'), { inReplyTo: signed, references: [signed] }));
      expect(colleague.ticket_id).toBe(first.ticket_id);
      // Mail sent before Message-IDs were signed still threads for the ticket's own customer.
      const own = await deliver(mail(customer, { inReplyTo: `<${replyId}@acme.example>` }));
      expect(own.ticket_id).toBe(first.ticket_id);
    });
  });

  describe('throttling', () => {
    it('takes a few mails a minute from one sender, then answers 451 over SMTP and 429 over HTTP', async () => {
      const flooder = newSender('flood');
      const before = await ticketCount();
      for (let i = 0; i < PER_SENDER; i++) await sendMail(listener.port, mail(flooder));
      expect(await smtpRefusal(listener.port, mail(flooder))).toBe(451);
      expect(await ticketCount()).toBe(before + PER_SENDER);
      // Over HTTP (its own budgets in this app): the same sender is held back with a 429.
      for (let i = 0; i < PER_SENDER; i++) {
        expect((await post(await rawEmail(mail(flooder)))).statusCode).toBe(201);
      }
      const res = await post(await rawEmail(mail(flooder)));
      expectErrorBody(res, 429, 'TOO_MANY_REQUESTS');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(await ticketCount()).toBe(before + 2 * PER_SENDER);
      // Someone else still gets through.
      await deliver(mail(newSender()));
    });

    it('holds back one client IP at MAIL FROM with 451', async () => {
      const perIp = 4;
      const ipListener = await startSmtpListener({
        config: { ...t.config, smtpPort: 0, inboundMailPerIpPerMinute: perIp, inboundMailPerMinute: 0 },
        db,
        storage: openBlobStorage(t.config),
        box,
        log: t.app.log,
        limiter: new MemoryRateLimiter(),
      });
      try {
        for (let i = 0; i < perIp; i++) await sendMail(ipListener.port, mail(newSender()));
        expect(await smtpRefusal(ipListener.port, mail(newSender()))).toBe(451);
      } finally {
        await ipListener.close();
      }
    });
  });

  describe('inbound token', () => {
    it('is stored hashed, shown on create and rotation only, and the old URL stops working', async () => {
      const rows = await db
        .selectFrom('channels')
        .select('inbound_token')
        .where('org_id', '=', orgId)
        .execute();
      expect(rows.map((r) => r.inbound_token)).not.toContain(token);
      const channelId = (await api.get('/v1/channels?type=email')).json().data[0].id;
      const read = await api.get(`/v1/channels/${channelId}`);
      expect(read.body).not.toContain(token);
      expect(read.json().inboundUrl).toBeUndefined();

      const rotated = await api.post(`/v1/channels/${channelId}/inbound-token`, {});
      expect(rotated.statusCode, rotated.body).toBe(200);
      const fresh: string = rotated.json().inboundToken;
      expect(rotated.json().inboundUrl).toBe(`https://help.acme.example/channels/email/inbound/${fresh}`);
      expectErrorBody(await post(await rawEmail(mail(newSender()))), 404, 'NOT_FOUND');
      const ok = await post(await rawEmail(mail(newSender())), fresh);
      expect(ok.statusCode, ok.body).toBe(201);
      token = fresh;

      const widget = await api.post('/v1/channels/widget/inbound-token', {});
      expectErrorBody(widget, 404, 'NOT_FOUND');
    });

    it('is hashed by migration 0011 where an older version stored it in plain, and keeps working', async () => {
      const migrator = new Migrator({
        db,
        provider: { getMigrations: () => Promise.resolve(migrations) },
      });
      // Back to just before 0011, whatever later migrations exist.
      const down = await migrator.migrateTo('0010_invitations');
      expect(down.error).toBeUndefined();
      expect(down.results).toContainEqual(
        expect.objectContaining({ migrationName: '0011_inbound_mail', direction: 'Down', status: 'Success' }),
      );
      const plain = randomBytes(24).toString('base64url');
      const now = Date.now();
      const address = `legacy.${run}@acme.example`;
      await db
        .insertInto('channels')
        .values({
          id: newId('chn', now),
          org_id: orgId,
          type: 'email',
          name: 'Legacy',
          settings: JSON.stringify({ address, displayName: null }),
          secrets: box.seal({}),
          inbound_token: plain,
          address,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await migrateToLatest(t.database.db);
      const stored = await db
        .selectFrom('channels')
        .select('inbound_token')
        .where('address', '=', address)
        .executeTakeFirstOrThrow();
      expect(stored.inbound_token).toBe(hashInboundToken(plain));
      const res = await post(await rawEmail(mail(newSender(), { to: address })), plain);
      expect(res.statusCode, res.body).toBe(201);
    });

    it('never appears in request logs', async () => {
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      });
      // pino's options as Fastify takes them; the stream keeps every line the app logs.
      const loggerOptions = { level: 'info', stream: sink };
      const logged = await buildApp({
        config: t.config,
        db: t.database.db,
        limiter: new MemoryRateLimiter(),
        logger: loggerOptions,
      });
      try {
        const good = await logged.inject({
          method: 'POST',
          url: `/channels/email/inbound/${token}`,
          headers: { 'content-type': 'message/rfc822' },
          payload: await rawEmail(mail(newSender())),
        });
        expect(good.statusCode, good.body).toBe(201);
        const wrong = `wrong${randomBytes(8).toString('hex')}`;
        const bad = await logged.inject({
          method: 'POST',
          url: `/channels/email/inbound/${wrong}`,
          headers: { 'content-type': 'message/rfc822' },
          payload: await rawEmail(mail(newSender())),
        });
        expect(bad.statusCode).toBe(404);
        const log = lines.join('');
        expect(log).toContain('/channels/email/inbound/[REDACTED]');
        expect(log).not.toContain(token);
        expect(log).not.toContain(wrong);
      } finally {
        await logged.close();
      }
      expect(redactUrl(`/channels/email/inbound/${token}?x=1`)).toBe(
        '/channels/email/inbound/[REDACTED]?x=[REDACTED]',
      );
    });
  });
});

describe('foldQuotedText', () => {
  it.each([
    [
      'a wrapped attribution',
      'Yes.\n\nOn Mon, 3 Jun 2024 at 10:00, Acme Support <help@acme.example>\nwrote:\n> Did it work?',
      'Yes.',
    ],
    ['an Original Message block', 'Done.\n-----Original Message-----\nFrom: Ada\nPlease check', 'Done.'],
    ['a German attribution', 'Danke.\n\nAm 3. Juni 2024 schrieb Ada <a@b.c>:\n> Hallo', 'Danke.'],
    ['a trailing quote without attribution', 'Agreed.\n\n> earlier text\n> more', 'Agreed.'],
    ['a signature without its trailing space', 'Hi\n--\nCarol', 'Hi'],
  ])('drops %s', (_name, text, folded) => {
    expect(foldQuotedText(text)).toBe(folded);
  });

  it.each([
    [
      'a forwarded message',
      'See below.\n\n---------- Forwarded message ---------\nFrom: Shop <s@shop.example>\nDate: Mon, 3 Jun 2024\nSubject: Order\n\nYour order #7',
    ],
    ['a quote in the middle', '> You asked\nMy answer\n> and then\nMore'],
    ['a mail that is only a quote', '> everything quoted'],
    ['plain text', 'No quotes here.\nTwo lines.'],
  ])('keeps %s', (_name, text) => {
    expect(foldQuotedText(text)).toBe(text);
  });
});

describe('assertHtmlWithinLimits', () => {
  it('counts implied end tags like the tree builder, so unclosed <p>s and <li>s are not depth', () => {
    expect(() => assertHtmlWithinLimits('<ul>' + '<li>item'.repeat(5000) + '</ul>')).not.toThrow();
    expect(() => assertHtmlWithinLimits('<p>para'.repeat(5000))).not.toThrow();
    expect(() => assertHtmlWithinLimits(nested(MAX_HTML_DEPTH))).not.toThrow();
    expect(() => assertHtmlWithinLimits(nested(MAX_HTML_DEPTH + 1))).toThrow(EmailTooComplexError);
    expect(() => assertHtmlWithinLimits('<span>'.repeat(MAX_HTML_ELEMENTS + 1))).toThrow(
      EmailTooComplexError,
    );
  });
});
