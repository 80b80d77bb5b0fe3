import { createServer, Socket, type Server, type SocketConstructorOpts } from 'node:net';
import type { Logger } from '../logger.js';
import type { ByteBudget } from './byte-budget.js';
import { FrameReader, onreadFor } from './frame-reader.js';

/** What a protocol's connection offers the server: a graceful end at shutdown and a close at a timeout. */
export interface AcceptedConnection {
  end(): void;
  close(reason: string, fields?: Record<string, unknown>): void;
}

/** How long a connection may keep the server waiting; 0 (or unset) means no limit. */
export interface ConnectionTimeouts {
  /** No byte read or written for this long closes the connection (Kafka's connections.max.idle.ms). */
  idleMs?: number;
  /** The first frame must have arrived this long after accept (ZooKeeper's ConnectRequest). */
  firstFrameMs?: number;
  /** A frame must be complete this long after its first byte arrived (slow senders, dead peers mid-frame). */
  frameMs?: number;
}

/** Deadlines are checked this often at most, and at least four times per shortest deadline. */
const MAX_SWEEP_MS = 1000;
const MIN_SWEEP_MS = 10;

export interface TcpServerOptions {
  host: string;
  port: number;
  /** Open connections across all clients; further ones are closed on accept. */
  maxConnections: number;
  /** Open connections from one remote address; 0 means no limit (ZooKeeper's maxClientCnxns). */
  maxConnectionsPerAddress: number;
  /** Largest frame a client may send; a larger length prefix is a framing error. */
  maxFrameBytes: number;
  /** Bytes of requests read and not yet answered, across all connections; unset for no bound. */
  requestBudget?: ByteBudget;
  timeouts?: ConnectionTimeouts;
  log: Logger;
  /**
   * Takes over an accepted socket, whose frames arrive through `frames` (set its sink before returning);
   * returns a handle used to end the connection gracefully at shutdown or close it at a timeout.
   */
  accept(socket: Socket, frames: FrameReader): AcceptedConnection;
}

interface Open {
  conn: AcceptedConnection;
  frames: FrameReader;
  acceptedAt: number;
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
  private readonly open = new Map<Socket, Open>();
  private readonly perAddress = new Map<string, number>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly opts: TcpServerOptions) {}

  /** Resolves with the bound port (useful with port 0). */
  listen(): Promise<number> {
    const server = createServer({ pauseOnConnect: true }, (socket) => this.onSocket(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        // Once listening, an error is a failed accept: EMFILE/ENFILE when the process is out of file
        // descriptors (libuv drops the pending connections and keeps listening). Unhandled, the event
        // would kill the process; the clients it dropped may connect again once descriptors are free.
        server.on('error', (err) => this.opts.log.warn({ err: err.message }, 'accepting a connection failed; still listening'));
        const addr = server.address();
        this.startSweeping();
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
    const frames = new FrameReader(this.opts.maxFrameBytes, this.opts.requestBudget);
    const socket = adoptWithReader(accepted, frames);
    frames.gate.socket = socket;
    this.perAddress.set(address, fromAddress + 1);
    socket.once('close', () => {
      this.open.delete(socket);
      const n = (this.perAddress.get(address) ?? 1) - 1;
      if (n === 0) this.perAddress.delete(address);
      else this.perAddress.set(address, n);
    });
    const conn = this.opts.accept(socket, frames);
    this.open.set(socket, { conn, frames, acceptedAt: Date.now() });
    const idleMs = this.opts.timeouts?.idleMs ?? 0;
    if (idleMs > 0) {
      // Node's socket timeout restarts on every read and completed write: exactly "idle".
      socket.setTimeout(idleMs, () => conn.close('idle', { idleMs }));
    }
  }

  /** Checks the deadlines that activity does not restart (first frame, frame completion) on a timer. */
  private startSweeping(): void {
    const { firstFrameMs = 0, frameMs = 0 } = this.opts.timeouts ?? {};
    const deadlines = [firstFrameMs, frameMs].filter((ms) => ms > 0);
    if (deadlines.length === 0) return;
    const every = Math.max(MIN_SWEEP_MS, Math.min(MAX_SWEEP_MS, Math.floor(Math.min(...deadlines) / 4)));
    this.sweeper = setInterval(() => this.sweep(Date.now(), firstFrameMs, frameMs), every);
    this.sweeper.unref();
  }

  private sweep(now: number, firstFrameMs: number, frameMs: number): void {
    for (const { conn, frames, acceptedAt } of this.open.values()) {
      if (firstFrameMs > 0 && frames.framesReceived === 0 && now - acceptedAt >= firstFrameMs) {
        conn.close('no request within the handshake timeout', { timeoutMs: firstFrameMs });
      } else if (frameMs > 0 && frames.partialSince !== undefined && now - frames.partialSince >= frameMs) {
        conn.close('request not completed within the request timeout', { timeoutMs: frameMs });
      }
    }
  }

  /** Stops accepting, lets connections finish their pending replies, and destroys stragglers after `graceMs`. */
  async close(graceMs = 5_000): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    clearInterval(this.sweeper);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const { conn } of this.open.values()) conn.end();
    const timer = setTimeout(() => {
      for (const socket of this.open.keys()) socket.destroy();
    }, graceMs);
    await closed;
    clearTimeout(timer);
  }
}
