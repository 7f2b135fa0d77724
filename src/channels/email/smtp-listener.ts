import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Config } from '../../config.js';
import { AppError } from '../../http/errors.js';
import type { ModuleDeps } from '../../http/module.js';
import type { RateLimiter } from '../../http/rate-limit.js';
import { findEmailChannelByAddress } from '../../modules/channels/channels.lookup.js';
import type { Channel } from '../types.js';
import { ingestEmail } from './ingest.js';
import { EmailTooComplexError, MalformedEmailError } from './parse.js';
import { InboundMailThrottled, MailThrottle, type MailThrottleConfig } from './throttle.js';

export interface SmtpListenerDeps extends Pick<ModuleDeps, 'db' | 'storage' | 'box'> {
  config: Pick<Config, 'smtpHost' | 'smtpPort' | 'emailMaxBytes'> & MailThrottleConfig;
  log: FastifyBaseLogger;
  /** Mail budgets per sender and client: the server's own limiter, shared with the HTTP hook. */
  limiter: RateLimiter;
}

export interface SmtpListener {
  /** The port it listens on (the one chosen when TALKI_SMTP_PORT is 0). */
  port: number;
  close(): Promise<void>;
}

/** An SMTP reply: the code the client sees, and the enhanced status code in the text. */
function reply(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

async function readMessage(stream: SMTPServerDataStream, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Past the limit the rest is only drained: smtp-server answers 552 (rejectOversized).
    if (size <= limit) chunks.push(chunk);
  }
  return stream.sizeExceeded || size > limit ? undefined : Buffer.concat(chunks);
}

/**
 * The inbound SMTP server: accepts mail for the addresses of enabled email channels and turns
 * each into a ticket message. There is no AUTH (senders are other MTAs delivering to us, as
 * on any MX) and no STARTTLS (Talki has no certificate to offer; put a TLS-terminating relay
 * in front when mail must arrive encrypted).
 */
export async function startSmtpListener(deps: SmtpListenerDeps): Promise<SmtpListener> {
  const { config, log } = deps;
  if (config.smtpPort === undefined) throw new Error('TALKI_SMTP_PORT is not set: no SMTP listener to start');
  const throttle = new MailThrottle(deps.limiter, config);

  async function channelFor(address: string): Promise<Channel<'email'> | undefined> {
    const channel = await findEmailChannelByAddress(deps.db, deps.box, address);
    return channel?.enabled ? channel : undefined;
  }

  /**
   * RCPT TO's answer: an address no channel has is refused for good; a disabled channel's is
   * refused for now (450), so the sending MTA keeps the mail until the channel is back on.
   */
  async function recipientRefusal(address: string): Promise<Error | null> {
    const channel = await findEmailChannelByAddress(deps.db, deps.box, address);
    if (!channel) return reply(550, '5.1.1 No mailbox here');
    return channel.enabled ? null : reply(450, '4.2.1 Mailbox temporarily disabled, try again later');
  }

  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const raw = await readMessage(stream, config.emailMaxBytes);
    if (raw === undefined) throw reply(552, `5.3.4 Message larger than ${config.emailMaxBytes} bytes`);
    const channels = new Map<string, Channel<'email'>>();
    for (const { address } of session.envelope.rcptTo) {
      const channel = await channelFor(address);
      if (channel) channels.set(channel.id, channel);
    }
    // Every recipient may have been disabled (or removed) since RCPT: let the sender try later.
    if (channels.size === 0) throw reply(451, '4.2.1 Mailbox unavailable right now, try again later');
    const envelopeFrom = session.envelope.mailFrom === false ? null : session.envelope.mailFrom.address;
    let counted = false;
    // One mail to several channels counts once against its sender.
    const countSender = async (address: string) => {
      if (counted) return;
      counted = true;
      await throttle.sender(address);
    };
    for (const channel of channels.values()) {
      const result = await ingestEmail(deps, channel, raw, { envelopeFrom, throttle: countSender });
      log.info(
        { session: session.id, channelId: channel.id, orgId: channel.orgId, bytes: raw.length, ...result },
        'inbound email',
      );
    }
    return 'OK: message accepted';
  }

  /** What the sending MTA is told: 5xx when resending cannot help, else 451 so that it retries. */
  function refusal(error: unknown, session: SMTPServerSession): Error {
    if (error instanceof InboundMailThrottled) {
      log.warn({ session: session.id, what: error.what, limit: error.limit }, 'inbound email throttled');
      return reply(451, `4.7.1 Too many messages: ${error.message}; try again later`);
    }
    if (error instanceof EmailTooComplexError) {
      log.warn({ session: session.id, reason: error.message }, 'inbound email refused: too complex');
      return reply(554, `5.6.0 Message refused: ${error.message}`);
    }
    if (error instanceof MalformedEmailError) {
      log.info({ session: session.id, reason: error.message }, 'inbound email refused: malformed');
      return reply(550, `5.6.0 Malformed message: ${error.message}`);
    }
    if (error instanceof AppError && error.statusCode < 500) {
      log.warn({ session: session.id, code: error.code, reason: error.message }, 'inbound email refused');
      return reply(550, `5.6.0 Message refused: ${error.message}`);
    }
    if (typeof (error as { responseCode?: unknown }).responseCode === 'number') return error as Error;
    log.error({ err: error, session: session.id }, 'inbound email failed; asked the sender to retry');
    return reply(451, '4.3.0 Temporary failure, please try again later');
  }

  const server = new SMTPServer({
    banner: 'Talki',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: config.emailMaxBytes,
    rejectOversized: true,
    // Reverse DNS only names the client in logs, and would slow every connection down.
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 10_000,
    onMailFrom(_address, session, callback) {
      throttle.client(session.remoteAddress).then(
        () => callback(),
        (error: unknown) => callback(refusal(error, session)),
      );
    },
    onRcptTo(address, session, callback) {
      recipientRefusal(address.address).then(
        (refused) => callback(refused),
        (error: unknown) => {
          log.error({ err: error, session: session.id }, 'inbound email: recipient lookup failed');
          callback(reply(451, '4.3.0 Temporary failure, please try again later'));
        },
      );
    },
    onData(stream, session, callback) {
      receive(stream, session).then(
        (message) => callback(null, message),
        (error: unknown) => {
          stream.resume();
          callback(refusal(error, session));
        },
      );
    },
  });
  // A failed listen is the start-up's one line to report, not also a logged connection error.
  let listening = false;
  server.on('error', (error: Error) => {
    if (listening) log.warn({ err: error }, 'inbound SMTP connection error');
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(config.smtpPort, config.smtpHost, () => {
      server.server.off('error', reject);
      listening = true;
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;
  log.info({ port, host: config.smtpHost }, 'inbound SMTP listening');
  return {
    port,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
