import { WebSocket } from 'ws';

export interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/**
 * A real Server-Sent Events client over fetch: records every message and comment, and waits
 * for one that matches. Like EventSource, it remembers the last `id` for resuming.
 */
export class SseClient {
  readonly messages: SseMessage[] = [];
  status = 0;
  lastEventId: string | undefined;
  ended = false;
  private readonly abort = new AbortController();
  private waiters: Array<() => void> = [];
  private done: Promise<void> = Promise.resolve();

  static async open(url: string, headers: Record<string, string>): Promise<SseClient> {
    const sse = new SseClient();
    const response = await fetch(url, { headers, signal: sse.abort.signal });
    sse.status = response.status;
    if (response.status !== 200 || !response.body) {
      sse.body = await response.text();
      return sse;
    }
    sse.done = sse.read(response.body);
    return sse;
  }

  body = '';

  /** Event messages' parsed data, in arrival order. */
  get events(): Array<{ id: string; type: string } & Record<string, unknown>> {
    return this.messages
      .filter((m) => m.data !== undefined && m.event !== 'stream.closed')
      .map((m) => JSON.parse(m.data!) as { id: string; type: string });
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          this.parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // Aborted by close(): the end of this client.
    }
    this.ended = true;
    this.notify();
  }

  private parse(block: string): void {
    const message: SseMessage = {};
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) message.comment = line.slice(1).trim();
      const match = /^(id|event|data): ?(.*)$/.exec(line);
      if (match) message[match[1] as 'id' | 'event' | 'data'] = match[2];
    }
    if (message.id) this.lastEventId = message.id;
    this.messages.push(message);
    this.notify();
  }

  private notify(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Resolves once `check` holds, or rejects after `ms` with what arrived. */
  async until(check: (sse: SseClient) => boolean, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check(this)) {
      if (Date.now() > deadline) {
        throw new Error(`stream condition not met; got ${JSON.stringify(this.messages).slice(0, 2000)}`);
      }
      if (this.ended && !check(this)) throw new Error(`stream ended; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}

/** A WebSocket client recording every JSON frame it receives. */
export class SocketClient {
  readonly frames: Array<Record<string, unknown>> = [];
  closeCode: number | undefined;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) =>
      this.frames.push(JSON.parse(data.toString()) as Record<string, unknown>),
    );
    ws.on('close', (code) => (this.closeCode = code));
  }

  static async open(url: string): Promise<SocketClient> {
    const ws = new WebSocket(url);
    const socket = new SocketClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return socket;
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  get events(): Array<{ id: string; type: string } & Record<string, unknown>> {
    return this.frames.filter((f) => f.type === 'event').map((f) => f.event as { id: string; type: string });
  }

  async until(check: (socket: SocketClient) => boolean, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check(this)) {
      if (Date.now() > deadline) {
        throw new Error(`socket condition not met; got ${JSON.stringify(this.frames).slice(0, 2000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  close(): void {
    this.ws.close();
  }
}
