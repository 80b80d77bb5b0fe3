// A ZooKeeper session client, for Skein's own components (the Kafka broker's registration, controller
// election and metadata watches; the CLI) and for tests. It follows ZooKeeper's Java client where
// behaviour is visible:
// - one session across connections: when a connection drops it tries the next server with the same
//   session id, password and last zxid seen, until a server answers or says the session expired;
// - requests in flight when a connection drops fail with ConnectionLoss (the caller decides whether to
//   retry: a create may or may not have happened); requests made while disconnected wait for the next
//   connection and fail with ConnectionLoss if an attempt fails;
// - an expired session stays expired: the client never silently starts a new one (ephemerals and
//   watches are gone, and a broker must know to register again); startNewSession() does it on request;
// - watches are registered when their reply arrives, fired in the order the server sends events, and
//   handed back to the server after a reconnect (SetWatches, relative to the last zxid seen) so that
//   changes made while disconnected still fire.
import type { ConnectTls } from '../../net/client-socket.js';
import { EventEmitter } from 'node:events';
import type { Reader } from '../../../protocol/bytes.js';
import {
  AddWatchMode,
  ErrorCode,
  EventType,
  KeeperError,
  OpCode,
  WatcherType,
  Xid,
} from '../../../protocol/zookeeper/codes.js';
import type { JuteType } from '../../../protocol/zookeeper/jute.js';
import { readMultiResponse, writeMultiRequest, type MultiOp, type MultiResult } from '../../../protocol/zookeeper/multi.js';
import {
  AddWatchRequest,
  AuthPacket,
  CheckVersionRequest,
  Create2Response,
  CreateRequest,
  CreateResponse,
  CreateTTLRequest,
  DeleteRequest,
  GetACLResponse,
  GetAllChildrenNumberResponse,
  GetChildren2Response,
  GetChildrenResponse,
  GetDataResponse,
  GetEphemeralsResponse,
  PathRequest,
  PathWatchRequest,
  ReconfigRequest,
  SetACLRequest,
  SetDataRequest,
  SetWatches,
  SetWatches2,
  StatResponse,
  SyncResponse,
  WatchesRequest,
  WhoAmIResponse,
  type ACL,
  type ClientInfo,
  type Stat,
  type WatcherEvent,
} from '../../../protocol/zookeeper/records.js';
import { Chroot, HostList, parseConnectString } from './connect-string.js';
import {
  DEFAULT_MAX_OUTSTANDING_REQUESTS,
  ZooKeeperConnection,
  type Reply,
} from './connection.js';
import {
  kindsOf,
  removedEventOf,
  WatchRegistry,
  type WatchedEvent,
  type WatchKind,
  type Watcher,
} from './watch-registry.js';

export type { Stat, ACL } from '../../../protocol/zookeeper/records.js';
export type { WatchedEvent, Watcher } from './watch-registry.js';

export type ClientState =
  | 'connecting'
  | 'connected'
  | 'connectedReadOnly'
  | 'disconnected'
  | 'expired'
  | 'authFailed'
  | 'closed';

export interface ZooKeeperClientOptions {
  /** Requested session timeout (ms); the server clamps it to its own bounds. Default 30000. */
  sessionTimeoutMs?: number;
  /** Accept a read-only server's session (ZooKeeper's canBeReadOnly). */
  canBeReadOnly?: boolean;
  /** Pause after every server in the list has failed once (ZooKeeper's spin delay). Default 1000. */
  retryDelayMs?: number;
  /** Requests in flight or waiting for a connection; more are refused with ThrottledOp. */
  maxOutstanding?: number;
  /** Largest reply frame (ZooKeeper's client jute.maxbuffer). */
  maxReplyBytes?: number;
  /** Random source for the server order (tests pass a fixed one). */
  random?: () => number;
  /** TLS to every server (their secureClientPort), as ZooKeeper's client.secure. */
  tls?: ConnectTls;
}

export const DEFAULT_SESSION_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRY_DELAY_MS = 1000;
/** Path bytes per SetWatches request after a reconnect, as ZooKeeper's client batches them. */
export const SET_WATCHES_MAX_BYTES = 128 * 1024;
/** How long close() waits for the server to confirm closeSession before hanging up anyway. */
const CLOSE_WAIT_MS = 2000;

/** The world-readable, world-writable ACL (ZooKeeper's OPEN_ACL_UNSAFE). */
export const OPEN_ACL_UNSAFE: readonly ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

