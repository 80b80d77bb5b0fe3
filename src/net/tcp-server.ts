import { createServer, Socket, type Server, type SocketConstructorOpts } from 'node:net';
import { createServer as createTlsServer, type SecureContextOptions, type Server as TlsServer, type TLSSocket } from 'node:tls';
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

/** How a TLS listener shakes hands; absent for plaintext. */
export interface TlsHandshake {
  /**
   * The key material for the next handshake. A new object (a renewed certificate) replaces the
   * listener's context from that connection on; the same object again changes nothing.
   */
  options(): SecureContextOptions;
  /** Ask the client for a certificate (ssl.client.auth requested or required). */
  requestCert: boolean;
  /** Refuse a client that sends none (required). A certificate that does not verify is refused either way. */
  requireCert: boolean;
  /** A handshake not finished this long after accept closes the connection (a client that never speaks TLS). */
  timeoutMs: number;
}

export interface TcpServerOptions {
  host: string;
  port: number;
  /** Open connections across all clients; further ones are closed on accept. */
  maxConnections: number;
  /**
   * Open connections from one remote address; 0 means no limit (ZooKeeper's maxClientCnxns). A function
   * gives each address its own (Kafka's max.connections.per.ip.overrides).
   */
  maxConnectionsPerAddress: number | ((address: string) => number);
  /** Asked for each connection the counts admit: false refuses it (Kafka's connection_creation_rate quota of an ip). */
  admitsConnection?(address: string): boolean;
  /** Largest frame a client may send; a larger length prefix is a framing error. */
  maxFrameBytes: number;
  /** Bytes of requests read and not yet answered, across all connections; unset for no bound. */
  requestBudget?: ByteBudget;
  timeouts?: ConnectionTimeouts;
  /** Speak TLS on this port: the protocol's connection is accepted once the handshake is done. */
  tls?: TlsHandshake;
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
 * with onread, and is dropped (which also settles net.Server's connection count). `_handle` is Node's
 * private field: where it is missing, undefined says so and the caller reads by copying instead.
 */
function adoptWithReader(accepted: Socket, reader: FrameReader): Socket | undefined {
  const internal = accepted as unknown as { _handle: unknown };
  const handle = internal._handle;
  if (!handle) return undefined;
  internal._handle = null;
  accepted.destroy();
  const options = { handle, readable: true, writable: true, onread: onreadFor(reader) };
  return new Socket(options as SocketConstructorOpts);
}

/**
 * The way every socket without a handle of its own reads (a TLS socket decrypts into buffers Node
 * allocates): each 'data' chunk is copied into the reader's buffers. Pausing the socket (the read gate)
 * stops the chunks.
 */
function readByCopy(socket: Socket, reader: FrameReader): Socket {
  socket.on('data', (chunk: Buffer) => reader.push(chunk));
  socket.resume();
  return socket;
}

/** A listening socket with connection limits and a graceful stop, shared by the Kafka and ZooKeeper front ends. */
export class TcpServer {
  private server: Server | undefined;
  private readonly open = new Map<Socket, Open>();
  /** TLS connections whose handshake is under way, by remote address and port: not yet the protocol's, counted against the limits. */
  private readonly handshaking = new Map<string, { socket: Socket; frames: FrameReader }>();
  /** The tls.Server that shakes hands for a TLS listener, and the key material it has. */
  private tls: { server: TlsServer; options: SecureContextOptions } | undefined;
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
    return this.open.size + this.handshaking.size;
  }

  private onSocket(accepted: Socket): void {
    const address = accepted.remoteAddress ?? 'unknown';
    const fromAddress = this.perAddress.get(address) ?? 0;
    const perAddress = this.opts.maxConnectionsPerAddress;
    const limit = typeof perAddress === 'number' ? perAddress : perAddress(address);
    if (this.open.size + this.handshaking.size >= this.opts.maxConnections || (limit > 0 && fromAddress >= limit)) {
      this.opts.log.warn(
        { remote: address, open: this.open.size, fromAddress },
        'refusing connection: connection limit reached',
      );
      accepted.destroy();
      return;
    }
    if (this.opts.admitsConnection && !this.opts.admitsConnection(address)) {
      this.opts.log.warn({ remote: address }, 'refusing connection: connection_creation_rate quota of the address exceeded');
      accepted.destroy();
      return;
    }
    this.perAddress.set(address, fromAddress + 1);
    const frames = new FrameReader(this.opts.maxFrameBytes, this.opts.requestBudget);
    if (this.opts.tls) return this.shakeHands(accepted, address, frames, this.opts.tls);
    const socket = adoptWithReader(accepted, frames) ?? readByCopy(accepted, frames);
    this.admit(socket, address, frames);
  }

  /**
   * Hands the accepted socket to a tls.Server that never listens (injecting a connection through its
   * 'connection' event is Node's documented way), which shakes hands and verifies the client's
   * certificate as Node's TLS servers do. A handshake that fails (plaintext sent to a TLS port, an
   * untrusted certificate) or does not finish within its timeout closes the connection with a log line
   * naming the address; a finished one is handed to the protocol.
   */
  private shakeHands(accepted: Socket, address: string, frames: FrameReader, tls: TlsHandshake): void {
    const remote = `${address}:${accepted.remotePort}`;
    accepted.once('close', () => {
      // Node's TLS server drops a client whose certificate does not verify without an event of its own.
      if (this.handshaking.delete(remote)) this.opts.log.warn({ remote }, 'closing TLS connection: closed before the handshake finished (untrusted client certificate?)');
      this.left(address);
    });
    this.handshaking.set(remote, { socket: accepted, frames });
    const server = this.tlsServerFor(tls);
    server.emit('connection', accepted);
    // Accepted paused (pauseOnConnect); the TLS socket reads through it from now on.
    accepted.resume();
  }

  private tlsServerFor(tls: TlsHandshake): TlsServer {
    const options = tls.options();
    if (this.tls && this.tls.options === options) return this.tls.server;
    // Client certificate checks go with every context, as setSecureContext may reset them.
    const withChecks = { ...options, requestCert: tls.requestCert, rejectUnauthorized: tls.requireCert };
    if (this.tls) {
      this.tls.server.setSecureContext(withChecks);
      this.tls.options = options;
      return this.tls.server;
    }
    const server = createTlsServer({ ...withChecks, handshakeTimeout: tls.timeoutMs });
    server.on('tlsClientError', (err, socket) => {
      const remote = `${socket.remoteAddress}:${socket.remotePort}`;
      this.handshaking.delete(remote);
      this.opts.log.warn({ remote, err: err.message }, 'closing TLS connection: handshake failed');
      // Node leaves the socket open after a handshake timeout.
      socket.destroy();
    });
    server.on('secureConnection', (socket: TLSSocket) => {
      const remote = `${socket.remoteAddress}:${socket.remotePort}`;
      const waiting = this.handshaking.get(remote);
      this.handshaking.delete(remote);
      // With ssl.client.auth=requested a client may send no certificate, but one it sends must verify.
      if (tls.requestCert && !socket.authorized && socket.getPeerCertificate().raw !== undefined) {
        this.opts.log.warn({ remote, err: String(socket.authorizationError) }, 'closing TLS connection: client certificate not trusted');
        return void socket.destroy();
      }
      if (!waiting || this.server === undefined) return void socket.destroy();
      this.admit(readByCopy(socket, waiting.frames), socket.remoteAddress ?? 'unknown', waiting.frames, false);
    });
    this.tls = { server, options };
    return server;
  }

  /** Hands a socket whose frames arrive through `frames` to the protocol. */
  private admit(socket: Socket, address: string, frames: FrameReader, countsOnClose = true): void {
    frames.gate.socket = socket;
    socket.once('close', () => {
      this.open.delete(socket);
      if (countsOnClose) this.left(address);
    });
    const conn = this.opts.accept(socket, frames);
    this.open.set(socket, { conn, frames, acceptedAt: Date.now() });
    const idleMs = this.opts.timeouts?.idleMs ?? 0;
    if (idleMs > 0) {
      // Node's socket timeout restarts on every read and completed write: exactly "idle".
      socket.setTimeout(idleMs, () => conn.close('idle', { idleMs }));
    }
  }

  private left(address: string): void {
    const n = (this.perAddress.get(address) ?? 1) - 1;
    if (n === 0) this.perAddress.delete(address);
    else this.perAddress.set(address, n);
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
    for (const { socket } of this.handshaking.values()) socket.destroy();
    for (const { conn } of this.open.values()) conn.end();
    const timer = setTimeout(() => {
      for (const socket of this.open.keys()) socket.destroy();
    }, graceMs);
    await closed;
    clearTimeout(timer);
  }
}
