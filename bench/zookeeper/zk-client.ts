// A minimal ZooKeeper client on Skein's own jute codec: many requests in flight per session, replies
// matched by xid, notifications collected. The load generator drives servers with it, and tests use it
// where they need protocol-level control (extended ops, raw frames, sessions without reconnects).
import { connect, type Socket } from 'node:net';
import { Reader, Writer } from '../../protocol/bytes.js';
import { Xid } from '../../protocol/zookeeper/codes.js';
import {
  readConnectResponse,
  writeConnectRequest,
  type ConnectRequest,
  type ConnectResponse,
} from '../../protocol/zookeeper/connect.js';
import type { JuteType } from '../../protocol/zookeeper/jute.js';
import { ReplyHeader, WatcherEvent, type ReplyHeader as Header } from '../../protocol/zookeeper/records.js';
import { FrameReader, onreadFor } from '../../src/net/frame-reader.js';

export interface Reply {
  header: Header;
  /** The reply body after the header. */
  body: Reader;
}

export interface ConnectOptions {
  timeout?: number;
  sessionId?: bigint;
  passwd?: Buffer;
  lastZxidSeen?: bigint;
  /** Send the trailing readOnly byte (3.4+ clients do; node-zookeeper-client does not). */
  readOnlyByte?: boolean;
}

export class ConnectionClosed extends Error {
  override readonly name = 'ConnectionClosed';
}

/** Largest reply frame accepted. */
const MAX_REPLY_BYTES = 64 * 1024 * 1024;

export class ZkClient {
  readonly events: WatcherEvent[] = [];
  onEvent: ((e: WatcherEvent) => void) | undefined;
  /** Resolves when the server closes the connection. */
  readonly closed: Promise<void>;
  private readonly pending = new Map<number, { resolve(r: Reply): void; reject(e: Error): void }>();
  private nextXid = 1;
  private handshake: { resolve(r: ConnectResponse): void; reject(e: Error): void } | undefined;
  session: ConnectResponse | undefined;
  lastZxid = 0n;
  private isClosed = false;

  private constructor(
    readonly socket: Socket,
    frames: FrameReader,
  ) {
    socket.setNoDelay(true);
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.isClosed = true;
        const err = new ConnectionClosed('connection closed');
        this.handshake?.reject(err);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        resolve();
      });
    });
    socket.on('error', () => {});
    frames.sink = { frame: (f) => this.onFrame(f), invalid: () => socket.destroy() };
  }

  /** Opens a TCP connection without a handshake (for raw-frame tests). */
  static open(port: number, host = '127.0.0.1'): Promise<ZkClient> {
    return new Promise((resolve, reject) => {
      const frames = new FrameReader(MAX_REPLY_BYTES);
      const socket = connect({ port, host, onread: onreadFor(frames) }, () => {
        socket.off('error', reject);
        resolve(new ZkClient(socket, frames));
      });
      socket.once('error', reject);
    });
  }

  /** Connects and establishes (or resumes) a session. */
  static async connect(port: number, opts: ConnectOptions = {}, host = '127.0.0.1'): Promise<ZkClient> {
    const client = await ZkClient.open(port, host);
    await client.start(opts);
    return client;
  }

  start(opts: ConnectOptions = {}): Promise<ConnectResponse> {
    const req: ConnectRequest = {
      protocolVersion: 0,
      lastZxidSeen: opts.lastZxidSeen ?? 0n,
      timeOut: opts.timeout ?? 30000,
      sessionId: opts.sessionId ?? 0n,
      passwd: opts.passwd ?? Buffer.alloc(16),
      readOnly: opts.readOnlyByte === false ? undefined : false,
    };
    const w = new Writer(64);
    const size = w.reserveInt32();
    writeConnectRequest(w, req);
    size(w.length - 4);
    return new Promise((resolve, reject) => {
      this.handshake = { resolve, reject };
      this.socket.write(w.toBuffer());
    }).then((rsp) => {
      this.session = rsp as ConnectResponse;
      return this.session;
    });
  }

  private onFrame(frame: Buffer): void {
    const r = new Reader(frame);
    if (this.handshake) {
      const h = this.handshake;
      this.handshake = undefined;
      h.resolve(readConnectResponse(r));
      return;
    }
    const header = ReplyHeader.read(r);
    if (header.xid === Xid.notification) {
      const e = WatcherEvent.read(r);
      this.events.push(e);
      this.onEvent?.(e);
      return;
    }
    if (header.zxid > 0n) this.lastZxid = header.zxid;
    const p = this.pending.get(header.xid);
    if (!p) return;
    this.pending.delete(header.xid);
    p.resolve({ header, body: r });
  }

  /** Sends a request of `type` with body `record`; resolves with the reply. */
  request<T>(type: number, record?: Pick<JuteType<T>, 'write'>, value?: T, xid?: number): Promise<Reply> {
    const id = xid ?? this.nextXid++;
    const w = new Writer(128);
    const size = w.reserveInt32();
    w.int32(id).int32(type);
    if (record) record.write(w, value as T);
    size(w.length - 4);
    return new Promise((resolve, reject) => {
      if (this.isClosed) return reject(new ConnectionClosed('connection closed'));
      this.pending.set(id, { resolve, reject });
      for (const c of w.chunksOut()) this.socket.write(c);
    });
  }

  /** Writes bytes as they are (malformed input tests). */
  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
