import { createHash } from 'node:crypto';
import type { ModuleDeps } from '../../http/module.js';
import { receiveMessage } from '../inbound.js';
import type { Channel } from '../types.js';
import { automatedReason } from './automation.js';
import { parseTalkiMessageId, THREAD_TOKEN_PURPOSE } from './compose.js';
import { parseEmail, type ParsedEmail } from './parse.js';

export type IngestResult =
  | { outcome: 'created' | 'appended' | 'duplicate'; ticketId: string; messageId: string }
  | { outcome: 'ignored'; reason: string };

export type IngestDeps = Pick<ModuleDeps, 'db' | 'storage' | 'box'>;

export interface IngestOptions {
  /** The SMTP envelope's MAIL FROM, when the mail came over SMTP ('' = the null sender). */
  envelopeFrom?: string | null;
  /** Counts the mail against its sender's budget once parsed (throws InboundMailThrottled). */
  throttle?: (senderAddress: string) => Promise<void>;
}

/**
 * The id a message is deduplicated by. A mail without a Message-ID gets one from its bytes, so
 * that an MTA retrying after a temporary failure does not post it twice.
 */
function externalIdOf(email: ParsedEmail, raw: Buffer): string {
  if (email.messageId !== null) return email.messageId;
  return `<${createHash('sha256').update(raw).digest('hex').slice(0, 40)}@no-message-id.talki>`;
}

/** The Talki message ids among these Message-IDs whose token is genuine (Talki sent that mail). */
function trustedMessageIds(box: IngestDeps['box'], references: string[]): string[] {
  return references.flatMap((reference) => {
    const id = parseTalkiMessageId(reference);
    return id?.token && box.verifyMac(THREAD_TOKEN_PURPOSE, id.messageId, id.token) ? [id.messageId] : [];
  });
}

/**
 * Whether a receiving MTA recorded that the From domain's DMARC check failed. The header can be
 * written by the sender too, but a forger gains nothing by adding it: it only ever takes trust
 * away (a pass is never taken as proof).
 */
function fromIsForged(email: ParsedEmail): boolean {
  return email.authenticationResults.some((result) => /(^|[\s;])dmarc\s*=\s*fail\b/i.test(result));
}

/**
 * One inbound mail for an email channel: parsed (MalformedEmailError when it is not a usable
 * message), dropped with a reason when automated or sent by the channel's own address, else
 * handed to receiveMessage, which threads it and stores it with its files in one transaction.
 */
export async function ingestEmail(
  deps: IngestDeps,
  channel: Channel<'email'>,
  raw: Buffer,
  options: IngestOptions = {},
): Promise<IngestResult> {
  const email = await parseEmail(raw);
  await options.throttle?.(email.from.address);
  const reason = automatedReason(email, options.envelopeFrom);
  if (reason !== null) return { outcome: 'ignored', reason };
  if (email.from.address.toLowerCase() === channel.settings.address.toLowerCase()) {
    return { outcome: 'ignored', reason: "loop (sent from the channel's own address)" };
  }
  const references = [...new Set([...email.inReplyTo, ...email.references])];
  const result = await receiveMessage(deps.db, deps.storage, {
    orgId: channel.orgId,
    channelType: 'email',
    channelId: channel.id,
    customer: { email: email.from.address, name: email.from.name },
    threading: {
      mode: 'email',
      references,
      trustedMessageIds: trustedMessageIds(deps.box, references),
      senderVerified: !fromIsForged(email),
      subjectCode: email.subjectCode,
    },
    subject: email.subject,
    text: email.text,
    html: email.html,
    source: JSON.stringify({
      text: email.fullText,
      ...(email.authenticationResults.length > 0
        ? { authenticationResults: email.authenticationResults }
        : {}),
    }),
    externalId: externalIdOf(email, raw),
    files: email.attachments,
  });
  return { outcome: result.outcome, ticketId: result.ticketId, messageId: result.messageId };
}