/** ZooKeeper's create modes, by their flag values on the wire. */
export const CreateMode = {
  persistent: 0,
  ephemeral: 1,
  persistentSequential: 2,
  ephemeralSequential: 3,
  container: 4,
  persistentWithTtl: 5,
  persistentSequentialWithTtl: 6,
} as const;
export type CreateMode = keyof typeof CreateMode;

export interface CreateOptions {
  mode?: CreateMode;
  acl?: readonly ACL[];
  /** Required for the TTL modes (ms). */
  ttl?: number;
}

/** An operation of a multi. */
export type Op =
  | ({ op: 'create'; path: string; data?: Buffer | null } & CreateOptions)
  | { op: 'delete'; path: string; version?: number }
  | { op: 'setData'; path: string; data: Buffer | null; version?: number }
  | { op: 'check'; path: string; version: number };

/** An operation of a multiRead. */
export type ReadOp = { op: 'getData' | 'getChildren'; path: string };

export type OpResult =
  | { op: 'create'; path: string; stat?: Stat }
  | { op: 'delete' | 'check' }
  | { op: 'setData'; stat: Stat }
  | { op: 'getData'; data: Buffer | null; stat: Stat }
  | { op: 'getChildren'; children: readonly string[] }
  | { op: 'error'; err: ErrorCode };

/** A multi that failed as a whole: `code` is the first failing op's, `results` has every op's error. */
export class MultiError extends KeeperError {
  constructor(
    code: ErrorCode,
    readonly results: readonly OpResult[],
  ) {
    super(code);
  }
}

/** A request waiting for a connection, or sent and waiting for its reply. */
interface Call {
  type: number;
  record: Pick<JuteType<unknown>, 'write'> | undefined;
  value: unknown;
  xid: number | undefined;
  /** Turns the reply into the result; runs as the reply frame is read (watches register here). */
  onReply(reply: Reply): void;
  fail(err: Error): void;
}

interface ClientEvents {
  state: [ClientState];
  callbackError: [Error];
}

export class ZooKeeperClient extends EventEmitter<ClientEvents> {
  private readonly hosts: HostList;
  private readonly chroot: Chroot;
  private readonly watches = new WatchRegistry();
  private readonly timeoutMs: number;
  private readonly retryDelayMs: number;
  private readonly maxOutstanding: number;
  private readonly auth: { scheme: string; auth: Buffer }[] = [];
  private stateNow: ClientState = 'connecting';
  private conn: ZooKeeperConnection | undefined;
  /** Calls waiting for a connection. */
  private queued: Call[] = [];
  private sessionIdNow = 0n;
  private passwd: Buffer = Buffer.alloc(16);
  private negotiatedMs = 0;
  private lastZxidSeen = 0n;
  private lastHeardAt = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  private retryTimer: { timer: NodeJS.Timeout; wake(): void } | undefined;
  /** Bumped by each startNewSession(): a connection loop of an older session stops. */
  private generation = 0;
  private authChain: Promise<unknown> = Promise.resolve();

  constructor(
    connectString: string,
    private readonly opts: ZooKeeperClientOptions = {},
  ) {
    super();
    const parsed = parseConnectString(connectString);
    this.hosts = new HostList(parsed.servers, opts.random);
    this.chroot = new Chroot(parsed.chroot);
    this.timeoutMs = opts.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    this.retryDelayMs = opts.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    this.maxOutstanding = opts.maxOutstanding ?? DEFAULT_MAX_OUTSTANDING_REQUESTS;
  }

  /**
   * A client with an established session. Rejects (and closes the client) if no server gives it one
   * within the session timeout.
   */
  static async connect(connectString: string, opts: ZooKeeperClientOptions = {}): Promise<ZooKeeperClient> {
    const client = new ZooKeeperClient(connectString, opts);
    try {
      await client.startNewSession();
    } catch (e) {
      await client.close();
      throw e;
    }
    return client;
  }

  get state(): ClientState {
    return this.stateNow;
  }

  /** The session's id (0 before the first connection); a bigint if minted beyond 2^53. */
  get sessionId(): bigint {
    return this.sessionIdNow;
  }

  get sessionPassword(): Buffer {
    return this.passwd;
  }

  /** The session timeout the server granted (0 before the first connection). */
  get sessionTimeoutMs(): number {
    return this.negotiatedMs;
  }

  get lastZxid(): bigint {
    return this.lastZxidSeen;
  }

