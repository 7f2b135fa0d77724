import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { emailInboundRoutes } from './channels/email/email.routes.js';
import { SecretBox } from './channels/secret-box.js';
import { widgetRoutes } from './channels/widget/widget.routes.js';
import { registerWebApp } from './http/web-app.js';
import { widgetPreviewRoutes } from './channels/widget/widget.preview.js';
import { widgetScriptRoutes } from './channels/widget/widget.script.js';
import { MAX_FRAME_BYTES, widgetSocketRoutes } from './channels/widget/widget.socket.js';
import { widgetUploadRoutes } from './channels/widget/widget.uploads.routes.js';
import { telegramWebhookRoutes } from './channels/telegram/webhook.routes.js';
import type { Config } from './config.js';
import type { Db } from './db/database.js';
import { apiKeyAuth } from './http/auth.js';
import { capConnectionsPerIp, clientErrorHandler, timeoutOptions } from './http/connections.js';
import { logSerializers } from './http/log-redaction.js';
import { ErrorResponse, frameworkErrors, registerErrorHandling } from './http/errors.js';
import { registerJsonBody } from './http/json-body.js';
import { registerOpenApi } from './http/openapi.js';
import type { RateLimiter } from './http/rate-limit.js';
import { requestIdOptions } from './http/request-id.js';
import { registerStrictQueries } from './http/strict-query.js';
import { validatorCompiler } from './http/validation.js';
import { registerWidgetScope } from './http/widget-auth.js';
import { enforceAdminOnly } from './http/caller.js';
import type { ModuleDeps, ModuleRoutes } from './http/module.js';
import { agentRoutes } from './modules/agents/agents.routes.js';
import { apiKeyRoutes } from './modules/api-keys/api-keys.routes.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { widgetChannel } from './modules/channels/channels.lookup.js';
import { cannedReplyRoutes } from './modules/canned-replies/canned-replies.routes.js';
import { channelRoutes } from './modules/channels/channels.routes.js';
import { customerRoutes } from './modules/customers/customers.routes.js';
import { Customer, CustomerList } from './modules/customers/customers.schemas.js';
import { eventRoutes } from './modules/events/events.routes.js';
import { eventStreamRoutes } from './modules/events/events.stream.routes.js';
import { eventSocketRoutes } from './modules/events/events.socket.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { articleRoutes } from './modules/knowledge-base/articles.routes.js';
import { widgetArticleRoutes } from './modules/knowledge-base/articles.widget.routes.js';
import { collectionRoutes } from './modules/knowledge-base/collections.routes.js';
import { registerIdempotency } from './modules/idempotency/idempotency.hooks.js';
import { Message } from './modules/messages/messages.schemas.js';
import { messageRoutes } from './modules/messages/messages.routes.js';
import { orgRoutes } from './modules/orgs/orgs.routes.js';
import { Ticket, TicketList, TicketWithMessages } from './modules/tickets/tickets.schemas.js';
import { ticketRoutes } from './modules/tickets/tickets.routes.js';
import { MemoryBus, type RealtimeBus } from './realtime/bus.js';
import { openBlobStorage, type BlobStorage } from './storage/index.js';
import { tagRoutes } from './modules/tags/tags.routes.js';
import { timeEntryRoutes } from './modules/time-entries/time-entries.routes.js';
import { uploadRoutes } from './modules/uploads/uploads.routes.js';

/** Schemas referenced by $id from several routes; each becomes a named OpenAPI component. */
const SHARED_SCHEMAS = [
  ErrorResponse,
  Message,
  Ticket,
  TicketWithMessages,
  TicketList,
  Customer,
  CustomerList,
];

/** Feature modules served under /v1, behind API-key or agent authentication. */
const API_MODULES: ModuleRoutes[] = [
  ticketRoutes,
  messageRoutes,
  eventRoutes,
  eventStreamRoutes,
  tagRoutes,
  cannedReplyRoutes,
  customerRoutes,
  timeEntryRoutes,
  uploadRoutes,
  agentRoutes,
  apiKeyRoutes,
  orgRoutes,
  collectionRoutes,
  articleRoutes,
  channelRoutes,
];

/** Modules under /v1 that take no bearer token: they are how agents get one (login, refresh). */
const PUBLIC_API_MODULES: ModuleRoutes[] = [authRoutes];

/** The public widget API under /widget/v1, authenticated by the org's widget key (never a secret key). */
const WIDGET_MODULES: ModuleRoutes[] = [widgetArticleRoutes, widgetRoutes, widgetUploadRoutes];

