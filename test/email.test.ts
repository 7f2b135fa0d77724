/**
 * The email channel: parsing and sanitising mail, recognising automated mail, the inbound SMTP
 * listener and HTTP hook (real SMTP over sockets, nodemailer as the sending MTA), threading and
 * deduplication, and delivering agent replies to an SMTP sink.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { simpleParser } from 'mailparser';
import type { SendMailOptions } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { automatedReason } from '../src/channels/email/automation.js';
import { replySubject, textToHtml, THREAD_TOKEN_PURPOSE } from '../src/channels/email/compose.js';
import { closeEmailTransports, deliverEmail } from '../src/channels/email/outbound.js';
import { MalformedEmailError, parseEmail, subjectCodeOf } from '../src/channels/email/parse.js';
import { startSmtpListener, type SmtpListener } from '../src/channels/email/smtp-listener.js';
import { SecretBox } from '../src/channels/secret-box.js';
import type { Channel, DeliveryContext, EmailSettings } from '../src/channels/types.js';
import type { Database } from '../src/db/schema.js';
import { MemoryBus } from '../src/realtime/bus.js';
import { PermanentFailure } from '../src/jobs/errors.js';
import { newId } from '../src/lib/ids.js';
import { findEmailChannelByAddress } from '../src/modules/channels/channels.lookup.js';
import { insertChannel } from '../src/modules/channels/channels.queries.js';
import { hashInboundToken } from '../src/modules/channels/channels.tokens.js';
import { openBlobStorage, type BlobStorage } from '../src/storage/index.js';
import { client, newOrg, startTestApp, type Client, type TestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';
import { expectErrorBody } from './support/errors.js';
import { closedPort, rawEmail, sendMail, startSmtpSink } from './support/smtp.js';

const MAX_BYTES = 256 * 1024;
const ADDRESS = 'help@acme.example';
const CUSTOMER = { name: 'Carol Customer', address: 'carol@example.com' };

let counter = 0;
/** A fresh Message-ID, as a customer's mail client would make one. */
const newMessageId = () => `<${Date.now().toString(36)}.${++counter}@mail.example.com>`;

/** A plain mail from the customer to the channel, with overrides. */
function mail(overrides: SendMailOptions = {}): SendMailOptions {
  return {
    from: CUSTOMER,
    to: ADDRESS,
    subject: 'Printer on fire',
    text: 'It is on fire.',
    messageId: newMessageId(),
    ...overrides,
  };
}

