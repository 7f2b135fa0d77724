import type { Readable } from 'node:stream';
import nodemailer, { type NodemailerError, type Transporter } from 'nodemailer';
import { PermanentFailure } from '../../jobs/errors.js';
import { BlobNotFoundError } from '../../storage/index.js';
import type { ChannelAdapter, DeliveryContext } from '../types.js';
import { TALKI_MESSAGE_HEADER } from './automation.js';
import {
  MAX_REFERENCES,
  outboundMessageId,
  replySubject,
  textToHtml,
  THREAD_TOKEN_PURPOSE,
} from './compose.js';

/** One transport per SMTP URL: the server's SMTP_URL, and each channel's own. */
const transports = new Map<string, Transporter>();

function transportFor(url: string): Transporter {
  let transport = transports.get(url);
  if (!transport) {
    transport = nodemailer.createTransport({
      url,
      // Connections are reused: opening one costs ~100 ms, more than sending a reply over it.
      pool: true,
      maxConnections: 5,
      // A delivery job should fail over to a retry, not hang for nodemailer's default minutes.
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
      // Attachments are streams Talki opened itself; never read a path or URL from anywhere.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    transports.set(url, transport);
  }
  return transport;
}

/** Closes the cached transports (shutdown, tests). */
export function closeEmailTransports(): void {
  for (const transport of transports.values()) transport.close();
  transports.clear();
}

/**
 * A 5xx reply (a mailbox that does not exist, a message refused) will be refused again, and a
 * deleted attachment will not come back: give up. Anything else — a refused connection, a
 * timeout, a 4xx — may pass on a later attempt.
 */
function classify(error: unknown): unknown {
  if (error instanceof BlobNotFoundError)
    return new PermanentFailure(`an attachment is gone: ${error.message}`);
  const { responseCode, response } = error as NodemailerError;
  if (typeof responseCode === 'number' && responseCode >= 500) {
    return new PermanentFailure(`the SMTP server refused the message: ${response ?? responseCode}`);
  }
  return error;
}

/** Delivers an agent's reply to the customer by email, threaded under the mails before it. */
export const deliverEmail: ChannelAdapter<'email'> = async (context: DeliveryContext<'email'>) => {
  const { channel, ticket, customer, message, thread } = context;
  const url = channel.secrets.smtpUrl ?? context.config.smtpUrl;
  if (!url) throw new PermanentFailure("no outbound SMTP configured: set SMTP_URL or the channel's smtpUrl");
  if (!customer.email) throw new PermanentFailure('the customer has no email address');
  const address = channel.settings.address;
  const messageId = outboundMessageId(message.id, address, context.box.mac(THREAD_TOKEN_PURPOSE, message.id));
  const references = thread.slice(-MAX_REFERENCES);
  const contents: Readable[] = [];
  try {
    for (const file of message.attachments) contents.push(await file.open());
    await transportFor(url).sendMail({
      // No display name rather than the address twice ("support@…" <support@…>).
      from: { name: channel.settings.displayName || (channel.name === address ? '' : channel.name), address },
      to: { name: customer.name ?? '', address: customer.email },
      replyTo: address,
      subject: replySubject(ticket.subject, ticket.code),
      messageId,
      ...(references.length > 0 ? { inReplyTo: references.at(-1), references } : {}),
      text: message.text,
      html: textToHtml(message.text),
      attachments: message.attachments.map((file, i) => ({
        filename: file.name,
        contentType: file.contentType,
        content: contents[i],
      })),
      headers: { [TALKI_MESSAGE_HEADER]: message.id },
    });
  } catch (error) {
    throw classify(error);
  } finally {
    for (const content of contents) content.destroy();
  }
  return { externalId: messageId };
};
