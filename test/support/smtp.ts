import net, { type AddressInfo } from 'node:net';
import nodemailer, { type SendMailOptions, type SMTPSentMessageInfo } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { SMTPServer } from 'smtp-server';

/** A refusal a sink answers with: at RCPT TO or after DATA. */
export interface SinkRefusal {
  at: 'rcpt' | 'data';
  code: number;
  message: string;
}

export interface SmtpSink {
  port: number;
  url: string;
  /** Every message accepted so far, as received. */
  messages: Buffer[];
  close(): Promise<void>;
}

/** An SMTP server on a free port that keeps what it is sent, or refuses it as told. */
/** On `port` when given (a sink coming back after an outage), else a free one. */
export async function startSmtpSink(refusal?: SinkRefusal, port = 0): Promise<SmtpSink> {
  const messages: Buffer[] = [];
  const refuse = (callback: (error?: Error | null) => void) =>
    callback(Object.assign(new Error(refusal?.message), { responseCode: refusal?.code }));
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    // Talki keeps pooled connections open; a closing sink drops them at once, as a restarting server would.
    closeTimeout: 50,
    onRcptTo(_address, _session, callback) {
      if (refusal?.at === 'rcpt') refuse(callback);
      else callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (refusal?.at === 'data') return refuse(callback);
        messages.push(Buffer.concat(chunks));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.server.address() as AddressInfo).port;
  return {
    port: bound,
    url: `smtp://127.0.0.1:${bound}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Sends one mail over SMTP to a server on localhost, as an MTA would hand it over. */
export async function sendMail(port: number, mail: SendMailOptions): Promise<SMTPSentMessageInfo> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    return await transport.sendMail(mail);
  } finally {
    transport.close();
  }
}

/** The RFC 822 bytes nodemailer would send for this mail. */
export function rawEmail(mail: SendMailOptions): Promise<Buffer> {
  return new MailComposer(mail).compile().build();
}

/** A port nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
