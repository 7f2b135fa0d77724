import type { Config } from '../../config.js';
import type { RateLimiter } from '../../http/rate-limit.js';

/** Too many mails from one sender address or client IP in the last minute: try again later. */
export class InboundMailThrottled extends Error {
  constructor(
    readonly what: 'sender' | 'client',
    readonly limit: number,
    readonly retryAfterSeconds: number,
  ) {
    super(`more than ${limit} mails a minute from this ${what === 'sender' ? 'sender' : 'client address'}`);
    this.name = 'InboundMailThrottled';
  }
}

export type MailThrottleConfig = Pick<Config, 'inboundMailPerMinute' | 'inboundMailPerIpPerMinute'>;

/**
 * Rolling-minute budgets for inbound mail, shared by the SMTP listener and the HTTP hook (and
 * by every server when Redis holds them): a flood from one sender or one client opens no more
 * than this many tickets a minute. A limit of 0 turns that budget off.
 */
export class MailThrottle {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly config: MailThrottleConfig,
  ) {}

  /** Counts one mail from this client address; throws InboundMailThrottled when over budget. */
  client(ip: string): Promise<void> {
    return this.take('client', `mail-ip:${ip}`, this.config.inboundMailPerIpPerMinute);
  }

  /** Counts one mail from this sender (the From address, lower-cased). */
  sender(address: string): Promise<void> {
    return this.take('sender', `mail-from:${address.trim().toLowerCase()}`, this.config.inboundMailPerMinute);
  }

  private async take(what: 'sender' | 'client', key: string, limit: number): Promise<void> {
    if (limit === 0) return;
    const decision = await this.limiter.hit(key, limit);
    if (!decision.allowed) throw new InboundMailThrottled(what, limit, decision.resetSeconds);
  }
}
