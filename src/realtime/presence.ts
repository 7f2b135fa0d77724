import type { RealtimeBus, Unsubscribe } from './bus.js';

export type PresenceState = 'viewing' | 'typing' | 'idle';
export const PRESENCE_STATES: readonly PresenceState[] = ['viewing', 'typing', 'idle'];

export interface PresenceFrame {
  type: 'presence';
  ticketId: string;
  agent: { id: string; name: string };
  state: PresenceState;
  at: string;
}

/** On the bus: a socket's presence change, or a new socket asking the others to say theirs. */
type PresenceMessage =
  { kind: 'state'; from: string; frame: PresenceFrame } | { kind: 'hello'; from: string };

const topic = (orgId: string) => `presence:${orgId}`;

/**
 * One socket's presence in its org: who else views or types in which ticket. Ephemeral by
 * design (never in the event log); it travels on the realtime bus, so across processes with
 * Redis. A state ends when the socket says so, closes, or goes quiet for `ttlMs` (the client
 * re-sends a state while it lasts; TALKI_PRESENCE_TTL_MS).
 */
export class Presence {
  private readonly mine = new Map<string, { state: PresenceState; at: number }>();
  private readonly unsubscribe: Unsubscribe;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly bus: RealtimeBus,
    private readonly orgId: string,
    private readonly socketId: string,
    private readonly agent: { id: string; name: string },
    private readonly receive: (frame: PresenceFrame) => void,
    private readonly ttlMs: number,
  ) {
    this.unsubscribe = bus.subscribe(topic(orgId), (message) => this.heard(message as PresenceMessage));
    this.sweeper = setInterval(() => this.sweep(), Math.max(10, Math.min(ttlMs / 3, 10_000)));
    this.sweeper.unref();
    void this.publish({ kind: 'hello', from: socketId });
  }

  set(ticketId: string, state: PresenceState): void {
    if (state === 'idle') {
      if (!this.mine.delete(ticketId)) return;
    } else this.mine.set(ticketId, { state, at: Date.now() });
    this.announce(ticketId, state);
  }

  /** The socket closed: everything it was viewing or typing in ends now. */
  close(): void {
    clearInterval(this.sweeper);
    for (const ticketId of this.mine.keys()) this.announce(ticketId, 'idle');
    this.mine.clear();
    this.unsubscribe();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [ticketId, entry] of this.mine) {
      if (now - entry.at >= this.ttlMs) this.set(ticketId, 'idle');
    }
  }

  private heard(message: PresenceMessage): void {
    if (message.from === this.socketId) return;
    if (message.kind === 'hello') {
      // Someone just connected: tell them what this socket is doing.
      for (const [ticketId, entry] of this.mine) this.announce(ticketId, entry.state);
      return;
    }
    this.receive(message.frame);
  }

  private announce(ticketId: string, state: PresenceState): void {
    const frame: PresenceFrame = {
      type: 'presence',
      ticketId,
      agent: this.agent,
      state,
      at: new Date().toISOString(),
    };
    void this.publish({ kind: 'state', from: this.socketId, frame });
  }

  private async publish(message: PresenceMessage): Promise<void> {
    // Best effort, like all of the bus: a lost presence update is corrected by the next one.
    await this.bus.publish(topic(this.orgId), message).catch(() => {});
  }
}
