// A fault-injecting Kafka TCP proxy for the idempotent-producer tests: it forwards every request to the
// broker, and for every `cutEvery`-th Produce response it withholds the response and cuts both
// connections. The broker has appended the batch; the producer only sees its connection die, so it
// retries the same batch (same producer id, epoch and sequence) on a new connection. Without duplicate
// detection that batch would be stored twice. Brokers must advertise the proxy's address, so clients keep
// coming through it after the bootstrap (advertised.listeners).
import { createServer, connect, type Server, type Socket } from 'node:net';

const PRODUCE = 0;
/** A frame's 4-byte size; request header: api key, api version, correlation id; response header: correlation id. */
const SIZE_BYTES = 4;

export interface FaultProxy {
  readonly port: number;
  /** Where to forward new connections (the broker's port may be known only after the proxy listens). */
  target: number;
  /** Produce responses withheld so far, each with both connections cut. */
  readonly cuts: number;
  close(): Promise<void>;
}

/** Splits a byte stream into whole size-prefixed frames, calling `onFrame` with each (size prefix included). */
function framer(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= SIZE_BYTES) {
      const size = SIZE_BYTES + pending.readInt32BE(0);
      if (pending.length < size) return;
      onFrame(pending.subarray(0, size));
      pending = pending.subarray(size);
    }
  };
}

export async function startFaultProxy(cutEvery: number, host = '127.0.0.1'): Promise<FaultProxy> {
  let produceResponses = 0;
  let cuts = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const broker = connect(proxy.target, host);
    sockets.add(client).add(broker);
    /** Correlation ids of the Produce requests forwarded on this connection and not answered yet. */
    const produces = new Set<number>();
    const cut = (): void => {
      client.destroy();
      broker.destroy();
    };
    client.on('data', framer((frame) => {
      if (frame.readInt16BE(SIZE_BYTES) === PRODUCE) produces.add(frame.readInt32BE(SIZE_BYTES + 4));
      broker.write(frame);
    }));
    broker.on('data', framer((frame) => {
      const correlationId = frame.readInt32BE(SIZE_BYTES);
      if (produces.delete(correlationId) && ++produceResponses % cutEvery === 0) {
        cuts++;
        cut();
        return;
      }
      client.write(frame);
    }));
    for (const s of [client, broker]) {
      s.on('error', cut);
      s.on('close', () => {
        sockets.delete(s);
        cut();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const proxy = {
    port: (server.address() as { port: number }).port,
    target: 0,
    get cuts() {
      return cuts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return proxy;
}
