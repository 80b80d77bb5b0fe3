// TCP between ensemble servers: one connection per pair of servers, carrying the consensus core's
// messages and the ZooKeeper shell's in protocol/consensus frames. This is an I/O shell only; what the messages mean is the
// core's business.
//
// With sslQuorum the connections are TLS with certificates on both sides (ssl.quorum.*): each side checks
// the other's chain against its truststore and, with ssl.quorum.hostnameVerification, that the certificate
// names the address it dialled or was dialled from, as ZooKeeper's quorum trust manager does; a peer
// refused here never reaches the hello. With portUnification the quorum port tells a TLS peer from a
// plaintext one by its first byte (a TLS handshake record starts with 22), so an ensemble can turn
// sslQuorum on or off one server at a time.
//
// Who connects: the server with the larger id dials, the smaller accepts (ZooKeeper keeps the larger
// id's connection too), so a pair never holds two connections. A server that restarts dials again (or
// is dialled again); the newest connection from a peer replaces an older one still open.
//
// Bad input: a connection whose first frame is not a hello with our magic and protocol version, that
// names a server id outside the ensemble or not us, or that later sends a garbled frame (bad CRC,
// impossible length, malformed body) or a message claiming another sender, is closed with a log line;
// nothing from it after the fault is delivered.
//
// Memory: each peer has a send queue of at most `sendQueueBytesMax` bytes (frames waiting plus bytes
// the socket has not sent). Raft tolerates lost messages (it retries appends, heartbeats and votes on
// its own clock), so when a peer is slow, gone or not reading, the oldest queued frames are dropped and
// counted rather than the queue growing or the connection being closed. A single frame larger than the
// limit is still sent when nothing else is queued, so a large snapshot is never starved. Inbound, a
// connection buffers at most one frame of at most `maxFrameBytes`, and before its hello one of at most a
// hello's size; at most UNIDENTIFIED_CONNECTIONS_MAX connections may be waiting for their hello.
import { connect, createServer, isIP, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { checkServerIdentity, connect as tlsConnect, createSecureContext, createServer as createTlsServer, type PeerCertificate, type SecureContext, type SecureContextOptions, type TLSSocket } from 'node:tls';
import { DecodeError } from '../../../protocol/bytes.js';
import { decodeFrame, encodeFrame, frameSize, PEER_FRAME_BYTES_MAX, PEER_PROTOCOL_VERSION } from '../../../protocol/consensus/frames.js';
import type { PeerHello, PeerWireMessage } from '../../../protocol/consensus/messages.js';
import type { NodeId } from '../../consensus/types.js';
import type { Logger } from '../../logger.js';
import { ReloadingTlsOptions } from '../../security/tls-material.js';
import { formatHostPort, type HostPort } from '../ensemble-config.js';
import type { QuorumTls } from '../tls-config.js';

/** Bytes queued for one peer (frames waiting plus the socket's unsent bytes) before the oldest are dropped. */
export const PEER_SEND_QUEUE_BYTES_MAX = 16 * 1024 * 1024;
/** Bytes handed to a socket ahead of what it has sent; the rest wait in the queue, where they can be dropped. */
const SOCKET_WRITE_AHEAD_BYTES = 256 * 1024;
/** A frame before the hello is read may be no larger than a hello, so strangers cannot make us buffer. */
const HELLO_FRAME_BYTES_MAX = 64;
/** Accepted connections that have not said hello yet; more are closed on accept. */
export const UNIDENTIFIED_CONNECTIONS_MAX = 16;
/** TCP keepalive probes start after this much silence, so a peer gone without a FIN is noticed. */
const KEEPALIVE_DELAY_MS = 10_000;
/** A refused TLS peer retries about every second: its refusal is logged as a warning at most this often per address. */
const REFUSAL_WARN_INTERVAL_MS = 30_000;
/** Addresses whose last refusal time is remembered for that; the oldest is forgotten first. */
const REFUSAL_ADDRESSES_MAX = 64;
/** The first byte of a TLS record carrying a handshake (RFC 8446 5.1): how portUnification tells TLS apart. */
const TLS_HANDSHAKE_RECORD = 0x16;

export interface PeerTransportOptions {
  readonly myid: NodeId;
  /** Sent in the hello; a peer running another version is logged (a reconfiguration is under way), not refused. */
  readonly configVersion: bigint;
  /** This server's quorum address, to listen on. */
  readonly listen: HostPort;
  /** Every other server of the ensemble and its quorum address. */
  readonly peers: ReadonlyMap<NodeId, HostPort>;
  readonly log: Logger;
  /** Each decoded message from a peer, in arrival order per peer. */
  onMessage(message: PeerWireMessage): void;
  /** The working connection to a peer closed (not one a newer connection replaced). */
  onPeerDown?(id: NodeId): void;
  readonly sendQueueBytesMax?: number;
  readonly maxFrameBytes?: number;
  /** Backoff between dial attempts to one peer: doubles from min to max, reset by a successful hello. */
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  /** A connection whose hello has not arrived this long after it opened is closed. */
  readonly helloTimeoutMs?: number;
  /** TLS between servers (sslQuorum / portUnification); plaintext without. */
  readonly tls?: QuorumTls;
}

export interface PeerStats {
  readonly connected: boolean;
  /** Frames waiting plus bytes the socket has not sent yet. */
  readonly queuedBytes: number;
  readonly sentFrames: number;
  /** Frames dropped because the queue was full. */
  readonly droppedFrames: number;
}

interface Peer {
  readonly id: NodeId;
  readonly address: HostPort;
  /** Set once both hellos are exchanged. */
  socket: Socket | undefined;
  queue: Buffer[];
  queueBytes: number;
  sentFrames: number;
  droppedFrames: number;
  /** Dialling side only. */
  attempts: number;
  timer: NodeJS.Timeout | undefined;
  /** The last failed dial's reason, so a TLS refusal repeating every second is warned about once. */
  lastDialError: string | undefined;
}

export class PeerTransport {
  private server: Server | undefined;
  private readonly peers = new Map<NodeId, Peer>();
  private readonly sockets = new Set<Socket>();
  /** Connections (accepted or dialled) whose hello has not arrived. */
  private unidentified = 0;
  /** Accepted connections in their TLS handshake; they count toward UNIDENTIFIED_CONNECTIONS_MAX too. */
  private handshaking = 0;
  private closed = false;
  private readonly queueMax: number;
  private readonly maxFrameBytes: number;
  /** Peers with frames queued since the last flush. */
  private readonly unflushed = new Set<Peer>();
  private flushScheduled = false;
  /** This server's certificate and the CAs it trusts, when the quorum speaks TLS; re-read when the files change. */
  private readonly tlsMaterial: ReloadingTlsOptions | undefined;
  /** The context made of the material's current options (a new one only when they changed). */
  private context: { options: SecureContextOptions; context: SecureContext } | undefined;
  /** Remote address -> when its TLS refusal was last warned about. */
  private readonly refusalsWarned = new Map<string, number>();

  constructor(private readonly opts: PeerTransportOptions) {
    this.queueMax = opts.sendQueueBytesMax ?? PEER_SEND_QUEUE_BYTES_MAX;
    this.maxFrameBytes = opts.maxFrameBytes ?? PEER_FRAME_BYTES_MAX;
    for (const [id, address] of opts.peers) {
      if (id === opts.myid) throw new RangeError(`server ${id} cannot be its own peer`);
      this.peers.set(id, { id, address, socket: undefined, queue: [], queueBytes: 0, sentFrames: 0, droppedFrames: 0, attempts: 0, timer: undefined, lastDialError: undefined });
    }
    this.tlsMaterial = opts.tls && new ReloadingTlsOptions(opts.tls.spec, opts.log);
  }

  /** Listens on the quorum address and starts dialling the peers with smaller ids. */
  async start(): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.listen.port, this.opts.listen.host, () => {
        server.off('error', reject);
        server.on('error', (err) => this.opts.log.warn({ err: err.message }, 'quorum listener: accepting a connection failed'));
        resolve();
      });
    });
    for (const peer of this.peers.values()) if (peer.id < this.opts.myid) this.dial(peer);
  }

  /** Queues `message` for `message.to`; never blocks and never throws for a slow or absent peer. */
  send(message: PeerWireMessage): void {
    if (this.closed) return;
    const peer = this.peers.get(message.to);
    if (!peer) {
      this.opts.log.warn({ to: message.to, type: message.type }, 'dropping a message to a server outside the ensemble');
      return;
    }
    const frame = encodeFrame({ kind: 'message', message });
    while (peer.queue.length > 0 && this.queued(peer) + frame.length > this.queueMax) {
      peer.queueBytes -= peer.queue.shift()!.length;
      peer.droppedFrames++;
    }
    const socketBytes = peer.socket?.writableLength ?? 0;
    if (socketBytes > 0 && socketBytes + frame.length > this.queueMax) {
      peer.droppedFrames++;
      return;
    }
    peer.queue.push(frame);
    peer.queueBytes += frame.length;
    this.unflushed.add(peer);
    // Frames queued in one iteration of the event loop (by every socket read and timer of it) leave in
    // one writev per peer, after the poll phase: a syscall per peer per iteration rather than per read.
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushQueued());
    }
  }

  /** Hands every queued frame to its socket now (the runtime calls this at the end of a ready() batch). */
  flushQueued(): void {
    this.flushScheduled = false;
    if (this.closed) return;
    for (const peer of this.unflushed) this.flush(peer);
    this.unflushed.clear();
  }

  /** Every peer this transport talks to. */
  peerIds(): NodeId[] {
    return [...this.peers.keys()];
  }

  /**
   * A reconfiguration changed the ensemble: peers not in `peers` are dropped (their connection closed),
   * new ones added (and dialled, if we dial them), and a peer whose address changed is reconnected.
   */
  setPeers(peers: ReadonlyMap<NodeId, HostPort>): void {
    for (const [id, peer] of this.peers) {
      const next = peers.get(id);
      if (next && next.host === peer.address.host && next.port === peer.address.port) continue;
      this.peers.delete(id);
      this.unflushed.delete(peer);
      clearTimeout(peer.timer);
      peer.socket?.destroy();
    }
    for (const [id, address] of peers) {
      if (this.peers.has(id) || id === this.opts.myid) continue;
      const peer: Peer = { id, address, socket: undefined, queue: [], queueBytes: 0, sentFrames: 0, droppedFrames: 0, attempts: 0, timer: undefined, lastDialError: undefined };
      this.peers.set(id, peer);
      if (!this.closed && this.server && id < this.opts.myid) this.dial(peer);
    }
  }

  stats(id: NodeId): PeerStats {
    const peer = this.peers.get(id);
    if (!peer) throw new RangeError(`server ${id} is not a peer`);
    return { connected: peer.socket !== undefined, queuedBytes: this.queued(peer), sentFrames: peer.sentFrames, droppedFrames: peer.droppedFrames };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const peer of this.peers.values()) clearTimeout(peer.timer);
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private queued(peer: Peer): number {
    return peer.queueBytes + (peer.socket?.writableLength ?? 0);
  }

  private flush(peer: Peer): void {
    const socket = peer.socket;
    if (!socket) return;
    socket.cork();
    while (peer.queue.length > 0 && socket.writableLength < SOCKET_WRITE_AHEAD_BYTES) {
      const frame = peer.queue.shift()!;
      peer.queueBytes -= frame.length;
      peer.sentFrames++;
      socket.write(frame);
    }
    socket.uncork();
  }

  private dial(peer: Peer): void {
    // Closed, or a reconfiguration removed the peer meanwhile.
    if (this.closed || this.peers.get(peer.id) !== peer) return;
    const { host, port } = peer.address;
    const tls = this.opts.tls?.dialTls ? this.opts.tls : undefined;
    const socket = tls
      ? tlsConnect({
          host,
          port,
          secureContext: this.secureContext(),
          // An IP address is checked against the certificate's IP entries; no SNI is sent for one.
          ...(isIP(host) === 0 ? { servername: host } : {}),
          checkServerIdentity: tls.hostnameVerification ? checkServerIdentity : () => undefined,
        })
      : connect({ host, port });
    let connected = false;
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      connected = true;
      peer.lastDialError = undefined;
      this.adopt(socket, peer);
    });
    // Once connected, adopt() dials again when the connection ends.
    socket.once('close', () => connected || this.redial(peer));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A refused certificate (ours or theirs) needs an operator; a peer that is down does not.
      const tlsRefusal = tls !== undefined && !connected && !['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT'].includes(err.code ?? '');
      const repeated = peer.lastDialError === err.message;
      peer.lastDialError = err.message;
      if (tlsRefusal && !repeated) this.opts.log.warn({ peer: peer.id, address: formatHostPort(peer.address), err: err.message }, 'quorum TLS connection refused');
      else this.opts.log.debug({ peer: peer.id, err: err.message }, 'quorum connection failed');
    });
  }

  /** An accepted connection: plaintext, TLS, or (portUnification) whichever its first byte says. */
  private accept(socket: Socket): void {
    const tls = this.opts.tls;
    if (!tls) return this.adopt(socket, undefined);
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    if (this.closed || this.unidentified + this.handshaking >= UNIDENTIFIED_CONNECTIONS_MAX) {
      this.opts.log.warn({ remote }, 'closing quorum connection: too many connections without a hello');
      socket.destroy();
      return;
    }
    // Tracked from the start, so close() does not wait for a handshake in progress to time out.
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    if (!tls.acceptPlaintext) return this.acceptTls(socket, socket, remote);
    // Until its first byte, the connection is a handshake in progress: counted, and closed if silent.
    this.handshaking++;
    let routed = false;
    const silent = setTimeout(() => socket.destroy(), tls.handshakeTimeoutMs);
    socket.once('close', () => {
      clearTimeout(silent);
      if (!routed) this.handshaking--;
      routed = true;
    });
    socket.once('data', (first: Buffer) => {
      clearTimeout(silent);
      if (!routed) this.handshaking--;
      routed = true;
      if (first[0] !== TLS_HANDSHAKE_RECORD) {
        socket.unshift(first);
        return this.adopt(socket, undefined);
      }
      // The byte that told TLS apart is already read, so the TLS socket reads through a stream that
      // hands it over first (a TLS socket made on the raw socket would read past it).
      socket.pause();
      const replay = new Duplex({
        read: () => socket.resume(),
        write: (chunk: Buffer, _encoding, done) => socket.write(chunk, done),
        final: (done) => socket.end(done),
        destroy: (err, done) => {
          socket.destroy();
          done(err);
        },
      });
      replay.push(first);
      socket.on('data', (chunk: Buffer) => replay.push(chunk) || socket.pause());
      socket.on('end', () => replay.push(null));
      socket.on('close', () => replay.destroy());
      socket.on('error', () => replay.destroy());
      this.acceptTls(replay, socket, remote);
    });
  }

  /**
   * Runs the server side of a TLS handshake over `transport` (the socket, or a replay of it); `tcp` is the
   * socket. A tls.Server of its own (never listening) runs it, since only a server's sockets refuse an
   * unverified certificate and report the handshake's failure and timeout.
   */
  private acceptTls(transport: Duplex, tcp: Socket, remote: string): void {
    const tls = this.opts.tls!;
    this.handshaking++;
    let settled = false;
    const settle = () => {
      if (!settled) this.handshaking--;
      settled = true;
    };
    const refuse = (err: Error, socket?: TLSSocket) => {
      settle();
      this.warnRefused(remote, err.message);
      socket?.destroy();
      tcp.destroy();
    };
    tcp.once('close', settle);
    const server = createTlsServer(
      {
        ...this.tlsMaterial!.options(),
        requestCert: tls.spec.clientAuth !== 'none',
        rejectUnauthorized: tls.spec.clientAuth === 'required',
        handshakeTimeout: tls.handshakeTimeoutMs,
      },
      (socket: TLSSocket) => {
        settle();
        const cert = socket.getPeerCertificate();
        // ssl.quorum.clientAuth=want: a certificate that was sent must still verify.
        if (!socket.authorized && hasCertificate(cert)) return refuse(new Error(`certificate refused: ${String(socket.authorizationError)}`), socket);
        // ZooKeeper's quorum trust manager checks a connecting server's certificate against its address too.
        const hostError = tls.hostnameVerification && hasCertificate(cert) ? checkServerIdentity(stripIpv6Mapping(tcp.remoteAddress ?? ''), cert) : undefined;
        if (hostError) return refuse(hostError, socket);
        this.adopt(socket, undefined, remote);
      },
    );
    server.on('tlsClientError', (err, socket) => refuse(err, socket));
    server.emit('connection', transport);
  }

  /** A renewed certificate (checked at most every few seconds) takes effect for the next connections. */
  private secureContext(): SecureContext {
    const options = this.tlsMaterial!.options();
    if (this.context?.options !== options) this.context = { options, context: createSecureContext(options) };
    return this.context.context;
  }

  private warnRefused(remote: string, reason: string): void {
    const address = remote.slice(0, remote.lastIndexOf(':'));
    const now = Date.now();
    const last = this.refusalsWarned.get(address);
    if (last !== undefined && now - last < REFUSAL_WARN_INTERVAL_MS) {
      this.opts.log.debug({ remote, err: reason }, 'quorum TLS handshake refused');
      return;
    }
    this.refusalsWarned.delete(address);
    this.refusalsWarned.set(address, now);
    if (this.refusalsWarned.size > REFUSAL_ADDRESSES_MAX) this.refusalsWarned.delete(this.refusalsWarned.keys().next().value!);
    this.opts.log.warn({ remote, err: reason }, 'quorum TLS handshake refused');
  }

  private redial(peer: Peer): void {
    if (this.closed || peer.timer) return;
    const min = this.opts.reconnectMinMs ?? 100;
    // Only the higher id dials, so a restarted member rejoins when its peers' next attempt comes: a
    // 5 s cap left one without a leader (and read-only, refusing clients that had seen newer zxids) for
    // up to 10 s after a restart in kazoo's suite. ZooKeeper dials back at once when a lower id calls;
    // an attempt per second to a dead peer is cheap.
    const max = this.opts.reconnectMaxMs ?? 1_000;
    // Jitter, so servers restarted together do not dial in lockstep.
    const delay = Math.min(max, min * 2 ** Math.min(peer.attempts, 20)) * (0.5 + Math.random() / 2);
    peer.attempts++;
    peer.timer = setTimeout(() => {
      peer.timer = undefined;
      this.dial(peer);
    }, delay);
  }

  /**
   * Runs a connection: hellos, then messages. `dialled` is the peer we dialled, or undefined when we
   * accepted; `remoteName` names the other end when the socket cannot (a TLS socket over a replay stream).
   */
  private adopt(socket: Socket, dialled: Peer | undefined, remoteName?: string): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    if (!dialled && this.unidentified >= UNIDENTIFIED_CONNECTIONS_MAX) {
      this.opts.log.warn({ remote: remoteName ?? `${socket.remoteAddress}:${socket.remotePort}` }, 'closing quorum connection: too many connections without a hello');
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    this.unidentified++;
    let identified = false;
    const identify = () => {
      if (!identified) this.unidentified--;
      identified = true;
    };
    socket.setNoDelay(true);
    socket.setKeepAlive(true, KEEPALIVE_DELAY_MS);
    const remote = remoteName ?? `${socket.remoteAddress}:${socket.remotePort}`;
    let peer: Peer | undefined;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let done = false;
    const fail = (reason: string, fields: Record<string, unknown> = {}) => {
      if (done) return;
      done = true;
      this.opts.log.warn({ remote, peer: peer?.id ?? dialled?.id, ...fields }, `closing quorum connection: ${reason}`);
      socket.destroy();
    };
    const helloTimer = setTimeout(() => fail('no hello in time'), this.opts.helloTimeoutMs ?? 10_000);
    if (dialled) socket.write(encodeFrame({ kind: 'hello', hello: this.hello(dialled.id) }));

    const onFrame = (buf: Buffer) => {
      const frame = decodeFrame(buf, this.maxFrameBytes);
      if (!peer) {
        if (frame.kind !== 'hello') return fail('the first frame is not a hello', { type: frame.message.type });
        const claimed = this.checkHello(frame.hello, dialled);
        if (typeof claimed === 'string') return fail(claimed, { from: frame.hello.from });
        clearTimeout(helloTimer);
        identify();
        peer = claimed;
        if (!dialled) socket.write(encodeFrame({ kind: 'hello', hello: this.hello(peer.id) }));
        if (frame.hello.configVersion !== this.opts.configVersion) {
          this.opts.log.info({ peer: peer.id, theirs: frame.hello.configVersion.toString(16), ours: this.opts.configVersion.toString(16) }, 'peer runs another ensemble configuration version');
        }
        const old = peer.socket;
        peer.socket = socket;
        peer.attempts = 0;
        if (old) old.destroy();
        this.opts.log.info({ peer: peer.id, remote }, 'quorum connection up');
        this.flush(peer);
        return;
      }
      if (frame.kind === 'hello') return fail('a second hello');
      const m = frame.message;
      if (m.from !== peer.id || m.to !== this.opts.myid) return fail(`a message from ${m.from} to ${m.to} on the connection of server ${peer.id} to ${this.opts.myid}`);
      this.opts.onMessage(m);
    };

    socket.on('data', (chunk: Buffer) => {
      if (done) return;
      pending.push(chunk);
      pendingBytes += chunk.length;
      try {
        for (;;) {
          if (pending.length > 1 && pendingBytes >= 4 && pending[0]!.length < 4) pending = [Buffer.concat(pending)];
          const size = frameSize(pending[0]!, peer ? this.maxFrameBytes : HELLO_FRAME_BYTES_MAX);
          if (size === null || pendingBytes < size) return;
          const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
          pending = all.length > size ? [all.subarray(size)] : [];
          pendingBytes -= size;
          onFrame(all.subarray(0, size));
          if (done || pending.length === 0) return;
        }
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        fail(`garbled frame: ${err.message}`);
      }
    });
    socket.on('drain', () => peer && peer.socket === socket && this.flush(peer));
    socket.on('error', (err) => this.opts.log.debug({ remote, err: err.message }, 'quorum socket error'));
    socket.on('close', () => {
      clearTimeout(helloTimer);
      identify();
      done = true;
      this.sockets.delete(socket);
      const owner = peer ?? dialled;
      if (peer && peer.socket === socket) {
        peer.socket = undefined;
        this.opts.log.info({ peer: peer.id }, 'quorum connection down');
        if (!this.closed) this.opts.onPeerDown?.(peer.id);
      }
      // The dialling side dials again unless a newer connection already replaced this one.
      if (owner && owner.id < this.opts.myid && !owner.socket) this.redial(owner);
    });
  }

  private hello(to: NodeId): PeerHello {
    return { version: PEER_PROTOCOL_VERSION, from: this.opts.myid, to, configVersion: this.opts.configVersion };
  }

  /** The peer a hello identifies, or why it is refused. */
  private checkHello(hello: PeerHello, dialled: Peer | undefined): Peer | string {
    if (hello.to !== this.opts.myid) return `hello addressed to server ${hello.to}, this is server ${this.opts.myid}`;
    const peer = this.peers.get(hello.from);
    if (!peer) return `hello from server ${hello.from}, which is not in the ensemble`;
    if (dialled && dialled !== peer) return `dialled server ${dialled.id} at ${formatHostPort(dialled.address)} but server ${hello.from} answered`;
    if (!dialled && hello.from < this.opts.myid) return `server ${hello.from} dialled, but the server with the larger id dials`;
    return peer;
  }
}

/** A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d; certificates name a.b.c.d. */
function stripIpv6Mapping(address: string): string {
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

/** getPeerCertificate() answers {} when the peer sent none (ssl.quorum.clientAuth=want). */
function hasCertificate(cert: PeerCertificate): boolean {
  return Object.keys(cert).length > 0;
}