  /**
   * Starts a session: the first one, or a new one after the last expired or failed authentication.
   * Resolves once connected; rejects with ConnectionLoss if that takes longer than the session timeout
   * (the client keeps trying).
   */
  startNewSession(): Promise<void> {
    if (this.stateNow === 'closed') return Promise.reject(new KeeperError(ErrorCode.sessionExpired));
    if (this.generation > 0 && this.stateNow !== 'expired' && this.stateNow !== 'authFailed') {
      return this.whenConnected(this.timeoutMs);
    }
    this.sessionIdNow = 0n;
    this.passwd = Buffer.alloc(16);
    this.negotiatedMs = 0;
    const generation = ++this.generation;
    const connected = this.whenConnected(this.timeoutMs);
    this.setState('connecting');
    void this.run(generation).catch((e: unknown) => this.emit('callbackError', e as Error));
    return connected;
  }

  private whenConnected(timeoutMs: number): Promise<void> {
    if (this.isConnected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (err?: Error): void => {
        clearTimeout(timer);
        this.off('state', onState);
        if (err) reject(err);
        else resolve();
      };
      const onState = (s: ClientState): void => {
        if (s === 'connected' || s === 'connectedReadOnly') done();
        else if (s === 'expired') done(new KeeperError(ErrorCode.sessionExpired));
        else if (s === 'authFailed') done(new KeeperError(ErrorCode.authFailed));
        else if (s === 'closed') done(new KeeperError(ErrorCode.connectionLoss));
      };
      const timer = setTimeout(() => done(new KeeperError(ErrorCode.connectionLoss)), timeoutMs);
      this.on('state', onState);
    });
  }

  private get isConnected(): boolean {
    return this.stateNow === 'connected' || this.stateNow === 'connectedReadOnly';
  }

  private get sessionOver(): boolean {
    return this.stateNow === 'closed' || this.stateNow === 'expired' || this.stateNow === 'authFailed';
  }

  /** Whether the session a connection loop was started for is still the one to serve. */
  private live(generation: number): boolean {
    return generation === this.generation && !this.sessionOver;
  }

  /**
   * Tells the state listeners; one that throws is reported as 'callbackError' and cannot stop the
   * connection loop that called it.
   */
  private setState(s: ClientState): void {
    if (this.stateNow === s) return;
    this.stateNow = s;
    for (const listener of this.listeners('state')) {
      try {
        listener(s);
      } catch (e) {
        this.emit('callbackError', e as Error);
      }
    }
  }

  // --- connecting

  /** Connects, serves the connection until it drops, and tries the next server, while the session lives. */
  private async run(generation: number): Promise<void> {
    while (this.live(generation)) {
      const server = this.hosts.next();
      const ok = await this.attempt(server.host, server.port, generation);
      if (!this.live(generation)) break;
      if (!ok) this.failQueued(new KeeperError(ErrorCode.connectionLoss));
      if (!ok && this.hosts.roundDone) await this.pause(this.retryDelayMs);
    }
  }

  /** One connection's life; false if it never got a session. */
  private async attempt(host: string, port: number, generation: number): Promise<boolean> {
    const timeout = this.negotiatedMs || this.timeoutMs;
    // As ZooKeeper's client: each server gets its share of the session timeout to answer.
    const connectTimeoutMs = Math.max(1, Math.floor(timeout / this.hosts.size));
    let conn: ZooKeeperConnection;
    try {
      conn = await ZooKeeperConnection.open(port, host, {
        connectTimeoutMs,
        maxOutstanding: this.maxOutstanding,
        maxReplyBytes: this.opts.maxReplyBytes,
        tls: this.opts.tls,
      });
    } catch {
      return false;
    }
    if (!this.live(generation)) {
      conn.destroy();
      return false;
    }
    this.conn = conn;
    conn.onNotification = (e) => this.onNotification(e);
    conn.onActivity = () => (this.lastHeardAt = performance.now());
    const handshakeTimer = setTimeout(() => conn.destroy(), connectTimeoutMs);
    let rsp;
    try {
      rsp = await conn.start({
        timeout: this.timeoutMs,
        sessionId: this.sessionIdNow,
        passwd: this.passwd,
        lastZxidSeen: this.lastZxidSeen,
        readOnly: this.opts.canBeReadOnly ?? false,
      });
    } catch {
      this.conn = undefined;
      return false;
    } finally {
      clearTimeout(handshakeTimer);
    }
    if (!this.live(generation)) {
      conn.destroy();
      this.conn = undefined;
      return true;
    }
    if (rsp.timeOut <= 0) {
      // The server no longer knows the session: it expired while we were away.
      conn.destroy();
      this.conn = undefined;
      this.expire();
      return true;
    }
    this.sessionIdNow = rsp.sessionId;
    this.passwd = rsp.passwd;
    this.negotiatedMs = rsp.timeOut;
    this.lastHeardAt = performance.now();
    this.resendSessionState(conn);
    this.schedulePing(conn);
    const queued = this.queued;
    this.queued = [];
    for (const c of queued) this.send(conn, c);
    this.setState(rsp.readOnly ? 'connectedReadOnly' : 'connected');
    await conn.closed;
    this.stopPing();
    if (this.conn === conn) this.conn = undefined;
    if (this.live(generation)) this.setState('disconnected');
    return true;
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.retryTimer = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.retryTimer = { timer, wake };
    });
  }

  /** Auth and watches go back to the server before any queued request, so those see them. */
  private resendSessionState(conn: ZooKeeperConnection): void {
    for (const a of this.auth) conn.send(OpCode.auth, Xid.auth, AuthPacket, { type: 0, scheme: a.scheme, auth: a.auth });
    if (this.watches.isEmpty) return;
    const lists = {
      data: this.serverPaths('data'),
      exist: this.serverPaths('exist'),
      child: this.serverPaths('child'),
      persistent: this.serverPaths('persistent'),
      persistentRecursive: this.serverPaths('persistentRecursive'),
    };
    const v2 = lists.persistent.length > 0 || lists.persistentRecursive.length > 0;
    const order: (keyof typeof lists)[] = ['data', 'exist', 'child', 'persistent', 'persistentRecursive'];
    let batch = emptyBatch();
    let bytes = 0;
    const flush = (): void => {
      const relativeZxid = this.lastZxidSeen;
      if (v2) {
        conn.send(OpCode.setWatches2, Xid.setWatches, SetWatches2, {
          relativeZxid,
          dataWatches: batch.data,
          existWatches: batch.exist,
          childWatches: batch.child,
          persistentWatches: batch.persistent,
          persistentRecursiveWatches: batch.persistentRecursive,
        });
      } else {
        conn.send(OpCode.setWatches, Xid.setWatches, SetWatches, {
          relativeZxid,
          dataWatches: batch.data,
          existWatches: batch.exist,
          childWatches: batch.child,
        });
      }
      batch = emptyBatch();
      bytes = 0;
    };
    for (const kind of order) {
      for (const path of lists[kind]) {
        const n = Buffer.byteLength(path) + 4;
        if (bytes > 0 && bytes + n > SET_WATCHES_MAX_BYTES) flush();
        batch[kind].push(path);
        bytes += n;
      }
    }
    if (bytes > 0) flush();
  }

  private serverPaths(kind: WatchKind): string[] {
    return this.watches.paths(kind).map((p) => this.chroot.toServer(p));
  }

  /**
   * Pings at a third of the session timeout keep the session alive; hearing nothing for two thirds of
   * it means the connection is dead though TCP has not noticed (ZooKeeper's read timeout).
   */
  private schedulePing(conn: ZooKeeperConnection): void {
    const interval = Math.max(1, Math.floor(this.negotiatedMs / 3));
    const readTimeout = (this.negotiatedMs * 2) / 3;
    this.pingTimer = setTimeout(() => {
      if (!conn.isOpen) return;
      if (performance.now() - this.lastHeardAt > readTimeout) {
        conn.destroy();
        return;
      }
      conn.send(OpCode.ping, Xid.ping);
      this.schedulePing(conn);
    }, interval);
  }

  private stopPing(): void {
    clearTimeout(this.pingTimer);
    this.pingTimer = undefined;
  }

  private expire(): void {
    this.watches.clear();
    this.failQueued(new KeeperError(ErrorCode.sessionExpired));
    this.setState('expired');
  }

  private failQueued(err: Error): void {
    const queued = this.queued;
    this.queued = [];
    for (const c of queued) c.fail(err);
  }

  // --- requests

  private send(conn: ZooKeeperConnection, c: Call): void {
    conn.call(
      {
        resolve: (reply) => {
          if (reply.header.zxid > this.lastZxidSeen) this.lastZxidSeen = reply.header.zxid;
          c.onReply(reply);
        },
        reject: (e) => c.fail(e),
      },
      c.type,
      c.record,
      c.value,
      c.xid,
    );
  }

  /** Sends now if connected, queues if (re)connecting, refuses if the session is over. */
  private submit(c: Call): void {
    if (this.stateNow === 'authFailed') return c.fail(new KeeperError(ErrorCode.authFailed));
    if (this.sessionOver) return c.fail(new KeeperError(ErrorCode.sessionExpired));
    if (this.conn && this.isConnected) return this.send(this.conn, c);
    if (this.queued.length >= this.maxOutstanding) return c.fail(new KeeperError(ErrorCode.throttledOp));
    this.queued.push(c);
  }

  /**
   * One request: `decode` turns a successful reply's body into the result; `onDone` sees the error code
   * (0 for success) as the reply is read, before any later frame, to register watches.
   */
  private request<T, R>(
    type: number,
    record: Pick<JuteType<T>, 'write'> | undefined,
    value: T | undefined,
    decode: (body: Reader) => R,
    path?: string,
    onDone?: (err: number) => void,
    xid?: number,
  ): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.submit({
        type,
        record: record as Pick<JuteType<unknown>, 'write'> | undefined,
        value,
        xid,
        onReply: (reply) => {
          const err = reply.header.err;
          onDone?.(err);
          if (err !== ErrorCode.ok) return reject(new KeeperError(err as ErrorCode, path));
          try {
            resolve(decode(reply.body));
          } catch (e) {
            reject(e as Error);
          }
        },
        fail: reject,
      });
    });
  }

  private toServer(path: string): string {
    return this.chroot.toServer(path);
  }

  // --- the operations

  /** Creates a node; resolves with its path (with the sequence number, for sequential modes). */
  async create(path: string, data: Buffer | null = null, opts: CreateOptions = {}): Promise<string> {
    return (await this.createNode(path, data, opts, false)).path;
  }

  /** Creates a node and returns its Stat too (create2, or createContainer/createTTL for those modes). */
  async createWithStat(path: string, data: Buffer | null = null, opts: CreateOptions = {}): Promise<{ path: string; stat: Stat }> {
    return (await this.createNode(path, data, opts, true)) as { path: string; stat: Stat };
  }

  private createNode(
    path: string,
    data: Buffer | null,
    opts: CreateOptions,
    withStat: boolean,
  ): Promise<{ path: string; stat?: Stat }> {
    const op = createOp(this.toServer(path), data, opts, withStat);
    const strip = (p: string): string => this.chroot.toClient(p);
    if (op.type === OpCode.createTTL) {
      return this.request(op.type, CreateTTLRequest, op.req, (r) => stripped(Create2Response.read(r), strip), path);
    }
    if (op.type === OpCode.create) {
      return this.request(op.type, CreateRequest, op.req, (r) => ({ path: strip(CreateResponse.read(r).path) }), path);
    }
    return this.request(op.type, CreateRequest, op.req, (r) => stripped(Create2Response.read(r), strip), path);
  }

  delete(path: string, version = -1): Promise<void> {
    return this.request(OpCode.delete, DeleteRequest, { path: this.toServer(path), version }, () => undefined, path);
  }

  /** The node's Stat, or null if it does not exist. A watcher fires on its creation, change or deletion. */
  exists(path: string, watcher?: Watcher): Promise<Stat | null> {
    const onDone = (err: number): void => {
      if (!watcher) return;
      if (err === ErrorCode.ok) this.watches.add('data', path, watcher);
      else if (err === ErrorCode.noNode) this.watches.add('exist', path, watcher);
    };
    return this.request(
      OpCode.exists,
      PathWatchRequest,
      { path: this.toServer(path), watch: watcher !== undefined },
      (r) => StatResponse.read(r).stat,
      path,
      onDone,
    ).catch((e: unknown) => {
      if (e instanceof KeeperError && e.code === ErrorCode.noNode) return null;
      throw e;
    });
  }

  getData(path: string, watcher?: Watcher): Promise<{ data: Buffer | null; stat: Stat }> {
    return this.request(
      OpCode.getData,
      PathWatchRequest,
      { path: this.toServer(path), watch: watcher !== undefined },
      (r) => GetDataResponse.read(r),
      path,
      this.registerOnOk('data', path, watcher),
    );
  }

  setData(path: string, data: Buffer | null, version = -1): Promise<Stat> {
    return this.request(
      OpCode.setData,
      SetDataRequest,
      { path: this.toServer(path), data, version },
      (r) => StatResponse.read(r).stat,
      path,
    );
  }

  getChildren(path: string, watcher?: Watcher): Promise<string[]> {
    return this.request(
      OpCode.getChildren,
      PathWatchRequest,
      { path: this.toServer(path), watch: watcher !== undefined },
      (r) => [...GetChildrenResponse.read(r).children],
      path,
      this.registerOnOk('child', path, watcher),
    );
  }

  /** getChildren with the parent's Stat. */
  getChildren2(path: string, watcher?: Watcher): Promise<{ children: string[]; stat: Stat }> {
    return this.request(
      OpCode.getChildren2,
      PathWatchRequest,
      { path: this.toServer(path), watch: watcher !== undefined },
      (r) => {
        const res = GetChildren2Response.read(r);
        return { children: [...res.children], stat: res.stat };
      },
      path,
      this.registerOnOk('child', path, watcher),
    );
  }

  private registerOnOk(kind: WatchKind, path: string, watcher: Watcher | undefined): ((err: number) => void) | undefined {
    if (!watcher) return undefined;
    return (err) => {
      if (err === ErrorCode.ok) this.watches.add(kind, path, watcher);
    };
  }

  /** How many nodes lie below `path`, at any depth. */
  getAllChildrenNumber(path: string): Promise<number> {
    return this.request(
      OpCode.getAllChildrenNumber,
      PathRequest,
      { path: this.toServer(path) },
      (r) => GetAllChildrenNumberResponse.read(r).totalNumber,
      path,
    );
  }

  /** This session's ephemeral nodes whose paths start with `prefix` (all of them for '/'). */
  getEphemerals(prefix = '/'): Promise<string[]> {
    return this.request(
      OpCode.getEphemerals,
      PathRequest,
      { path: this.toServer(prefix) },
      (r) =>
        GetEphemeralsResponse.read(r)
          .ephemerals.filter((p) => this.chroot.contains(p))
          .map((p) => this.chroot.toClient(p)),
      prefix,
    );
  }

  getACL(path: string): Promise<{ acl: ACL[]; stat: Stat }> {
    return this.request(
      OpCode.getACL,
      PathRequest,
      { path: this.toServer(path) },
      (r) => {
        const res = GetACLResponse.read(r);
        return { acl: [...res.acl], stat: res.stat };
      },
      path,
    );
  }

  setACL(path: string, acl: readonly ACL[], version = -1): Promise<Stat> {
    return this.request(
      OpCode.setACL,
      SetACLRequest,
      { path: this.toServer(path), acl, version },
      (r) => StatResponse.read(r).stat,
      path,
    );
  }

  /** Waits until the server this session is on has caught up with the leader; resolves with the path. */
  sync(path: string): Promise<string> {
    return this.request(
      OpCode.sync,
      PathRequest,
      { path: this.toServer(path) },
      (r) => this.chroot.toClient(SyncResponse.read(r).path),
      path,
    );
  }

  /** A version check outside a multi; rejects with BadVersion or NoNode. Resolves with the Stat. */
  check(path: string, version: number): Promise<Stat | undefined> {
    return this.request(
      OpCode.check,
      CheckVersionRequest,
      { path: this.toServer(path), version },
      (r) => (r.remaining > 0 ? StatResponse.read(r).stat : undefined),
      path,
    );
  }

  /**
   * Runs ops atomically. Resolves with each op's result; rejects with MultiError (the first failing op's
   * code, and every op's result) if any failed, in which case none took effect.
   */
  async multi(ops: readonly Op[]): Promise<OpResult[]> {
    const wire = ops.map((op) => this.multiOp(op));
    const results = await this.request(
      OpCode.multi,
      { write: (w, v: readonly MultiOp[]) => writeMultiRequest(w, v) },
      wire,
      (r) => readMultiResponse(r).map((res) => this.opResult(res)),
    );
    const failed = results.find((r): r is { op: 'error'; err: ErrorCode } => r.op === 'error' && r.err !== ErrorCode.ok);
    if (failed) throw new MultiError(failed.err, results);
    return results;
  }

  /** Reads several nodes in one round trip; a failed op's result is its error, the others still read. */
  multiRead(ops: readonly ReadOp[]): Promise<OpResult[]> {
    const wire: MultiOp[] = ops.map((op) => ({
      type: op.op === 'getData' ? OpCode.getData : OpCode.getChildren,
      req: { path: this.toServer(op.path), watch: false },
    }));
    return this.request(
      OpCode.multiRead,
      { write: (w, v: readonly MultiOp[]) => writeMultiRequest(w, v) },
      wire,
      (r) => readMultiResponse(r).map((res) => this.opResult(res)),
    );
  }

  private multiOp(op: Op): MultiOp {
    const path = this.toServer(op.path);
    switch (op.op) {
      case 'create':
        return createOp(path, op.data ?? null, op, false);
      case 'delete':
        return { type: OpCode.delete, req: { path, version: op.version ?? -1 } };
      case 'setData':
        return { type: OpCode.setData, req: { path, data: op.data, version: op.version ?? -1 } };
      case 'check':
        return { type: OpCode.check, req: { path, version: op.version } };
    }
  }

  private opResult(res: MultiResult): OpResult {
    switch (res.type) {
      case OpCode.create:
        return { op: 'create', path: this.chroot.toClient(res.path) };
      case OpCode.create2:
        return { op: 'create', path: this.chroot.toClient(res.path), stat: res.stat };
      case OpCode.delete:
        return { op: 'delete' };
      case OpCode.check:
        return { op: 'check' };
      case OpCode.setData:
        return { op: 'setData', stat: res.stat };
      case OpCode.getData:
        return { op: 'getData', data: res.data, stat: res.stat };
      case OpCode.getChildren:
        return { op: 'getChildren', children: res.children };
      case OpCode.error:
        return { op: 'error', err: res.err as ErrorCode };
    }
  }

  /**
   * A watch that stays until removed: on `path` (its data changes, creation, deletion and child list)
   * or, recursive, on every node at or below it (all but child-list changes).
   */
  addWatch(path: string, watcher: Watcher, mode: 'persistent' | 'persistentRecursive' = 'persistent'): Promise<void> {
    return this.request(
      OpCode.addWatch,
      AddWatchRequest,
      { path: this.toServer(path), mode: AddWatchMode[mode] },
      () => undefined,
      path,
      (err) => {
        if (err === ErrorCode.ok) this.watches.add(mode, path, watcher);
      },
    );
  }

  /** Whether the server holds watches of `type` (a WatcherType) on `path`; NoWatcher if not. */
  checkWatches(path: string, type: number = WatcherType.any): Promise<void> {
    return this.request(OpCode.checkWatches, WatchesRequest, { path: this.toServer(path), type }, () => undefined, path);
  }

  /**
   * Removes this client's watches of `type` on `path` (only `watcher` when given) and tells each removed
   * watcher (DataWatchRemoved, ChildWatchRemoved, PersistentWatchRemoved). The server is asked to drop
   * its watch once no watcher of that kind is left here; `local` skips the server (as when offline).
   * Rejects with NoWatcher if there was nothing to remove.
   */
  async removeWatches(path: string, type: number = WatcherType.any, watcher?: Watcher, local = false): Promise<void> {
    const kinds = kindsOf(type);
    const removed = this.watches.remove(path, kinds, watcher);
    if (removed.size === 0) throw new KeeperError(ErrorCode.noWatcher, path);
    const serverTypes = new Set<number>();
    for (const kind of removed.keys()) {
      if (!this.watches.has(kind, path)) serverTypes.add(serverWatcherType(kind));
    }
    // data and exist watches are one kind on the server: keep its watch while either is left here.
    if (this.watches.has('data', path) || this.watches.has('exist', path)) serverTypes.delete(WatcherType.data);
    // With nothing left on the path, one Any removal does it; it is also the only way to remove a
    // persistent watch from ZooKeeper before 3.9, whose servers refuse the persistent watcher types.
    const types = this.watches.hasAny(path) ? [...serverTypes] : [WatcherType.any];
    if (!local) {
      for (const t of types) {
        await this.request(OpCode.removeWatches, WatchesRequest, { path: this.toServer(path), type: t }, () => undefined, path);
      }
    }
    for (const [kind, set] of removed) {
      const event = { type: removedEventOf(kind), path };
      for (const w of set) this.deliver(w, event);
    }
  }

  /** Adds credentials to the session (e.g. 'digest', 'user:password'); kept and re-sent on reconnects. */
  addAuth(scheme: string, auth: Buffer | string): Promise<void> {
    const bytes = typeof auth === 'string' ? Buffer.from(auth) : auth;
    const run = (): Promise<void> =>
      this.request(
        OpCode.auth,
        AuthPacket,
        { type: 0, scheme, auth: bytes },
        () => undefined,
        undefined,
        (err) => {
          if (err === ErrorCode.ok) this.auth.push({ scheme, auth: bytes });
          else if (err === ErrorCode.authFailed) this.authFailed();
        },
        Xid.auth,
      );
    // Auth replies share one xid, so only one may be in flight.
    const p = this.authChain.then(run, run);
    this.authChain = p.catch(() => undefined);
    return p;
  }

  private authFailed(): void {
    this.failQueued(new KeeperError(ErrorCode.authFailed));
    this.setState('authFailed');
    this.stopPing();
    this.conn?.destroy();
  }

  /**
   * Changes the ensemble (ZooKeeper 3.5's reconfig): incrementally, `joining` is comma-separated
   * `server.N=...` lines, `leaving` comma-separated ids; or `newMembers`, the whole new list of server
   * lines; `fromConfig` the version expected (-1: any). Resolves with the new configuration text and
   * /zookeeper/config's Stat.
   */
  reconfig(joining: string, leaving: string, fromConfig = -1n, newMembers = ''): Promise<{ data: Buffer | null; stat: Stat }> {
    return this.request(OpCode.reconfig, ReconfigRequest, { joiningServers: joining, leavingServers: leaving, newMembers, curConfigId: fromConfig }, (r) =>
      GetDataResponse.read(r),
    );
  }

  /** The identities this session is authenticated as. */
  whoAmI(): Promise<ClientInfo[]> {
    return this.request(OpCode.whoAmI, undefined, undefined, (r) => [...WhoAmIResponse.read(r).clientInfo]);
  }

  /** Ends the session (its ephemerals go) and the client. Requests still waiting fail. */
  async close(): Promise<void> {
    if (this.stateNow === 'closed') return;
    const conn = this.conn;
    const wasConnected = this.isConnected;
    this.setState('closed');
    this.stopPing();
    this.retryTimer?.wake();
    this.failQueued(new KeeperError(ErrorCode.sessionExpired));
    if (conn && wasConnected) {
      const bye = conn.request(OpCode.closeSession).catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([bye, new Promise((r) => (timer = setTimeout(r, CLOSE_WAIT_MS)))]);
      clearTimeout(timer);
    }
    conn?.destroy();
    if (conn) await conn.closed;
    this.watches.clear();
    this.removeAllListeners();
  }

  // --- events

  private onNotification(e: WatcherEvent): void {
    const path = this.chroot.toClient(e.path);
    const fired = this.watches.fire(e.type as EventType, path);
    const event = { type: e.type as EventType, path };
    // Delivered after the replies already read (their promises settle first), before later ones.
    for (const w of fired) this.deliver(w, event);
  }

  /**
   * Calls a watcher after the replies already read have settled (their promises resolved first) and
   * before later ones. A watcher that throws is reported as 'callbackError', not left to crash the process.
   */
  private deliver(w: Watcher, event: WatchedEvent): void {
    queueMicrotask(() => {
      try {
        w(event);
      } catch (e) {
        this.emit('callbackError', e as Error);
      }
    });
  }
}

