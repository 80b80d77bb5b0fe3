// Live updates for open console pages by server-sent events. Each stream (the overview, one group's
// lag) is sampled by ONE timer however many pages watch it, and only while someone watches; every
// page gets the same serialized sample. Subscribers, streams and each stream's history are bounded, so
// a console left open costs the node one sample every SAMPLE_INTERVAL_MS and nothing per extra tab.
import type { ServerResponse } from 'node:http';

/** Open event streams at most, over all pages (each holds one of the listener's HTTP_CONNECTIONS_MAX). */
export const SUBSCRIBERS_MAX = 16;
/** Distinct streams sampled at once (the overview plus groups being watched). */
export const STREAMS_MAX = 8;
/** How often a watched stream is sampled. */
export const SAMPLE_INTERVAL_MS = 2000;
/** Samples a stream remembers for a page that opens later: 5 minutes at the interval above. */
export const HISTORY_MAX = 150;
/** A subscriber whose socket buffers more than this is too slow to read its stream and is dropped. */
const SUBSCRIBER_BUFFER_BYTES_MAX = 1024 * 1024;
/** How soon a page's EventSource reconnects after its stream dropped (the node restarted). */
export const RECONNECT_MS = 1000;

interface Stream {
  readonly subscribers: Set<ServerResponse>;
  readonly history: string[];
  timer: NodeJS.Timeout | undefined;
  sampling: boolean;
}

export class LiveStreams {
  private readonly streams = new Map<string, Stream>();
  private subscriberCount = 0;

  constructor(
    /** One sample of `key`'s stream; a failure is sent as {error} so the page can say what happened. */
    private readonly sample: (key: string) => Promise<unknown>,
    private readonly intervalMs = SAMPLE_INTERVAL_MS,
  ) {}

  get subscribers(): number {
    return this.subscriberCount;
  }

  /** Opens `res` as an event stream of `key`; false (nothing written) when a limit is reached. */
  subscribe(key: string, res: ServerResponse): boolean {
    let stream = this.streams.get(key);
    if (this.subscriberCount >= SUBSCRIBERS_MAX || (stream === undefined && this.streams.size >= STREAMS_MAX)) return false;
    if (stream === undefined) {
      stream = { subscribers: new Set(), history: [], timer: undefined, sampling: false };
      this.streams.set(key, stream);
      const s = stream;
      s.timer = setInterval(() => void this.tick(key, s), this.intervalMs);
      void this.tick(key, s);
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    // The history first, so a chart opened now shows the minutes before; a page whose node went away
    // tries again every RECONNECT_MS (the browser's default is 3 s), one small request each while it is down.
    res.write(`retry: ${RECONNECT_MS}\nevent: history\ndata: [${stream.history.join(',')}]\n\n`);
    stream.subscribers.add(res);
    this.subscriberCount++;
    const s = stream;
    res.once('close', () => this.unsubscribe(key, s, res));
    return true;
  }

  private unsubscribe(key: string, stream: Stream, res: ServerResponse): void {
    if (!stream.subscribers.delete(res)) return;
    this.subscriberCount--;
    if (stream.subscribers.size === 0) {
      clearInterval(stream.timer);
      this.streams.delete(key);
    }
  }

  private async tick(key: string, stream: Stream): Promise<void> {
    // A slow sample (a cluster that stopped answering) is not overlapped by the next tick.
    if (stream.sampling) return;
    stream.sampling = true;
    let data: string;
    try {
      data = JSON.stringify(await this.sample(key));
    } catch (err) {
      data = JSON.stringify({ t: Date.now(), error: err instanceof Error ? err.message : String(err) });
    } finally {
      stream.sampling = false;
    }
    stream.history.push(data);
    if (stream.history.length > HISTORY_MAX) stream.history.shift();
    for (const res of stream.subscribers) {
      if (res.writableLength > SUBSCRIBER_BUFFER_BYTES_MAX) res.destroy();
      else res.write(`event: sample\ndata: ${data}\n\n`);
    }
  }

  close(): void {
    for (const [key, stream] of this.streams) {
      for (const res of stream.subscribers) res.end();
      clearInterval(stream.timer);
      this.streams.delete(key);
    }
    this.subscriberCount = 0;
  }
}
