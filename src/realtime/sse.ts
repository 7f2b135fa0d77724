import type { ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { EventView } from '../modules/events/events.service.js';

/**
 * One Server-Sent Events response: each event goes out with its log id as the SSE `id`, so
 * the browser's EventSource (or any client) resumes with Last-Event-ID after a reconnect.
 */
export class SseWriter {
  constructor(private readonly response: ServerResponse) {}

  get open(): boolean {
    return !this.response.destroyed && !this.response.writableEnded;
  }

  /** Resolves once the client can take more, so a slow reader is not buffered for. */
  async event(event: EventView): Promise<void> {
    await this.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  }

  /** A comment line: clients ignore it, proxies see traffic and keep the connection. */
  async comment(text: string): Promise<void> {
    await this.write(`: ${text}\n\n`);
  }

  /** The last word before closing: why the stream ends, in the API's error shape. */
  async close(error?: { code: string; message: string }): Promise<void> {
    if (error && this.open) {
      this.response.write(
        `event: stream.closed\ndata: ${JSON.stringify({ error: { ...error, details: null } })}\n\n`,
      );
    }
    // The connection is not reused after a stream (see Connection: close): let it go at once.
    if (this.open) this.response.end(() => this.response.socket?.destroy());
    else this.response.socket?.destroy();
  }

  private async write(text: string): Promise<void> {
    if (!this.open) return;
    if (!this.response.write(text)) {
      await Promise.race([once(this.response, 'drain'), once(this.response, 'close')]);
    }
  }
}