/**
 * Channels' inbound endpoints at /channels, called by other machines (an MTA, Telegram): each
 * authenticates by a capability in the URL or a header, never by an API key.
 */
const CHANNEL_MODULES: ModuleRoutes[] = [emailInboundRoutes, telegramWebhookRoutes];

export interface AppDeps {
  config: Config;
  db: Db;
  limiter: RateLimiter;
  /** Live events; an in-process bus when not given. */
  bus?: RealtimeBus;
  /** Files; local storage under TALKI_DATA_DIR when not given. */
  storage?: BlobStorage;
  /** Channel secrets' keys; opened from the config and database when not given. */
  box?: SecretBox;
  /** pino options or false; tests pass false to keep output quiet, or a stream to read the log. */
  logger?: false | { level: string; stream?: { write(line: string): void } };
}

/** Trust the `hops` nearest proxies' X-Forwarded-For entries (proxy-addr counts hops from the socket). */
function trustProxy(hops: number) {
  return hops === 0 ? false : (_address: string, index: number) => index < hops;
}

/** The whole HTTP app as a plugin tree. It never listens: `serve` and tests decide that. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      deps.logger === false
        ? false
        : {
            ...(typeof deps.logger === 'object' ? deps.logger : { level: deps.config.logLevel }),
            serializers: logSerializers,
          },
    bodyLimit: deps.config.bodyLimitBytes,
    // Behind N proxies, the client is the Nth address from the right of X-Forwarded-For.
    trustProxy: trustProxy(deps.config.trustProxyHops),
    ...requestIdOptions,
    frameworkErrors,
    // Unknown query parameters are reported, not dropped (see validation.ts).
    ajv: { customOptions: { removeAdditional: false } },
    ...timeoutOptions(deps.config),
    clientErrorHandler,
  });
  capConnectionsPerIp(app.server, deps.config.maxConnectionsPerIp);
  app.setValidatorCompiler(validatorCompiler);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
  });
  registerErrorHandling(app);
  registerJsonBody(app);
  registerStrictQueries(app, '/v1/');
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  await registerOpenApi(app, deps.config);

  const moduleDeps: ModuleDeps = {
    db: deps.db.kysely,
    config: deps.config,
    limiter: deps.limiter,
    storage: deps.storage ?? openBlobStorage(deps.config),
    bus: deps.bus ?? new MemoryBus(),
    box: deps.box ?? (await SecretBox.open(deps.db.kysely, deps.config)),
  };
  await app.register(healthRoutes(deps.db));
  await app.register(
    async (v1) => {
      v1.addHook(
        'onRequest',
        apiKeyAuth({
          db: moduleDeps.db,
          limiter: deps.limiter,
          defaultRateLimit: deps.config.rateLimitPerMinute,
          jwtSecret: deps.config.jwtSecret,
        }),
      );
      v1.addHook('preValidation', enforceAdminOnly);
      registerIdempotency(v1, moduleDeps.db, deps.config.idempotencyClaimTimeoutMs);
      for (const routes of API_MODULES) await v1.register(routes(moduleDeps));
    },
    { prefix: '/v1' },
  );
  await app.register(
    async (open) => {
      for (const routes of PUBLIC_API_MODULES) await open.register(routes(moduleDeps));
    },
    { prefix: '/v1' },
  );
  await app.register(
    async (widget) => {
      registerWidgetScope(widget, {
        db: moduleDeps.db,
        limiter: deps.limiter,
        widgetChannel: (orgId) => widgetChannel(moduleDeps.db, moduleDeps.box, orgId),
      });
      for (const routes of WIDGET_MODULES) await widget.register(routes(moduleDeps));
    },
    { prefix: '/widget/v1' },
  );
  // The widget's live socket (authenticated by its first frame, so outside the scope above,
  // whose hooks want headers) and the embeddable script.
  await app.register(websocket, { options: { maxPayload: MAX_FRAME_BYTES } });
  await app.register(widgetSocketRoutes(moduleDeps));
  await app.register(eventSocketRoutes(moduleDeps));
  await app.register(widgetScriptRoutes());
  await app.register(widgetPreviewRoutes());
  await registerWebApp(app);
  await app.register(
    async (channels) => {
      for (const routes of CHANNEL_MODULES) await channels.register(routes(moduleDeps));
    },
    { prefix: '/channels' },
  );
  return app;
}
