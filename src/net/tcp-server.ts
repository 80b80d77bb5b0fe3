import { createServer, Socket, type Server, type SocketConstructorOpts } from 'node:net';
import type { Logger } from '../logger.js';
import { FrameReader, onreadFor } from './frame-reader.js';

export interface TcpServerOptions {
  host: string;
  port: number;
  /** Open connections across all clients; further ones are closed on accept. */
  maxConnections: number;
  /** Open connections from one remote address; 0 means no limit (ZooKeeper's maxClientCnxns). */
  maxConnectionsPerAddress: number;
  /** Largest frame a client may send; a larger length prefix is a framing error. */
  maxFrameBytes: number;
  log: Logger;
  /**
   * Takes over an accepted socket, whose frames arrive through `frames` (set its sink before returning);
   * returns a handle used to end the connection gracefully at shutdown.
   */
  accept(socket: Socket, frames: FrameReader): { end(): void };
}

/**
 * net.Server offers no `onread` option, yet onread is the only way to choose where a socket's reads
 * land. So the accepted socket, created paused and never read from, hands its handle to a socket made
 * with onread, and is dropped (which also settles net.Server's connection count).
 */
function adoptWithReader(accepted: Socket, reader: FrameReader): Socket {
  const internal = accepted as unknown as { _handle: unknown };
  const handle = internal._handle;
  if (!handle) throw new Error('accepted socket has no handle to adopt');
  internal._handle = null;
  accepted.destroy();
  const options = { handle, readable: true, writable: true, onread: onreadFor(reader) };
  return new Socket(options as SocketConstructorOpts);
}

/** A listening socket with connection limits and a graceful stop, shared by the Kafka and ZooKeeper front ends. */
export class TcpServer {
  private server: Server | undefined;
  private readonly open = new Map<Socket, { end(): void }>();
  private readonly perAddress = new Map<string, number>();

  constructor(private readonly opts: TcpServerOptions) {}

  /** Resolves with the bound port (useful with port 0). */
  listen(): Promise<number> {
    const server = createServer({ pauseOnConnect: true }, (socket) => this.onSocket(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        const addr = server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : this.opts.port);
      });
    });
  }

  get connectionCount(): number {
    return this.open.size;
  }

  private onSocket(accepted: Socket): void {
    const address = accepted.remoteAddress ?? 'unknown';
    const fromAddress = this.perAddress.get(address) ?? 0;
    const limit = this.opts.maxConnectionsPerAddress;
    if (this.open.size >= this.opts.maxConnections || (limit > 0 && fromAddress >= limit)) {
      this.opts.log.warn(
        { remote: address, open: this.open.size, fromAddress },
        'refusing connection: connection limit reached',
      );
      accepted.destroy();
      return;
    }
    const frames = new FrameReader(this.opts.maxFrameBytes);
    const socket = adoptWithReader(accepted, frames);
    this.perAddress.set(address, fromAddress + 1);
    socket.once('close', () => {
      this.open.delete(socket);
      const n = (this.perAddress.get(address) ?? 1) - 1;
      if (n === 0) this.perAddress.delete(address);
      else this.perAddress.set(address, n);
    });
    this.open.set(socket, this.opts.accept(socket, frames));
  }

  /** Stops accepting, lets connections finish their pending replies, and destroys stragglers after `graceMs`. */
  async close(graceMs = 5_000): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const handle of this.open.values()) handle.end();
    const timer = setTimeout(() => {
      for (const socket of this.open.keys()) socket.destroy();
    }, graceMs);
    await closed;
    clearTimeout(timer);
  }
}
