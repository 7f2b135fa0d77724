import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { ModuleDeps, RoutesPlugin } from '../../http/module.js';
import { originAllowed } from '../../http/origins.js';
import { widgetChannel } from '../../modules/channels/channels.lookup.js';
import { WIDGET_IP_RATE_LIMIT } from '../../http/widget-auth.js';
import { authenticateKey } from '../../modules/api-keys/api-keys.service.js';
import type { RealtimeEvent, Unsubscribe } from '../../realtime/bus.js';
import { accessOf, canRead } from './widget.access.js';
import * as q from './widget.queries.js';
import { widgetTopic } from './widget.realtime.js';
import { findVisitor, type Visitor } from './widget.visitors.js';

export const WIDGET_SOCKET_PATH = '/widget/v1/ws';
/** Close codes: the auth frame was missing, wrong, too late, or from a page the org does not allow. */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN_ORIGIN = 4403;
export const CLOSE_TOO_MANY = 4429;
const AUTH_TIMEOUT_MS = 10_000;
/** Below the idle timeouts of common proxies (60 s), so an open widget's socket is not cut. */
const KEEPALIVE_MS = 25_000;
/** Frames a client sends are small JSON objects; anything bigger is not one. */
export const MAX_FRAME_BYTES = 4096;

type Frame = { type: 'auth'; key: string; token: string } | { type: 'other' };

function parseFrame(data: unknown): Frame {
  try {
    const frame = JSON.parse(String(data)) as Record<string, unknown>;
    if (frame.type === 'auth' && typeof frame.key === 'string' && typeof frame.token === 'string') {
      return { type: 'auth', key: frame.key, token: frame.token };
    }
  } catch {
    // Not JSON: treated like any frame the server does not understand.
  }
  return { type: 'other' };
}

/**
 * One widget's socket. Browsers can't set headers on a WebSocket, so the key and visitor token
 * come in the first frame; until then nothing is sent. Then the agent replies on the visitor's
 * conversations arrive as JSON frames. A later auth frame (sent after the visitor starts a
 * conversation) refreshes which customers' topics are listened to.
 */
class WidgetSocket {
  private visitor: Visitor | undefined;
  private subscriptions: Unsubscribe[] = [];
  /** Conversation id → whether this visitor may read it (checked once per conversation). */
  private readable = new Map<string, boolean>();
  private alive = true;
  private readonly authTimer: NodeJS.Timeout;
  private readonly keepalive: NodeJS.Timeout;

  constructor(
    private readonly socket: WebSocket,
    private readonly request: FastifyRequest,
    private readonly deps: ModuleDeps,
    private readonly log: FastifyBaseLogger,
  ) {
    this.authTimer = setTimeout(() => this.close(CLOSE_UNAUTHORIZED, 'auth frame expected'), AUTH_TIMEOUT_MS);
    this.keepalive = setInterval(() => this.ping(), KEEPALIVE_MS);
    socket.on('pong', () => (this.alive = true));
    socket.on('message', (data) => void this.receive(data).catch((error: unknown) => this.fail(error)));
    socket.on('close', () => this.dispose());
    socket.on('error', () => this.dispose());
  }

  private ping(): void {
    // No pong since the last ping: the connection is dead without having said so.
    if (!this.alive) return void this.socket.terminate();
    this.alive = false;
    this.socket.ping();
    if (this.visitor) this.send({ type: 'ping' });
  }

  private async receive(data: unknown): Promise<void> {
    const frame = parseFrame(data);
    if (frame.type !== 'auth') return;
    const visitor = await this.authenticate(frame);
    if (!visitor) return;
    clearTimeout(this.authTimer);
    await this.listen(visitor);
    this.send({ type: 'ready' });
  }

  /** The visitor the frame names, or undefined after closing the socket with the reason. */
  private async authenticate(frame: { key: string; token: string }): Promise<Visitor | undefined> {
    const { db, limiter, box } = this.deps;
    const budget = await limiter
      .hit(`widget-ip:${this.request.ip}`, WIDGET_IP_RATE_LIMIT)
      .catch(() => undefined);
    if (budget && !budget.allowed) return this.close(CLOSE_TOO_MANY, 'rate limit exceeded');
    const auth = await authenticateKey(db, frame.key);
    if (!auth.ok || auth.key.kind !== 'widget') return this.close(CLOSE_UNAUTHORIZED, 'invalid widget key');
    const orgId = auth.key.org_id;
    const origin = this.request.headers.origin;
    // Browsers send any page's origin on a socket and apply no CORS to it: the server checks it.
    if (
      origin !== undefined &&
      !originAllowed((await widgetChannel(db, box, orgId)).settings.allowedOrigins, origin)
    ) {
      return this.close(CLOSE_FORBIDDEN_ORIGIN, 'origin not allowed');
    }
    if (this.visitor && this.visitor.orgId !== orgId) return this.close(CLOSE_UNAUTHORIZED, 'another org');
    const visitor = await findVisitor(db, orgId, frame.token);
    if (!visitor) return this.close(CLOSE_UNAUTHORIZED, 'invalid visitor token');
    return visitor;
  }

  /** Listens on the topics of every customer whose conversations the visitor may read. */
  private async listen(visitor: Visitor): Promise<void> {
    const access = await accessOf(this.deps.db, visitor);
    const customers = new Set(await q.conversationCustomers(this.deps.db, access));
    if (access.customerId !== null) customers.add(access.customerId);
    if (visitor.customerId !== null) customers.add(visitor.customerId);
    this.unsubscribe();
    this.readable.clear();
    this.visitor = visitor;
    if (this.socket.readyState !== this.socket.OPEN) return;
    for (const customerId of customers) {
      const topic = widgetTopic(visitor.orgId, customerId);
      this.subscriptions.push(
        this.deps.bus.subscribe(
          topic,
          (event) => void this.forward(event).catch((e: unknown) => this.fail(e)),
        ),
      );
    }
  }

  /**
   * Passes an event on if it is about a conversation the visitor may read: a customer's topic
   * also carries conversations that someone else opened by typing that customer's address.
   */
  private async forward(event: RealtimeEvent): Promise<void> {
    const visitor = this.visitor;
    const conversationId = event.conversationId;
    if (!visitor || typeof conversationId !== 'string') return;
    let readable = this.readable.get(conversationId);
    if (readable === undefined) {
      readable = await canRead(this.deps.db, visitor, conversationId);
      this.readable.set(conversationId, readable);
    }
    if (readable) this.send(event);
  }

  private send(event: RealtimeEvent): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(event));
  }

  private close(code: number, reason: string): undefined {
    if (this.socket.readyState === this.socket.OPEN) this.socket.close(code, reason);
    this.dispose();
    return undefined;
  }

  private fail(error: unknown): void {
    this.log.error({ err: error }, 'widget socket failed');
    this.close(1011, 'internal error');
  }

  private unsubscribe(): void {
    for (const unsubscribe of this.subscriptions) unsubscribe();
    this.subscriptions = [];
  }

  private dispose(): void {
    clearTimeout(this.authTimer);
    clearInterval(this.keepalive);
    this.unsubscribe();
  }
}

/** GET /widget/v1/ws: registered at the root, outside the widget scope whose hooks want headers. */
export const widgetSocketRoutes =
  (deps: ModuleDeps): RoutesPlugin =>
  async (app: FastifyInstance) => {
    app.get(WIDGET_SOCKET_PATH, { websocket: true, schema: { hide: true } }, (socket, request) => {
      new WidgetSocket(socket, request, deps, request.log);
    });
  };
