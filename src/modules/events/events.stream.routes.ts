import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { bearerToken } from '../../http/bearer.js';
import { errorResponses } from '../../http/errors.js';
import type { ModuleRoutes } from '../../http/module.js';
import { acquireFeed } from '../../realtime/event-feed.js';
import { EventPump } from '../../realtime/event-pump.js';
import { SseWriter } from '../../realtime/sse.js';
import { stillValid } from './events.stream.auth.js';
import { parseTypes, startPosition } from './events.stream.js';

const StreamQuery = Type.Object(
  {
    after: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'Resume after this event id (the Last-Event-ID header wins when both are sent).',
      }),
    ),
    types: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1000,
        description: 'Comma-separated event types, e.g. ticket.created,message.created.',
      }),
    ),
  },
  { additionalProperties: false },
);

const DESCRIPTION = `Server-Sent Events: every change in the organization as it commits, each one exactly as an item of GET /v1/events (an \`event: <type>\` line, its log id as the SSE \`id\`, the JSON as \`data\`).

Send \`Last-Event-ID\` (EventSource does on reconnect) or \`?after=<eventId>\` to resume right after that event: what was missed is replayed from the log, then the stream goes live. Without either it starts live. Nothing is skipped: events arrive in commit order (which can differ slightly from id order when writes overlap), so every event committed after the one you resume from comes after it in the stream.

A comment line (\`: ping\`) is sent every TALKI_STREAM_HEARTBEAT_MS (15 s) to keep proxies from closing the connection; the credentials are checked again then, and a revoked key or an expired access token ends the stream with an \`event: stream.closed\` carrying the error.

The same feed is a WebSocket at \`/v1/events/socket\` for browsers (which can't set headers): send \`{"type":"auth","token":"…","after":"evt_…"}\` as the first frame within 10 s (otherwise close code 4401); events then arrive as \`{"type":"event","event":{…}}\`. Presence rides on it: send \`{"type":"presence","ticketId":"tkt_…","state":"viewing"|"typing"|"idle"}\` and the org's other sockets receive \`{"type":"presence","ticketId","agent":{"id","name"},"state","at"}\`. See the README.`;

function lastEventId(request: FastifyRequest): string | undefined {
  const header = request.headers['last-event-id'];
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  return value || undefined;
}

export const eventStreamRoutes: ModuleRoutes = ({ db, config }) =>
  async function register(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    const held = acquireFeed(db, config.streamPollMs, app.log);
    const feed = held.feed;
    const open = new Set<() => Promise<void>>();
    // Streams never end by themselves: end them so the server can close.
    app.addHook('preClose', async () => {
      await Promise.all([...open].map((end) => end()));
    });
    app.addHook('onClose', async () => held.release());

    app.get(
      '/events/stream',
      {
        schema: {
          tags: ['Events'],
          operationId: 'streamEvents',
          summary: 'Stream events (Server-Sent Events)',
          description: DESCRIPTION,
          querystring: StreamQuery,
          headers: Type.Object({
            'last-event-id': Type.Optional(
              Type.String({ maxLength: 100, description: 'The id of the last event received.' }),
            ),
          }),
          response: {
            200: {
              description: 'An endless text/event-stream of the organization’s events.',
              content: { 'text/event-stream': { schema: Type.String() } },
            },
            ...errorResponses(400, 401, 403, 429),
          },
        },
      },
      async (request, reply) => {
        const caller = request.caller;
        const filter = { types: parseTypes(request.query.types) };
        const fromHeader = lastEventId(request);
        const after = fromHeader ?? request.query.after;
        const field = fromHeader === undefined ? 'after' : 'Last-Event-ID';
        // Every refusal (bad types, unknown id) happens here, as a normal JSON error.
        const position = await startPosition(db, caller, after, filter, field);

        reply.hijack();
        const response = reply.raw;
        // The headers hooks set (X-Request-Id, rate limits) still go out with a hijacked reply.
        for (const [name, value] of Object.entries(reply.getHeaders())) {
          if (value !== undefined) response.setHeader(name, value);
        }
        response.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          // nginx buffers responses by default, which would hold events back.
          'x-accel-buffering': 'no',
          // A stream ends only when one side gives up: reusing its connection buys nothing,
          // and an idle kept-alive one would hold a closing server for its keep-alive timeout.
          connection: 'close',
        });
        const sse = new SseWriter(response);
        const token = bearerToken(request) ?? '';
        // eslint-disable-next-line prefer-const -- the heartbeat needs `end`, `end` clears the heartbeat
        let heartbeat: NodeJS.Timeout | undefined;
        const end = async (error?: { code: string; message: string }) => {
          clearInterval(heartbeat);
          pump.stop();
          open.delete(end);
          await sse.close(error);
        };
        const pump = new EventPump(
          db,
          feed,
          caller,
          position,
          filter,
          (event) => sse.event(event),
          (error) => {
            request.log.error({ err: error }, 'event stream failed');
            void end({
              code: 'INTERNAL_SERVER_ERROR',
              message: 'The stream failed; reconnect with Last-Event-ID',
            });
          },
        );
        open.add(end);
        response.on('close', () => void end());
        heartbeat = setInterval(() => {
          void stillValid(db, config.jwtSecret, token, caller).then((valid) =>
            valid
              ? sse.comment('ping')
              : end({ code: 'UNAUTHORIZED', message: 'These credentials are no longer valid' }),
          );
        }, config.streamHeartbeatMs);
        await sse.comment('connected');
        pump.start();
      },
    );
  };