describe('parseEmail', () => {
  it('reads ids, addresses, subject code, text and sanitised html', async () => {
    const email = await parseEmail(
      await rawEmail({
        from: CUSTOMER,
        to: ADDRESS,
        cc: 'Dan <DAN@example.com>',
        subject: 'Re: Printer on fire [acme-42]',
        messageId: '<a@mail.example.com>',
        inReplyTo: '<b@mail.example.com>',
        references: ['<c@mail.example.com>', '<b@mail.example.com>'],
        html:
          '<p onclick="x()" style="color:red">Hi <b>there</b></p><script>alert(1)</script><style>p{}</style>' +
          '<a href="javascript:alert(1)">bad</a> <a href="https://ok.example/">ok</a>' +
          '<img src="https://tracker.example/p.gif"><img src="cid:logo"><iframe src="https://x.example"></iframe>' +
          '<form action="https://x.example"><input name="p"></form>',
      }),
    );
    expect(email.messageId).toBe('<a@mail.example.com>');
    expect(email.inReplyTo).toEqual(['<b@mail.example.com>']);
    expect(email.references).toEqual(['<c@mail.example.com>', '<b@mail.example.com>']);
    expect(email.from).toEqual({ address: CUSTOMER.address, name: CUSTOMER.name });
    expect(email.to).toEqual([ADDRESS]);
    expect(email.cc).toEqual(['dan@example.com']);
    expect(email.subjectCode).toBe('ACME-42');
    expect(email.text).toContain('Hi there');
    expect(email.html).toContain('<p>Hi <b>there</b></p>');
    expect(email.html).toContain(
      '<a href="https://ok.example/" rel="noopener noreferrer nofollow" target="_blank">',
    );
    expect(email.html).toContain('<img src="cid:logo" />');
    for (const gone of [
      'script',
      'alert',
      'style',
      'onclick',
      'tracker',
      'iframe',
      'form',
      'input',
      'javascript',
    ]) {
      expect(email.html).not.toContain(gone);
    }
  });

  it('keeps real attachments and drops inline images unless they are the whole message', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex');
    const withText = await parseEmail(
      await rawEmail(
        mail({
          html: '<p>See the log</p><img src="cid:sig">',
          attachments: [
            { filename: 'log.txt', content: 'line 1\n' },
            { filename: 'sig.png', content: png, cid: 'sig' },
          ],
        }),
      ),
    );
    expect(withText.attachments.map((file) => file.filename)).toEqual(['log.txt']);
    expect(withText.attachments[0]!.content.toString()).toBe('line 1\n');
    const onlyPicture = await parseEmail(
      await rawEmail(
        mail({
          text: '',
          html: '<img src="cid:shot">',
          attachments: [{ filename: 'shot.png', content: png, cid: 'shot' }],
        }),
      ),
    );
    expect(onlyPicture.attachments.map((file) => file.filename)).toEqual(['shot.png']);
  });

  it.each([
    ['empty input', ''],
    ['no header section', 'just some words\r\n\r\nand more'],
    ['no From', 'Subject: hi\r\nMessage-ID: <x@y>\r\n\r\nbody'],
    ['an unparsable From', 'From: nobody at all\r\nSubject: hi\r\n\r\nbody'],
    ['neither subject nor content', 'From: a@example.com\r\n\r\n'],
  ])('refuses %s', async (_name, raw) => {
    await expect(parseEmail(Buffer.from(raw))).rejects.toBeInstanceOf(MalformedEmailError);
  });

  it('finds the last ticket code in a subject', () => {
    expect(subjectCodeOf('Re: Re: Printer [ACME-7] [acme-42]')).toBe('ACME-42');
    expect(subjectCodeOf('ACME-42 without brackets')).toBeNull();
    expect(subjectCodeOf('[A-1] too short a prefix')).toBeNull();
  });
});

describe('automatedReason', () => {
  const reasonFor = async (overrides: SendMailOptions, envelopeFrom?: string) =>
    automatedReason(await parseEmail(await rawEmail(mail(overrides))), envelopeFrom);

  it('lets a person’s mail through', async () => {
    expect(await reasonFor({ headers: { 'Auto-Submitted': 'no' } })).toBeNull();
    expect(await reasonFor({}, 'carol@example.com')).toBeNull();
    // Outlook sets this on mail people write: it asks for no auto-reply, it is not one.
    expect(await reasonFor({ headers: { 'X-Auto-Response-Suppress': 'All' } })).toBeNull();
  });

  it.each<[string, SendMailOptions]>([
    ['Auto-Submitted', { headers: { 'Auto-Submitted': 'auto-replied' } }],
    ['Precedence', { headers: { Precedence: 'bulk' } }],
    ['Precedence', { headers: { Precedence: 'auto_reply' } }],
    ['X-Autoreply', { headers: { 'X-Autoreply': 'yes' } }],
    ['X-Autorespond', { headers: { 'X-Autorespond': 'vacation' } }],
    ['List-Id', { headers: { 'List-Id': '<news.example.com>' } }],
    ['List-Unsubscribe', { headers: { 'List-Unsubscribe': '<mailto:leave@example.com>' } }],
    ['multipart/report', { headers: { 'Content-Type': 'multipart/report; report-type=delivery-status' } }],
    ['mailer-daemon', { from: 'MAILER-DAEMON@mx.example.com' }],
    ['postmaster', { from: 'Mail System <postmaster@example.com>' }],
    ['Return-Path', { headers: { 'Return-Path': '<>' } }],
    ['X-Talki-Message-Id', { headers: { 'X-Talki-Message-Id': 'msg_01kabc' } }],
    ['a Message-ID Talki generated', { messageId: `<${newId('msg')}@acme.example>` }],
  ])('recognises %s', async (expected, overrides) => {
    expect(await reasonFor(overrides)).toContain(expected);
  });

  it('recognises the null envelope sender of a bounce', async () => {
    expect(await reasonFor({}, '')).toContain('null envelope sender');
  });
});