function emptyBatch(): Record<'data' | 'exist' | 'child' | 'persistent' | 'persistentRecursive', string[]> {
  return { data: [], exist: [], child: [], persistent: [], persistentRecursive: [] };
}

function serverWatcherType(kind: WatchKind): number {
  switch (kind) {
    case 'child':
      return WatcherType.children;
    case 'data':
    case 'exist':
      return WatcherType.data;
    case 'persistent':
      return WatcherType.persistent;
    case 'persistentRecursive':
      return WatcherType.persistentRecursive;
  }
}

function stripped(res: { path: string; stat: Stat }, strip: (p: string) => string): { path: string; stat: Stat } {
  return { path: strip(res.path), stat: res.stat };
}

/** The wire op for a create in `opts.mode`: the opcode its mode needs (TTL and container have their own). */
function createOp(path: string, data: Buffer | null, opts: CreateOptions, withStat: boolean): MultiOp {
  const mode = opts.mode ?? 'persistent';
  const flags = CreateMode[mode];
  const acl = opts.acl ?? OPEN_ACL_UNSAFE;
  if (mode === 'persistentWithTtl' || mode === 'persistentSequentialWithTtl') {
    if (opts.ttl === undefined) throw new KeeperError(ErrorCode.badArguments, path);
    return { type: OpCode.createTTL, req: { path, data, acl, flags, ttl: opts.ttl } };
  }
  if (mode === 'container') return { type: OpCode.createContainer, req: { path, data, acl, flags } };
  return { type: withStat ? OpCode.create2 : OpCode.create, req: { path, data, acl, flags } };
}
