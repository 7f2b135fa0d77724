import { getSession, subscribeSession } from './session';
import { refreshAccessToken } from './api-client';

/** One entry of the event log, as /v1/events and the stream deliver it. */
export interface TalkiEvent {
  id: string;
  type: string;
  orgId: string;
  createdAt: string;
  actor: { type: string; id: string } | null;
  data: Record<string, unknown>;
}

export type PresenceState = 'viewing' | 'typing' | 'idle';

export interface PresenceFrame {
  type: 'presence';
  ticketId: string;
  agent: { id: string; name: string };
  state: PresenceState;
  at: string;
}

export type StreamStatus = 'connecting' | 'live' | 'offline';

type ServerFrame =
  | { type: 'ready'; orgId: string }
  | { type: 'event'; event: TalkiEvent }
  | PresenceFrame
  | { type: 'error'; error: { code: string; message: string } };

const MAX_BACKOFF_MS = 15_000;
/** The server forgets a presence it hasn't heard again for 30 s: say it again well before. */
const PRESENCE_REPEAT_MS = 10_000;

/**
 * The web app's one connection to /v1/events/socket. It authenticates in the first frame,
 * resumes after the last event it delivered (so a reconnect misses nothing), re-sends a fresh
 * access token before the old one expires, and reconnects with backoff.
 */
class EventStream {
  private socket: WebSocket | null = null;
  private lastEventId: string | null = null;
  private orgId: string | null = null;
  private attempts = 0;
  private retryTimer: number | undefined;
  private tokenTimer: number | undefined;
  private presenceTimer: number | undefined;
  /** The server refused the last token (4401): the next attempt refreshes it first. */
  private tokenRefused = false;
  private readonly eventListeners = new Set<(event: TalkiEvent) => void>();
  private readonly presenceListeners = new Set<(frame: PresenceFrame) => void>();
  private readonly statusListeners = new Set<(status: StreamStatus) => void>();
  private readonly myPresence = new Map<string, PresenceState>();
  status: StreamStatus = 'offline';

  constructor() {
    subscribeSession((session) => {
      if (!session) return this.stop();
      if (session.orgId !== this.orgId) {
        // A new org is a new feed: its log starts elsewhere.
        this.lastEventId = null;
        this.restart();
      }
    });
  }

  onEvent(listener: (event: TalkiEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onPresence(listener: (frame: PresenceFrame) => void): () => void {
    this.presenceListeners.add(listener);
    return () => this.presenceListeners.delete(listener);
  }

  onStatus(listener: (status: StreamStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Tells the others this agent is viewing or typing in a ticket (idle ends it). */
  setPresence(ticketId: string, state: PresenceState): void {
    if (state === 'idle') this.myPresence.delete(ticketId);
    else this.myPresence.set(ticketId, state);
    this.send({ type: 'presence', ticketId, state });
  }

  private setStatus(status: StreamStatus): void {
    this.status = status;
    for (const listener of this.statusListeners) listener(status);
  }

  private restart(): void {
    this.stop();
    void this.connect();
  }

  private stop(): void {
    window.clearTimeout(this.retryTimer);
    window.clearInterval(this.tokenTimer);
    window.clearInterval(this.presenceTimer);
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, 'done');
    this.orgId = null;
    this.setStatus('offline');
  }

  private async connect(): Promise<void> {
    const session = getSession();
    if (!session) return;
    this.orgId = session.orgId;
    this.setStatus('connecting');
    let token: string;
    try {
      token =
        !this.tokenRefused && Date.now() < session.accessExpiresAt
          ? session.accessToken
          : await refreshAccessToken();
    } catch {
      // The session is over; signing in again starts a new stream.
      return this.setStatus('offline');
    }
    this.tokenRefused = false;
    const url = new URL('/v1/events/socket', window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      socket.send(
        JSON.stringify({
          type: 'auth',
          token,
          organizationId: session.orgId,
          ...(this.lastEventId ? { after: this.lastEventId } : {}),
        }),
      );
    };
    socket.onmessage = (message) => this.receive(JSON.parse(String(message.data)) as ServerFrame);
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      window.clearInterval(this.tokenTimer);
      window.clearInterval(this.presenceTimer);
      this.setStatus('offline');
      if (event.code === 4401) this.tokenRefused = true;
      this.scheduleReconnect();
    };
  }

  private receive(frame: ServerFrame): void {
    switch (frame.type) {
      case 'ready':
        this.attempts = 0;
        this.setStatus('live');
        this.keepTokenFresh();
        this.repeatPresence();
        this.presenceTimer = window.setInterval(() => this.repeatPresence(), PRESENCE_REPEAT_MS);
        return;
      case 'event':
        this.lastEventId = frame.event.id;
        for (const listener of this.eventListeners) listener(frame.event);
        return;
      case 'presence':
        for (const listener of this.presenceListeners) listener(frame);
        return;
      case 'error':
        return;
    }
  }

  /** Says this agent's presence again: on a new socket, and before the server's expiry. */
  private repeatPresence(): void {
    for (const [ticketId, state] of this.myPresence) this.send({ type: 'presence', ticketId, state });
  }

  /** The socket outlives one access token: send each new one before the old expires. */
  private keepTokenFresh(): void {
    window.clearInterval(this.tokenTimer);
    this.tokenTimer = window.setInterval(() => {
      const session = getSession();
      if (!session || Date.now() < session.accessExpiresAt) return;
      refreshAccessToken().then(
        (token) => this.send({ type: 'auth', token }),
        () => undefined,
      );
    }, 20_000);
  }

  private scheduleReconnect(): void {
    if (!getSession()) return;
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempts) * (0.75 + Math.random() / 2);
    this.attempts += 1;
    this.retryTimer = window.setTimeout(() => void this.connect(), delay);
  }

  private send(frame: unknown): void {
    if (this.socket?.readyState === WebSocket.OPEN && this.status === 'live') {
      this.socket.send(JSON.stringify(frame));
    }
  }
}

export const eventStream = new EventStream();
