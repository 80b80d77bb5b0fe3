// One TCP connection to a ZooKeeper server, speaking the wire protocol and nothing more: the handshake,
// requests matched to replies by xid, notifications handed on as they come. It never reconnects; the
// session client (client.ts) builds sessions, reconnects and watches on top of it, and the load
// generator and the server's protocol tests use it directly where they need control over every frame.
import type { Socket } from 'node:net';
import { Reader, Writer } from '../../../protocol/bytes.js';
import { ErrorCode, KeeperError, Xid } from '../../../protocol/zookeeper/codes.js';
import {
  readConnectResponse,
  writeConnectRequest,
  type ConnectRequest,
  type ConnectResponse,
} from '../../../protocol/zookeeper/connect.js';
import type { JuteType } from '../../../protocol/zookeeper/jute.js';
import { ReplyHeader, WatcherEvent } from '../../../protocol/zookeeper/records.js';
import { connectFramed, type ConnectTls } from '../../net/client-socket.js';
import { FrameReader } from '../../net/frame-reader.js';
import { DEFAULT_JUTE_MAX_BUFFER } from '../config.js';

export interface Reply {
  header: ReplyHeader;
  /** The reply body after the header. */
  body: Reader;
}

export interface HandshakeOptions {
  /** Requested session timeout (ms); the server clamps it. */
  timeout?: number;
  /** 0 (the default) asks for a new session; otherwise the session to resume. */
  sessionId?: bigint;
  passwd?: Buffer;
  lastZxidSeen?: bigint;
  /**
   * The trailing readOnly byte: whether a read-only server may take the session (false when absent).
   * Explicitly undefined leaves the byte out, as clients older than 3.4 do.
   */
  readOnly?: boolean | undefined;
}

/**
 * Largest reply frame read by default: jute.maxbuffer, plus room for the header and Stat around a znode
 * whose data is that large.
 */
export const DEFAULT_MAX_REPLY_BYTES = DEFAULT_JUTE_MAX_BUFFER + 1024;
/** Requests in flight on one connection by default; more are refused with ThrottledOp. */
export const DEFAULT_MAX_OUTSTANDING_REQUESTS = 1000;

export interface ConnectionOptions {
  maxReplyBytes?: number;
  maxOutstanding?: number;
  /** Give up on the TCP connect (and TLS handshake) after this long (ms). */
  connectTimeoutMs?: number;
  /** TLS, for a server's secureClientPort. */
  tls?: ConnectTls;
}

export interface Waiter {
  resolve(r: Reply): void;
  reject(e: Error): void;
}

export class ZooKeeperConnection {
  /** Called for each watch notification, in the order the server sent it. */
  onNotification: ((e: WatcherEvent) => void) | undefined;
  /** Called for every frame received (pings included): the session client's liveness clock. */
  onActivity: (() => void) | undefined;
  /** Resolves when the connection is closed, by either side. */
  readonly closed: Promise<void>;
  /** The server's ConnectResponse, once the handshake is done. */
  session: ConnectResponse | undefined;
  /** The highest zxid seen in a reply header. */
  lastZxid = 0n;
  private readonly pending = new Map<number, Waiter>();
  private handshakeWaiter: { resolve(r: ConnectResponse): void; reject(e: Error): void } | undefined;
  private nextXid = 1;
  private isClosed = false;
  private readonly maxOutstanding: number;

