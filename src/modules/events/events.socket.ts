import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { Caller } from '../../http/caller.js';
import { AppError } from '../../http/errors.js';
import type { ModuleDeps, RoutesPlugin } from '../../http/module.js';
import { isPlausibleId } from '../../lib/ids.js';
import { acquireFeed, type EventFeed } from '../../realtime/event-feed.js';
import { EventPump } from '../../realtime/event-pump.js';
import { PRESENCE_STATES, Presence, type PresenceState } from '../../realtime/presence.js';
import { stillValid, streamCaller } from './events.stream.auth.js';
import { parseTypes, startPosition } from './events.stream.js';

export const EVENT_SOCKET_PATH = '/v1/events/socket';
/** Close codes: no or bad credentials (or too late), a bad request in the auth frame. */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;
export const CLOSE_BAD_REQUEST = 4400;
const AUTH_TIMEOUT_MS = 10_000;

type Frame =
  | { type: 'auth'; token: string; after?: string; types?: string; organizationId?: string }
  | { type: 'presence'; ticketId: string; state: PresenceState }
  | { type: 'other' };

const optionalString = (value: unknown) => (typeof value === 'string' ? value : undefined);

function parseFrame(data: unknown): Frame {
  try {
    const frame = JSON.parse(String(data)) as Record<string, unknown>;
    if (frame.type === 'auth' && typeof frame.token === 'string') {
      const types = Array.isArray(frame.types)
        ? frame.types.map(String).join(',')
        : optionalString(frame.types);
      return {
        type: 'auth',
        token: frame.token,
        after: optionalString(frame.after),
        types,
        organizationId: optionalString(frame.organizationId),
      };
    }
    if (
      frame.type === 'presence' &&
      typeof frame.ticketId === 'string' &&
      PRESENCE_STATES.includes(frame.state as PresenceState)
    ) {
      return { type: 'presence', ticketId: frame.ticketId, state: frame.state as PresenceState };
    }
  } catch {
    // Not JSON: ignored like any frame the server does not understand.
  }
  return { type: 'other' };
}

/**
 * The event stream as a WebSocket for the web app. Browsers can't set headers on a socket, so
 * the credentials come in the first frame (never in the URL, which logs keep). A later auth
 * frame with a fresh access token for the same agent keeps the socket open past the old one's expiry.
 */
class EventSocket {
  private caller: Caller | undefined;
  private token = '';
  private pump: EventPump | undefined;
  private presence: Presence | undefined;
  private readonly tickets = new Map<string, boolean>();
  private readonly authTimer: NodeJS.Timeout;
  private heartbeat: NodeJS.Timeout | undefined;
  private alive = true;

  constructor(
    private readonly socket: WebSocket,
    private readonly deps: ModuleDeps,
    private readonly feed: EventFeed,
    private readonly log: FastifyBaseLogger,
  ) {
    this.authTimer = setTimeout(() => this.close(CLOSE_UNAUTHORIZED, 'auth frame expected'), AUTH_TIMEOUT_MS);
    socket.on('pong', () => (this.alive = true));
    socket.on('message', (data) => void this.receive(data).catch((error: unknown) => this.fail(error)));
    socket.on('close', () => this.dispose());
    socket.on('error', () => this.dispose());
  }

  private async receive(data: unknown): Promise<void> {
    const frame = parseFrame(data);
    switch (frame.type) {
      case 'auth':
        return this.caller ? this.reauthenticate(frame.token) : this.authenticate(frame);
      case 'presence':
        return this.setPresence(frame.ticketId, frame.state);
      case 'other':
        return;
    }
  }