describe('reply composition', () => {
  it('adds Re: and the code once', () => {
    expect(replySubject('Printer on fire', 'ACME-1')).toBe('Re: Printer on fire [ACME-1]');
    expect(replySubject('RE: Printer on fire [ACME-1]', 'ACME-1')).toBe('RE: Printer on fire [ACME-1]');
    expect(replySubject(' re:  Printer\non fire ', 'ACME-1')).toBe('re: Printer on fire [ACME-1]');
  });

  it('escapes text into paragraphs and line breaks', () => {
    const html = textToHtml('Hi <Carol> & co,\nline two\n\n\nBye "all"');
    expect(html).toContain('<p>Hi &lt;Carol&gt; &amp; co,<br>\nline two</p>\n<p>Bye &quot;all&quot;</p>');
  });
});

describe.each(DIALECTS)('email channel (%s)', (dialect) => {
  let t: TestApp;
  let db: Kysely<Database>;
  let box: SecretBox;
  let storage: BlobStorage;
  let api: Client;
  let orgId: string;
  let channel: Channel<'email'>;
  let listener: SmtpListener;

  async function addChannel(address: string, options: { enabled?: boolean; token?: string } = {}) {
    const now = Date.now();
    const settings: EmailSettings = { address, displayName: 'Acme Support' };
    const inboundToken = options.token ?? randomBytes(16).toString('hex');
    await insertChannel(db, {
      id: newId('chn', now),
      org_id: orgId,
      type: 'email',
      name: 'Support mailbox',
      enabled: options.enabled === false ? 0 : 1,
      settings: JSON.stringify(settings),
      secrets: box.seal({}),
      inbound_token: hashInboundToken(inboundToken),
      address: address.toLowerCase(),
      created_at: now,
      updated_at: now,
    });
    return { ...(await findEmailChannelByAddress(db, box, address))!, inboundToken };
  }

  const messageRow = (externalId: string) =>
    db
      .selectFrom('messages')
      .select(['id', 'ticket_id', 'text', 'html'])
      .where('org_id', '=', orgId)
      .where('external_id', '=', externalId)
      .execute();

  const counts = async () => {
    const [tickets, messages] = await Promise.all([
      db
        .selectFrom('tickets')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('org_id', '=', orgId)
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('org_id', '=', orgId)
        .executeTakeFirstOrThrow(),
    ]);
    return { tickets: Number(tickets.n), messages: Number(messages.n) };
  };

  /** Sends over SMTP and returns the message row it became. */
  async function deliver(overrides: SendMailOptions = {}) {
    const sent = mail(overrides);
    await sendMail(listener.port, sent);
    const rows = await messageRow(sent.messageId!);
    expect(rows).toHaveLength(1);
    return rows[0]!;
  }

  const ticket = async (id: string) => {
    const res = await api.get(`/v1/tickets/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    t = await startTestApp(dialect, {
      env: { TALKI_EMAIL_MAX_BYTES: String(MAX_BYTES), TALKI_SMTP_PORT: '0', TALKI_SMTP_HOST: '127.0.0.1' },
    });
    db = t.database.db.kysely;
    box = await SecretBox.open(db, t.config);
    storage = openBlobStorage(t.config);
    const org = await newOrg(t, 'Acme');
    orgId = org.org.id;
    api = client(t.app, org.apiKey);
    channel = await addChannel(ADDRESS);
    listener = await startSmtpListener({
      config: t.config,
      db,
      storage,
      box,
      limiter: t.limiter,
      log: t.app.log,
    });
  });

  afterAll(async () => {
    await listener?.close();
    closeEmailTransports();
    await t?.close();
  });

  describe('SMTP listener', () => {
    it('opens a ticket from a mail: channel, subject, customer, text and sanitised html', async () => {
      const row = await deliver({
        subject: 'Printer on fire',
        html: '<p>It is <b>on fire</b>.</p><script>alert(1)</script><img src="https://tracker.example/p.gif">',
      });
      expect(row.html).toContain('<b>on fire</b>');
      expect(row.html).not.toMatch(/script|alert|tracker/);
      const body = await ticket(row.ticket_id);
      expect(body.channel).toBe('email');
      expect(body.subject).toBe('Printer on fire');
      expect(body.customer).toMatchObject({ email: CUSTOMER.address, name: CUSTOMER.name });
      const customerMessages = body.messages.filter((m: { role: string }) => m.role === 'customer');
      expect(customerMessages).toHaveLength(1);
      expect(customerMessages[0].text).toContain('It is on fire.');
    });

    it('stores an attachment and lists it on the message', async () => {
      const content = `report ${randomBytes(8).toString('hex')}\n`;
      const row = await deliver({ attachments: [{ filename: 'report.txt', content }] });
      const body = await ticket(row.ticket_id);
      const message = body.messages.find((m: { id: string }) => m.id === row.id);
      expect(message.attachments).toHaveLength(1);
      expect(message.attachments[0]).toMatchObject({ name: 'report.txt', size: Buffer.byteLength(content) });
      const download = await api.get(message.attachments[0].url);
      expect(download.statusCode).toBe(200);
      expect(download.body).toBe(content);
    });

    it('threads a reply by In-Reply-To, and a mail by the [CODE-n] in its subject', async () => {
      const first = await deliver({ subject: 'Where is my order?' });
      const reply = await deliver({
        subject: 'Something else entirely',
        inReplyTo: (await messageIdOf(first.id))!,
      });
      expect(reply.ticket_id).toBe(first.ticket_id);
      const { code } = await ticket(first.ticket_id);
      const tagged = await deliver({ subject: `Also this [${code}]` });
      expect(tagged.ticket_id).toBe(first.ticket_id);
      const other = await deliver({ subject: 'A new question' });
      expect(other.ticket_id).not.toBe(first.ticket_id);
    });

    it('takes a Message-ID once', async () => {
      const sent = mail();
      await sendMail(listener.port, sent);
      const before = await counts();
      await sendMail(listener.port, sent);
      expect(await counts()).toEqual(before);
      expect(await messageRow(sent.messageId!)).toHaveLength(1);
    });

    it.each<[string, SendMailOptions]>([
      ['an auto-reply', { headers: { 'Auto-Submitted': 'auto-replied' } }],
      ['bulk mail', { headers: { Precedence: 'bulk' } }],
      ['a bounce', { from: 'MAILER-DAEMON@mx.example.com', headers: { 'Content-Type': 'multipart/report' } }],
      ["Talki's own mail", { messageId: `<${newId('msg')}@acme.example>` }],
      ["the channel's own address", { from: ADDRESS }],
    ])('opens nothing for %s', async (_name, overrides) => {
      const before = await counts();
      const sent = mail(overrides);
      await sendMail(listener.port, sent);
      expect(await counts()).toEqual(before);
    });

    it('opens nothing for the null envelope sender of a bounce', async () => {
      const before = await counts();
      await sendMail(listener.port, mail({ envelope: { from: '', to: ADDRESS } }));
      expect(await counts()).toEqual(before);
    });

    it('refuses recipients it has no channel for for good, and a disabled channel’s for now', async () => {
      await addChannel('off@acme.example', { enabled: false });
      const before = await counts();
      const unknown = sendMail(listener.port, mail({ to: 'nobody@acme.example' }));
      await expect(unknown).rejects.toMatchObject({ responseCode: 550 });
      // 450: the sending MTA keeps the mail and tries again once the channel is back on.
      const disabled = sendMail(listener.port, mail({ to: 'off@acme.example' }));
      await expect(disabled).rejects.toMatchObject({ responseCode: 450 });
      expect(await counts()).toEqual(before);
    });

    it('refuses a mail over TALKI_EMAIL_MAX_BYTES', async () => {
      const before = await counts();
      const big = mail({ attachments: [{ filename: 'big.bin', content: randomBytes(MAX_BYTES) }] });
      await expect(sendMail(listener.port, big)).rejects.toMatchObject({ responseCode: 552 });
      expect(await counts()).toEqual(before);
    });

    it('refuses a malformed message with a permanent error', async () => {
      const garbage = { envelope: { from: CUSTOMER.address, to: ADDRESS }, raw: 'no headers at all\r\n' };
      await expect(sendMail(listener.port, garbage)).rejects.toMatchObject({ responseCode: 550 });
    });
  });

  describe('POST /channels/email/inbound/:token', () => {
    let token: string;
    const post = (body: Buffer | string, contentType = 'message/rfc822', path = token) =>
      t.app.inject({
        method: 'POST',
        url: `/channels/email/inbound/${path}`,
        headers: { 'content-type': contentType },
        payload: body,
      });

    beforeAll(async () => {
      token = (await addChannel('inbound@acme.example')).inboundToken!;
    });

    it('creates, appends and recognises a duplicate', async () => {
      const first = await rawEmail(mail({ to: 'inbound@acme.example' }));
      const created = await post(first);
      expect(created.statusCode, created.body).toBe(201);
      expect(created.json()).toEqual({
        outcome: 'created',
        ticketId: expect.any(String),
        messageId: expect.any(String),
      });
      const { ticketId, messageId } = created.json();

      const again = await post(first, 'application/octet-stream');
      expect(again.statusCode, again.body).toBe(200);
      expect(again.json()).toEqual({ outcome: 'duplicate', ticketId, messageId });

      const replyTo = (await messageIdOf(messageId))!;
      const reply = await post(
        await rawEmail(mail({ inReplyTo: replyTo, references: [replyTo] })),
        'text/plain; charset=utf-8',
      );
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toMatchObject({ outcome: 'appended', ticketId });
    });

    it('answers 202 for automated mail and stores nothing', async () => {
      const before = await counts();
      const res = await post(await rawEmail(mail({ headers: { 'Auto-Submitted': 'auto-replied' } })));
      expect(res.statusCode, res.body).toBe(202);
      expect(res.json()).toEqual({ outcome: 'ignored', reason: 'Auto-Submitted: auto-replied' });
      expect(await counts()).toEqual(before);
    });

    it('answers 404 for an unknown token and 403 for a disabled channel', async () => {
      const raw = await rawEmail(mail());
      expectErrorBody(await post(raw, 'message/rfc822', 'no-such-token'), 404, 'NOT_FOUND');
      const disabled = await addChannel('disabled@acme.example', { enabled: false });
      expectErrorBody(await post(raw, 'message/rfc822', disabled.inboundToken), 403, 'FORBIDDEN');
    });

    it('answers 400 for a malformed message', async () => {
      const body = expectErrorBody(await post('not an email at all'), 400, 'INVALID_EMAIL');
      expect(body.error.message).toMatch(/^Malformed email/);
    });

    it('answers 415 for other content types', async () => {
      expectErrorBody(await post('{"raw":"..."}', 'application/json'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      expectErrorBody(await post('<p>hi</p>', 'text/html'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('answers 413 over TALKI_EMAIL_MAX_BYTES', async () => {
      const big = await rawEmail(
        mail({ attachments: [{ filename: 'big.bin', content: randomBytes(MAX_BYTES) }] }),
      );
      expectErrorBody(await post(big), 413, 'PAYLOAD_TOO_LARGE');
    });
  });

  describe('deliverEmail', () => {
    const messageId = newId('msg');
    let sinkUrl: string;

    function context(overrides: Partial<DeliveryContext<'email'>> = {}): DeliveryContext<'email'> {
      return {
        config: { ...t.config, smtpUrl: sinkUrl },
        db,
        storage,
        bus: new MemoryBus(),
        box,
        channel,
        ticket: { id: 'tkt_1', code: 'ACME-7', subject: 'Printer on fire' },
        customer: { id: 'cus_1', name: CUSTOMER.name, email: CUSTOMER.address },
        message: {
          id: messageId,
          text: 'Hello Carol,\n\nTry <this> & that.\nBye',
          agentName: 'Ada',
          createdAt: Date.now(),
          attachments: [],
        },
        thread: ['<first@mail.example.com>', '<msg_01kprevious0000000000000000@acme.example>'],
        chatId: null,
        progress: { sent: 0, externalId: null, record: async () => {} },
        ...overrides,
      };
    }

    it('sends a threaded reply with text, html and attachments', async () => {
      const sink = await startSmtpSink();
      sinkUrl = sink.url;
      try {
        const key = `${orgId}/${newId('upl')}`;
        const bytes = randomBytes(2048);
        await storage.put(key, bytes);
        const base = context();
        const result = await deliverEmail({
          ...base,
          message: {
            ...base.message,
            attachments: [
              {
                name: 'manual.bin',
                contentType: 'application/octet-stream',
                size: bytes.length,
                open: () => storage.get(key),
              },
            ],
          },
        });
        const expectedId = `<${messageId}.${box.mac(THREAD_TOKEN_PURPOSE, messageId)}@acme.example>`;
        expect(result).toEqual({ externalId: expectedId });
        expect(sink.messages).toHaveLength(1);
        const sent = await simpleParser(sink.messages[0]!);
        expect(sent.from?.value).toEqual([{ name: 'Acme Support', address: ADDRESS }]);
        expect(sent.to).toMatchObject({ value: [{ name: CUSTOMER.name, address: CUSTOMER.address }] });
        expect(sent.replyTo?.value).toEqual([{ name: '', address: ADDRESS }]);
        expect(sent.messageId).toBe(expectedId);
        expect(sent.inReplyTo).toBe('<msg_01kprevious0000000000000000@acme.example>');
        expect(sent.references).toEqual([
          '<first@mail.example.com>',
          '<msg_01kprevious0000000000000000@acme.example>',
        ]);
        expect(sent.subject).toBe('Re: Printer on fire [ACME-7]');
        expect(sent.text).toContain('Try <this> & that.');
        expect(sent.html).toContain('<p>Try &lt;this&gt; &amp; that.<br>');
        expect(sent.html).not.toMatch(/src=|https?:/);
        expect(sent.headers.get('x-talki-message-id')).toBe(messageId);
        expect(sent.headers.has('auto-submitted')).toBe(false);
        expect(sent.attachments).toHaveLength(1);
        expect(sent.attachments[0]).toMatchObject({
          filename: 'manual.bin',
          contentType: 'application/octet-stream',
        });
        expect(Buffer.compare(sent.attachments[0]!.content, bytes)).toBe(0);

        // A retry sends the same Message-ID.
        await deliverEmail(context());
        expect((await simpleParser(sink.messages[1]!)).messageId).toBe(expectedId);
      } finally {
        await sink.close();
      }
    });

    it('gives up when the server refuses with a 5xx', async () => {
      for (const at of ['rcpt', 'data'] as const) {
        const sink = await startSmtpSink({ at, code: 550, message: '5.1.1 Mailbox unavailable' });
        sinkUrl = sink.url;
        try {
          const failure = deliverEmail(context());
          await expect(failure).rejects.toBeInstanceOf(PermanentFailure);
          await expect(failure).rejects.toThrow(/Mailbox unavailable/);
        } finally {
          await sink.close();
        }
      }
    });

    it('leaves a 4xx and an unreachable server to a retry', async () => {
      const sink = await startSmtpSink({ at: 'data', code: 451, message: '4.3.0 Try again later' });
      sinkUrl = sink.url;
      try {
        const error = await deliverEmail(context()).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Error);
        expect(error).not.toBeInstanceOf(PermanentFailure);
      } finally {
        await sink.close();
      }
      sinkUrl = `smtp://127.0.0.1:${await closedPort()}`;
      const error = await deliverEmail(context()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(PermanentFailure);
    });

    it('gives up without an SMTP server or a customer address', async () => {
      await expect(
        deliverEmail({ ...context(), config: { ...t.config, smtpUrl: undefined } }),
      ).rejects.toThrow(/no outbound SMTP configured/);
      const noEmail = context({ customer: { id: 'cus_1', name: 'Anon', email: null } });
      await expect(deliverEmail(noEmail)).rejects.toBeInstanceOf(PermanentFailure);
    });
  });

  /** The external id (Message-ID) stored on a message. */
  async function messageIdOf(id: string) {
    const row = await db.selectFrom('messages').select('external_id').where('id', '=', id).executeTakeFirst();
    return row?.external_id ?? undefined;
  }
});