  private constructor(
    readonly socket: Socket,
    frames: FrameReader,
    opts: ConnectionOptions,
  ) {
    this.maxOutstanding = opts.maxOutstanding ?? DEFAULT_MAX_OUTSTANDING_REQUESTS;
    socket.setNoDelay(true);
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.isClosed = true;
        frames.stop();
        const err = new KeeperError(ErrorCode.connectionLoss);
        this.handshakeWaiter?.reject(err);
        this.handshakeWaiter = undefined;
        const waiters = [...this.pending.values()];
        this.pending.clear();
        for (const p of waiters) p.reject(err);
        resolve();
      });
    });
    // A reset or refused connection ends in 'close' too, which is where callers learn of it.
    socket.on('error', () => {});
    frames.sink = { frame: (f) => this.onFrame(f), invalid: () => socket.destroy() };
  }

  /** Opens a TCP connection without a handshake. Rejects with ConnectionLoss if it cannot. */
  static open(port: number, host = '127.0.0.1', opts: ConnectionOptions = {}): Promise<ZooKeeperConnection> {
    return new Promise((resolve, reject) => {
      const frames = new FrameReader(opts.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES);
      const { socket, ready } = connectFramed(host, port, frames, opts.tls);
      const fail = (): void => {
        socket.destroy();
        reject(new KeeperError(ErrorCode.connectionLoss));
      };
      if (opts.connectTimeoutMs !== undefined) socket.setTimeout(opts.connectTimeoutMs, fail);
      socket.once('error', fail);
      socket.once(ready, () => {
        socket.off('error', fail);
        socket.setTimeout(0);
        resolve(new ZooKeeperConnection(socket, frames, opts));
      });
    });
  }

  /** Connects and establishes (or resumes) a session. */
  static async connect(
    port: number,
    handshake: HandshakeOptions = {},
    host = '127.0.0.1',
    opts: ConnectionOptions = {},
  ): Promise<ZooKeeperConnection> {
    const c = await ZooKeeperConnection.open(port, host, opts);
    try {
      await c.start(handshake);
    } catch (e) {
      c.destroy();
      throw e;
    }
    return c;
  }

  /** Sends the ConnectRequest; resolves with the server's ConnectResponse (timeOut 0: session expired). */
  start(opts: HandshakeOptions = {}): Promise<ConnectResponse> {
    const req: ConnectRequest = {
      protocolVersion: 0,
      lastZxidSeen: opts.lastZxidSeen ?? 0n,
      timeOut: opts.timeout ?? 30000,
      sessionId: opts.sessionId ?? 0n,
      passwd: opts.passwd ?? Buffer.alloc(16),
      readOnly: 'readOnly' in opts ? opts.readOnly : false,
    };
    if (this.isClosed) return Promise.reject(new KeeperError(ErrorCode.connectionLoss));
    const w = new Writer(64);
    const size = w.reserveInt32();
    writeConnectRequest(w, req);
    size(w.length - 4);
    return new Promise<ConnectResponse>((resolve, reject) => {
      this.handshakeWaiter = { resolve, reject };
      this.socket.write(w.toBuffer());
    }).then((rsp) => {
      this.session = rsp;
      return rsp;
    });
  }

  get outstanding(): number {
    return this.pending.size;
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  private onFrame(frame: Buffer): void {
    this.onActivity?.();
    const r = new Reader(frame);
    try {
      if (this.handshakeWaiter) {
        const h = this.handshakeWaiter;
        this.handshakeWaiter = undefined;
        h.resolve(readConnectResponse(r));
        return;
      }
      const header = ReplyHeader.read(r);
      if (header.xid === Xid.notification) {
        this.onNotification?.(WatcherEvent.read(r));
        return;
      }
      if (header.zxid > this.lastZxid) this.lastZxid = header.zxid;
      const p = this.pending.get(header.xid);
      if (!p) return;
      this.pending.delete(header.xid);
      p.resolve({ header, body: r });
    } catch {
      // A frame that does not decode leaves the stream in an unknown state: the connection is done.
      this.socket.destroy();
    }
  }

  /**
   * Sends a request of `type` with body `record`; resolves with the reply, whatever its error code.
   * Rejects with ConnectionLoss if the connection closes first, and with ThrottledOp when
   * maxOutstanding requests are already waiting. `xid` overrides the next sequential one (the reserved
   * xids of auth and setWatches).
   */
  request<T>(type: number, record?: Pick<JuteType<T>, 'write'>, value?: T, xid?: number): Promise<Reply> {
    return new Promise((resolve, reject) => this.call({ resolve, reject }, type, record, value, xid));
  }

  /**
   * As request(), but the reply reaches `waiter` while its frame is being read, before any later frame:
   * the session client registers watches there, so a notification right behind the reply finds them.
   */
  call<T>(waiter: Waiter, type: number, record?: Pick<JuteType<T>, 'write'>, value?: T, xid?: number): void {
    if (this.isClosed) return waiter.reject(new KeeperError(ErrorCode.connectionLoss));
    if (this.pending.size >= this.maxOutstanding) return waiter.reject(new KeeperError(ErrorCode.throttledOp));
    const id = xid ?? this.nextXid++;
    if (this.nextXid > 0x7fffffff) this.nextXid = 1;
    if (this.pending.has(id)) return waiter.reject(new Error(`xid ${id} is already waiting for a reply`));
    const w = new Writer(128);
    const size = w.reserveInt32();
    w.int32(id).int32(type);
    if (record) record.write(w, value as T);
    size(w.length - 4);
    this.pending.set(id, waiter);
    for (const c of w.chunksOut()) this.socket.write(c);
  }

  /** Sends a request whose reply nobody waits for (pings). */
  send<T>(type: number, xid: number, record?: Pick<JuteType<T>, 'write'>, value?: T): void {
    if (this.isClosed) return;
    const w = new Writer(16);
    const size = w.reserveInt32();
    w.int32(xid).int32(type);
    if (record) record.write(w, value as T);
    size(w.length - 4);
    for (const c of w.chunksOut()) this.socket.write(c);
  }

  /** Writes bytes as they are (malformed input tests). */
  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