  private async authenticate(frame: Extract<Frame, { type: 'auth' }>): Promise<void> {
    const { db, config } = this.deps;
    let caller: Caller;
    let position;
    const filter = { types: parseTypes(frame.types) };
    try {
      caller = await streamCaller(db, config.jwtSecret, frame.token, frame.organizationId);
      position = await startPosition(db, caller, frame.after, filter);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      await this.send({ type: 'error', error: { code: error.code, message: error.message, details: null } });
      const code =
        error.statusCode === 401
          ? CLOSE_UNAUTHORIZED
          : error.statusCode === 403
            ? CLOSE_FORBIDDEN
            : CLOSE_BAD_REQUEST;
      return this.close(code, error.code);
    }
    if (this.socket.readyState !== this.socket.OPEN) return;
    clearTimeout(this.authTimer);
    this.caller = caller;
    this.token = frame.token;
    this.heartbeat = setInterval(() => void this.beat(), config.streamHeartbeatMs);
    this.presence = new Presence(
      this.deps.bus,
      caller.orgId,
      randomUUID(),
      { id: caller.actorId, name: caller.name },
      (presence) => void this.send(presence),
      config.presenceTtlMs,
    );
    await this.send({ type: 'ready', orgId: caller.orgId });
    this.pump = new EventPump(
      db,
      this.feed,
      caller,
      position,
      filter,
      async (event) => this.send({ type: 'event', event }),
      (error) => this.fail(error),
    );
    this.pump.start();
  }

  private async reauthenticate(token: string): Promise<void> {
    const caller = this.caller;
    if (!caller) return;
    if (!(await stillValid(this.deps.db, this.deps.config.jwtSecret, token, caller))) {
      return this.close(CLOSE_UNAUTHORIZED, 'invalid credentials');
    }
    this.token = token;
  }

  /** Re-checks the credentials and pings: a dead peer or a revoked key ends the socket. */
  private async beat(): Promise<void> {
    const caller = this.caller;
    if (!caller) return;
    if (!(await stillValid(this.deps.db, this.deps.config.jwtSecret, this.token, caller))) {
      await this.send({
        type: 'error',
        error: { code: 'UNAUTHORIZED', message: 'These credentials are no longer valid', details: null },
      });
      return this.close(CLOSE_UNAUTHORIZED, 'credentials no longer valid');
    }
    if (!this.alive) return void this.socket.terminate();
    this.alive = false;
    if (this.socket.readyState === this.socket.OPEN) this.socket.ping();
  }

  private async setPresence(ticketId: string, state: PresenceState): Promise<void> {
    const caller = this.caller;
    if (!caller || !this.presence || !isPlausibleId(ticketId)) return;
    let known = this.tickets.get(ticketId);
    if (known === undefined) {
      // Only the org's own tickets: presence must not become a channel to another org's ids.
      const row = await this.deps.db
        .selectFrom('tickets')
        .select('id')
        .where('org_id', '=', caller.orgId)
        .where('id', '=', ticketId)
        .executeTakeFirst();
      known = row !== undefined;
      this.tickets.set(ticketId, known);
    }
    if (known) this.presence.set(ticketId, state);
  }

  private send(frame: unknown): Promise<void> {
    if (this.socket.readyState !== this.socket.OPEN) return Promise.resolve();
    // Resolves once written, so the pump waits for a slow client instead of buffering for it.
    return new Promise((resolve) => this.socket.send(JSON.stringify(frame), () => resolve()));
  }

  private close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.close(code, reason);
    this.dispose();
  }

  private fail(error: unknown): void {
    this.log.error({ err: error }, 'event socket failed');
    this.close(1011, 'internal error');
  }

  private dispose(): void {
    clearTimeout(this.authTimer);
    clearInterval(this.heartbeat);
    this.pump?.stop();
    this.pump = undefined;
    this.presence?.close();
    this.presence = undefined;
  }
}

/** GET /v1/events/socket: at the root, outside /v1's header authentication (the first frame authenticates). */
export const eventSocketRoutes =
  (deps: ModuleDeps): RoutesPlugin =>
  async (app: FastifyInstance) => {
    const feed = acquireFeed(deps.db, deps.config.streamPollMs, app.log);
    app.addHook('onClose', async () => feed.release());
    app.get(EVENT_SOCKET_PATH, { websocket: true, schema: { hide: true } }, (socket, request) => {
      new EventSocket(socket, deps, feed.feed, request.log);
    });
  };
