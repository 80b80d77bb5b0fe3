// The standalone ZooKeeper server: the socket shell around the request core (request-core.ts).
//   Prep (validate + ACL check -> transaction)  ->  Sync (log + group-commit fsync)  ->  Final (apply,
//   fire watches, answer)
// with reads answered from the applied tree as soon as the session's own earlier requests are. The
// shell owns connections, session passwords, the clock and timers, and the log the core's sink is.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { distinguishedName } from '../security/principal-mapping.js';
import { DecodeError, Reader, Writer } from '../../protocol/bytes.js';
import { ErrorCode, OpCode } from '../../protocol/zookeeper/codes.js';
import { readConnectRequest, writeConnectResponse, type ConnectRequest } from '../../protocol/zookeeper/connect.js';
import type { FourLetterWord } from '../../protocol/zookeeper/four-letter.js';
import { writeMultiResponse, type MultiResult } from '../../protocol/zookeeper/multi.js';
import {
  AuthPacket,
  Create2Response,
  CreateResponse,
  GetDataResponse,
  RequestHeader,
  StatResponse,
} from '../../protocol/zookeeper/records.js';
import type { Logger } from '../logger.js';
import type { FrameReader } from '../net/frame-reader.js';
import { TcpServer, type AcceptedConnection, type TlsHandshake } from '../net/tcp-server.js';
import { tlsHandshakeOf } from '../security/tls-material.js';
import { CONFIG_PATH, type ApplyResult, type DataTree } from '../znode/data-tree.js';
import { authenticate, x509Ids } from './acl.js';
import { addIds, Authenticator } from './authentication.js';
import type { ZooKeeperConfig } from './config.js';
import { ClientConnection, type ConnectionHost } from './connection.js';
import { fourLetterWordText, type EnsembleRole } from './four-letter-words.js';
import { ZkDatabase } from './persistence/database.js';
import { WRITE_TYPES } from './prep.js';
import { executeRead } from './reads.js';
import { body, replyFrame, type Body } from './replies.js';
import { RequestCore, SessionIdMinter, STANDALONE_SERVER_ID, type Now, type RequestBackend, type WriteAnswer } from './request-core.js';
import type { SessionTracker } from './session-tracker.js';
import { ServerStats } from './stats.js';
import { WatchManager } from './watch-manager.js';

/** Log segments roll over at this size. */
const LOG_SEGMENT_BYTES = 64 * 1024 * 1024;
const PASSWORD_BYTES = 16;
/** Transaction records larger than a whole frame cannot have been written by this server. */
const RECORD_SLACK_BYTES = 1024;

/**
 * The exit status when the transaction log cannot be written (EX_IOERR of sysexits.h). Apache ZooKeeper
 * also stops when its log cannot be written; a supervisor restarts the process and recovery replays the
 * log, which holds every acknowledged transaction.
 */
export const STORAGE_FAILURE_EXIT_CODE = 74;

export interface ZooKeeperOptions {
  /**
   * What happens once the transaction log can no longer be written, after the one log line and closing
   * every connection. By default the process exits with STORAGE_FAILURE_EXIT_CODE; tests that run the
   * server in-process pass their own.
   */
  onStorageFailure?: (err: Error) => void;
}

export interface RunningZooKeeper {
  /** The bound client port (useful when configured as 0); the secure one when only that is served. */
  clientPort: number;
  /** The bound secureClientPort, when configured. */
  secureClientPort?: number;
  /** What /metrics and the AdminServer commands report on. */
  server: ZooKeeperServer;
  stop(): Promise<void>;
}

export class ZooKeeperServer implements ConnectionHost {
  readonly watches = new WatchManager();
  readonly stats = new ServerStats();
  readonly connections = new Set<ClientConnection>();
  private readonly core: RequestBackend;
  private readonly bySession = new Map<bigint, ClientConnection>();
  private readonly authenticator: Authenticator;
  private failed = false;
  clientPort = 0;
  /** The bound secureClientPort, or -1 without one (as conf prints it). */
  secureClientPort = -1;
  /** Set on an ensemble member; a standalone server has none. */
  ensemble: EnsembleRole | undefined;
  /** Connections of sessions opened while this server was read-only. */
  private readonly readOnlyConns = new WeakSet<ClientConnection>();
  /** Read-only sessions are never logged; their ids come from a minter of their own, started when first needed. */
  private readOnlySessionIds: SessionIdMinter | undefined;

  constructor(
    readonly config: ZooKeeperConfig,
    readonly tree: DataTree,
    /** Key that session passwords are derived from; every server that may resume a session holds the same. */
    private readonly sessionSecret: Buffer,
    readonly log: Logger,
    private readonly onStorageFailure: (err: Error) => void,
    backend: (server: ZooKeeperServer) => RequestBackend,
  ) {
    this.core = backend(this);
    this.authenticator = new Authenticator(config.auth, log);
  }

  /** Sessions and their deadlines (the dump and mntr words read it). */
  get tracker(): SessionTracker {
    return this.core.tracker;
  }

  /** Closes the connections of these sessions (the request core cannot answer them any more). */
  dropSessions(ids: readonly bigint[], reason: string): void {
    for (const id of ids) {
      const conn = this.bySession.get(id);
      if (!conn) continue;
      this.bySession.delete(id);
      conn.close(reason);
    }
  }

  /** Ends the sessions opened while this server was read-only: their clients reconnect for read-write ones. */
  dropReadOnly(reason: string): void {
    for (const conn of this.connections) if (this.readOnlyConns.has(conn)) conn.close(reason);
  }

  /**
   * Closes every client's connection, so clients reconnect (here or elsewhere) and resynchronise.
   * Connections yet to send anything stay: their handshake sees the server's state as it is then (and
   * a four-letter word polled meanwhile gets its answer, not a reset).
   */
  dropAll(reason: string): void {
    for (const conn of this.connections) if (conn.isSession) conn.close(reason);
  }

  /**
   * The log can no longer be written: stop serving rather than answer what is not durable, and stop the
   * server (by default the process) so that it is never up but refusing everyone.
   */
  fatal(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.core.stop();
    this.log.fatal({ err, dataLogDir: this.config.dataLogDir }, `ZooKeeper cannot write its transaction log (${err.message}); stopping`);
    for (const conn of this.connections) conn.close('storage failure');
    this.onStorageFailure(err);
  }

  /** False once storage failed, or while an ensemble member has no quorum: health checks (ruok, srvr, mntr) say so. */
  get serving(): boolean {
    return !this.failed && (this.ensemble?.serving() ?? true);
  }

  /** srvr's Mode line. */
  get mode(): string | null {
    return this.ensemble ? this.ensemble.mode() : 'standalone';
  }

  get outstandingRequests(): number {
    return this.core.outstanding;
  }

  accept(socket: Socket, frames: FrameReader): AcceptedConnection {
    const conn = new ClientConnection(socket, frames, this);
    // On the secure port a verified client certificate authenticates the connection (the x509 scheme).
    const cert = socket instanceof TLSSocket ? socket.getPeerX509Certificate() : undefined;
    if (cert) conn.auth.push(...x509Ids(distinguishedName(cert), this.config.x509SuperUser));
    this.connections.add(conn);
    return { end: () => conn.closeWhenFlushed(), close: (reason, fields) => conn.close(reason, fields) };
  }

  closed(conn: ClientConnection): void {
    this.connections.delete(conn);
    this.watches.removeWatcher(conn);
    this.stats.addClosed(conn);
    if (conn.sessionId !== 0n && this.bySession.get(conn.sessionId) === conn) {
      this.bySession.delete(conn.sessionId);
      this.core.disconnected?.(conn.sessionId);
    }
  }

  fourLetterWord(word: FourLetterWord): string {
    if (!this.config.fourLetterWords.has(word)) return `${word} is not executed because it is not in the whitelist.\n`;
    return fourLetterWordText(word, this);
  }

  // --- handshake

  handshake(conn: ClientConnection, frame: Buffer): void {
    let req: ConnectRequest;
    try {
      req = readConnectRequest(new Reader(frame));
    } catch (err) {
      if (err instanceof DecodeError) return conn.close('malformed ConnectRequest', { err: err.message });
      throw err;
    }
    if (!this.serving) return conn.close('server is not serving');
    if (req.lastZxidSeen > this.tree.lastProcessedZxid) {
      return conn.close('client has seen a zxid ahead of this server', {
        clientZxid: req.lastZxidSeen.toString(16),
        serverZxid: this.tree.lastProcessedZxid.toString(16),
      });
    }
    const timeout = Math.min(Math.max(req.timeOut, this.config.minSessionTimeout), this.config.maxSessionTimeout);
    // Mirror the request: clients that did not send readOnly break on a reply that has it.
    const readOnly = req.readOnly === undefined ? undefined : false;
    if (this.ensemble?.readOnly()) return this.readOnlyHandshake(conn, req, timeout);
    const now = clock();
    if (req.sessionId === 0n) {
      const id = this.core.openSession(timeout, now, (opened) => this.attach(conn, opened, timeout, readOnly));
      // Known by its id before it opens, so that a session whose creation fails (an ensemble's leader
      // changed meanwhile) takes its connection with it.
      if (!conn.isClosed && conn.sessionId === 0n) {
        conn.sessionId = id;
        this.bySession.set(id, conn);
      }
      return;
    }
    const id = req.sessionId;
    if (!this.passwordMatches(id, req.passwd)) return this.refuseResume(conn, id, readOnly);
    if (this.ensemble && !this.core.isLive(id)) {
      // This member may not have applied the session's creation yet (the client came straight from the
      // server that opened it): catch up with the leader before calling it expired, as ZooKeeper's
      // learners revalidate a session with their leader.
      this.core.sync(id, () => {
        if (conn.isClosed) return;
        if (!this.core.resumeSession(id, timeout, clock().mono)) return this.refuseResume(conn, id, readOnly);
        this.resume(conn, id, timeout, readOnly);
      });
      return;
    }
    if (!this.core.resumeSession(id, timeout, now.mono)) return this.refuseResume(conn, id, readOnly);
    this.resume(conn, id, timeout, readOnly);
  }

  private refuseResume(conn: ClientConnection, id: bigint, readOnly: boolean | undefined): void {
    this.log.info({ remote: conn.remote, session: id.toString(16) }, 'refusing reconnect: session expired or unknown');
    conn.refuse(connectFrame(0, 0n, Buffer.alloc(PASSWORD_BYTES), readOnly));
  }

  private resume(conn: ClientConnection, id: bigint, timeout: number, readOnly: boolean | undefined): void {
    const previous = this.bySession.get(id);
    if (previous && previous !== conn) {
      this.bySession.delete(id);
      previous.close('session reconnected on another connection');
    }
    this.attach(conn, id, timeout, readOnly);
  }

  private attach(conn: ClientConnection, id: bigint, timeout: number, readOnly: boolean | undefined): void {
    if (conn.isClosed) return;
    conn.sessionId = id;
    conn.sessionTimeout = timeout;
    this.bySession.set(id, conn);
    conn.open(connectFrame(timeout, id, this.password(id), readOnly));
  }

  private password(id: bigint): Buffer {
    const idBytes = Buffer.allocUnsafe(8);
    idBytes.writeBigInt64BE(id);
    return createHmac('sha256', this.sessionSecret).update(idBytes).digest().subarray(0, PASSWORD_BYTES);
  }

  private passwordMatches(id: bigint, given: Buffer | null): boolean {
    return given !== null && given.length === PASSWORD_BYTES && timingSafeEqual(given, this.password(id));
  }

  // --- requests

  request(conn: ClientConnection, frame: Buffer): void {
    const r = new Reader(frame);
    let xid: number;
    let type: number;
    try {
      ({ xid, type } = RequestHeader.read(r));
    } catch (err) {
      if (err instanceof DecodeError) return conn.close('malformed request header', { err: err.message });
      throw err;
    }
    const started = performance.now();
    conn.lastCxid = xid;
    this.stats.received++;
    this.core.touch(conn.sessionId, performance.now());
    if (type === OpCode.auth) return this.auth(conn, xid, r);
    if (type === OpCode.sasl) return this.authenticator.sasl(conn, xid, r);
    if (!this.authenticator.admit(conn, xid)) return;
    if (this.readOnlyConns.has(conn)) return this.readOnlyRequest(conn, xid, type, r, started);
    if (WRITE_TYPES.has(type)) return this.write(conn, xid, type, r, started);
    if (!this.core.isLive(conn.sessionId)) {
      conn.reply(replyFrame(xid, this.tree.lastProcessedZxid, ErrorCode.sessionExpired));
      return;
    }
    if (type === OpCode.sync && this.ensemble) {
      // Answerable once this server has applied what the leader had proposed when asked; answered in
      // its turn, from the tree then, so its zxid is not below an earlier write's reply (findings F5).
      const slot = conn.reserve();
      this.core.sync(conn.sessionId, () => conn.completeAtTurn(slot, () => this.readReply(conn, xid, type, r, started)));
      return;
    }
    this.answerRead(conn, xid, type, r, started);
  }

  private answerRead(conn: ClientConnection, xid: number, type: number, r: Reader, started: number): void {
    conn.answer(() => this.readReply(conn, xid, type, r, started));
  }

  private readReply(conn: ClientConnection, xid: number, type: number, r: Reader, started: number): Buffer[] {
    const res = executeRead(this, conn, type, r);
    const zxid = this.tree.lastProcessedZxid;
    conn.lastZxid = zxid;
    conn.lastOp = opLabel(type);
    this.stats.replied(performance.now() - started, false);
    return replyFrame(xid, zxid, res.err, res.body);
  }

  /**
   * A read-only server (an ensemble member cut off from the quorum, with readonlymode.enabled): sessions
   * are its own and never logged, reads come from its tree as it is, and writes get NotReadOnly.
   */
  private readOnlyRequest(conn: ClientConnection, xid: number, type: number, r: Reader, started: number): void {
    if (type === OpCode.closeSession) {
      conn.reply(replyFrame(xid, this.tree.lastProcessedZxid, ErrorCode.ok));
      conn.closeWhenFlushed();
      return;
    }
    if (WRITE_TYPES.has(type)) return conn.reply(replyFrame(xid, this.tree.lastProcessedZxid, ErrorCode.notReadOnly));
    this.answerRead(conn, xid, type, r, started);
  }

  private readOnlyHandshake(conn: ClientConnection, req: ConnectRequest, timeout: number): void {
    if (req.readOnly !== true) return conn.close('this server is read-only and the client does not accept that (canBeReadOnly)');
    let id = req.sessionId;
    if (id === 0n) {
      this.readOnlySessionIds ??= new SessionIdMinter(this.ensemble!.serverId, Date.now());
      id = this.readOnlySessionIds.mint(this.tree);
    } else if (!this.passwordMatches(id, req.passwd)) {
      return conn.refuse(connectFrame(0, 0n, Buffer.alloc(PASSWORD_BYTES), true));
    }
    this.readOnlyConns.add(conn);
    this.attach(conn, id, timeout, true);
  }

  private auth(conn: ClientConnection, xid: number, r: Reader): void {
    let packet;
    try {
      packet = AuthPacket.read(r);
    } catch (err) {
      if (err instanceof DecodeError) return conn.close('malformed auth packet', { err: err.message });
      throw err;
    }
    const ids = authenticate(packet.scheme, packet.auth, conn.remoteIp, this.config.superDigest);
    if (!ids) {
      this.log.warn({ remote: conn.remote, scheme: packet.scheme }, 'authentication failed');
      conn.reply(replyFrame(xid, 0n, ErrorCode.authFailed));
      conn.closeWhenFlushed();
      return;
    }
    addIds(conn, ids);
    conn.reply(replyFrame(xid, 0n, ErrorCode.ok));
  }

  private write(conn: ClientConnection, xid: number, type: number, r: Reader, started: number): void {
    const slot = conn.reserve();
    const sessionId = conn.sessionId;
    this.core.write({ sessionId, cxid: xid, type, auth: conn.auth }, r, Date.now(), (a: WriteAnswer) => {
      if (!a.applied) {
        conn.complete(slot, a.multi ? replyFrame(xid, a.zxid, ErrorCode.ok, multiBody(a.multi)) : replyFrame(xid, a.zxid, a.err));
        return;
      }
      conn.lastZxid = a.zxid;
      conn.lastOp = opLabel(type);
      this.stats.replied(performance.now() - started, true);
      conn.complete(slot, replyFrame(xid, a.zxid, a.result.err, this.writeBody(type, a.result)));
      if (type === OpCode.closeSession) {
        if (this.bySession.get(sessionId) === conn) this.bySession.delete(sessionId);
        conn.closeWhenFlushed();
      }
    });
  }

  private writeBody(type: number, result: ApplyResult): Body | undefined {
    if (result.err !== ErrorCode.ok && type !== OpCode.multi) return undefined;
    switch (type) {
      case OpCode.create:
        return body(CreateResponse, { path: result.path! });
      case OpCode.create2:
      case OpCode.createTTL:
      case OpCode.createContainer:
        return body(Create2Response, { path: result.path!, stat: result.stat! });
      case OpCode.setData:
      case OpCode.setACL:
        return body(StatResponse, { stat: result.stat! });
      case OpCode.check: {
        const node = this.tree.get(result.path!);
        return node ? body(StatResponse, { stat: node.stat() }) : undefined;
      }
      case OpCode.multi:
        return multiBody((result.multi ?? []).map(multiResult));
      case OpCode.reconfig: {
        // An ensemble's reconfig is a setData of /zookeeper/config: the answer is the new configuration.
        const node = this.tree.get(CONFIG_PATH)!;
        return body(GetDataResponse, { data: node.data, stat: node.stat() });
      }
      default:
        return undefined;
    }
  }

  // --- timers' work

  /** Expires sessions whose timeout passed without a request or ping, and drops their connections. */
  expireSessions(now: Now): void {
    for (const s of this.core.tick(now)) {
      this.log.info({ session: s.id.toString(16), timeout: s.timeout }, 'expiring session');
      const conn = this.bySession.get(s.id);
      if (conn) {
        this.bySession.delete(s.id);
        conn.close('session expired');
      }
    }
  }

  /** Deletes empty containers and TTL nodes whose time ran out. */
  sweepContainers(now: number): void {
    this.core.sweepContainers(now);
  }
}

/** Both clocks the request core takes: wall time for transactions, monotonic time for session deadlines. */
export function clock(): Now {
  return { wall: Date.now(), mono: performance.now() };
}

function connectFrame(timeout: number, sessionId: bigint, passwd: Buffer, readOnly: boolean | undefined): Buffer[] {
  const w = new Writer(48);
  const size = w.reserveInt32();
  writeConnectResponse(w, { protocolVersion: 0, timeOut: timeout, sessionId, passwd, readOnly });
  size(w.length - 4);
  return w.chunksOut();
}

function multiBody(results: readonly MultiResult[]): Body {
  return { write: (w) => writeMultiResponse(w, results), dataBytes: 256 * results.length };
}

function multiResult(r: ApplyResult): MultiResult {
  switch (r.type) {
    case OpCode.create:
      return { type: OpCode.create, path: r.path! };
    case OpCode.create2:
    case OpCode.createTTL:
    case OpCode.createContainer:
      return { type: OpCode.create2, path: r.path!, stat: r.stat! };
    case OpCode.delete:
    case OpCode.deleteContainer:
      return { type: OpCode.delete };
    case OpCode.setData:
      return { type: OpCode.setData, stat: r.stat! };
    case OpCode.check:
      return { type: OpCode.check };
    default:
      return { type: OpCode.error, err: r.err };
  }
}

const OP_LABELS = new Map<number, string>([
  [OpCode.create, 'CREA'],
  [OpCode.create2, 'CREA'],
  [OpCode.createTTL, 'CREA'],
  [OpCode.createContainer, 'CREA'],
  [OpCode.delete, 'DELE'],
  [OpCode.setData, 'SETD'],
  [OpCode.setACL, 'SETA'],
  [OpCode.check, 'CHEC'],
  [OpCode.multi, 'MULT'],
  [OpCode.closeSession, 'CLOS'],
  [OpCode.exists, 'EXIS'],
  [OpCode.getData, 'GETD'],
  [OpCode.getChildren, 'GETC'],
  [OpCode.getChildren2, 'GETC'],
  [OpCode.getACL, 'GETA'],
  [OpCode.sync, 'SYNC'],
  [OpCode.ping, 'PING'],
  [OpCode.setWatches, 'SETW'],
  [OpCode.setWatches2, 'STW2'],
  [OpCode.addWatch, 'ADDW'],
  [OpCode.multiRead, 'MLTR'],
]);

/** The four-letter label ZooKeeper's cons output shows as a connection's last operation. */
function opLabel(type: number): string {
  return OP_LABELS.get(type) ?? 'NA';
}

/**
 * Recovers the database from dataDir/dataLogDir and serves clients on clientPortAddress:clientPort
 * until stop().
 */
export async function startZooKeeper(config: ZooKeeperConfig, log: Logger, options: ZooKeeperOptions = {}): Promise<RunningZooKeeper> {
  let core: RequestCore | undefined;
  let server: ZooKeeperServer | undefined;
  const db = await ZkDatabase.open({
    dataDir: config.dataDir,
    dataLogDir: config.dataLogDir,
    forceSync: config.forceSync,
    maxRecordBytes: config.juteMaxBuffer + RECORD_SLACK_BYTES,
    segmentBytes: LOG_SEGMENT_BYTES,
    log,
    onDurable: (zxid) => core?.committed(zxid),
    onFatal: (err) => server?.fatal(err),
    onSynced: (ms) => server?.stats.synced(ms),
  });
  const zk = new ZooKeeperServer(config, db.tree, db.sessionSecret, log, storageFailureHandler(options, log), (s) => {
    core = new RequestCore({
      tree: db.tree,
      sink: db,
      config: {
        serverId: STANDALONE_SERVER_ID,
        tickTime: config.tickTime,
        extendedTypesEnabled: config.extendedTypesEnabled,
        reconfigEnabled: config.reconfigEnabled,
        enforceQuota: config.enforceQuota,
      },
      now: clock(),
      trigger: (type, path) => s.watches.trigger(type, path),
      applied: () => {
        if (db.txnsSinceSnapshot >= config.snapCount && !db.snapshotInProgress) void db.snapshot(undefined);
      },
    });
    return core;
  });
  server = zk;
  let clients: ClientListener;
  try {
    clients = await serveClients(zk, config, log);
  } catch (err) {
    // The database holds the data directory's lock; a failed start must not keep it.
    await db.close();
    throw err;
  }
  const timers: NodeJS.Timeout[] = [];
  if (config.purgeIntervalHours > 0) {
    timers.push(setInterval(() => void db.purge(config.snapRetainCount), config.purgeIntervalHours * 3_600_000));
  }
  log.info(
    { clientPort: clients.port, secureClientPort: clients.securePort, address: config.clientPortAddress, dataDir: config.dataDir, zxid: zk.tree.lastProcessedZxid.toString(16) },
    'ZooKeeper server listening',
  );
  return {
    clientPort: clients.port,
    secureClientPort: clients.securePort,
    server: zk,
    async stop() {
      for (const t of timers) clearInterval(t);
      await clients.close();
      await db.close();
      log.info('ZooKeeper server stopped');
    },
  };
}

/** By default a server whose storage fails ends the process (see STORAGE_FAILURE_EXIT_CODE). */
export function storageFailureHandler(options: ZooKeeperOptions, log: Logger): (err: Error) => void {
  return (
    options.onStorageFailure ??
    (() => {
      log.flush();
      process.exit(STORAGE_FAILURE_EXIT_CODE);
    })
  );
}

export interface ClientListener {
  /** The plaintext client port, or the secure one when only that is served. */
  port: number;
  /** The secure client port, when secureClientPort is set. */
  securePort: number | undefined;
  close(): Promise<void>;
}

/**
 * The client port, the secure client port (TLS) when configured, and the timers of session expiry and the
 * container sweep, for a standalone server or an ensemble member.
 */
export async function serveClients(zk: ZooKeeperServer, config: ZooKeeperConfig, log: Logger): Promise<ClientListener> {
  const tcpFor = (host: string, port: number, tls?: TlsHandshake) =>
    new TcpServer({
      host,
      port,
      maxConnections: config.maxCnxns === 0 ? Number.MAX_SAFE_INTEGER : config.maxCnxns,
      maxConnectionsPerAddress: config.maxClientCnxns,
      maxFrameBytes: config.juteMaxBuffer,
      // A session's connection needs no timer of its own: with no complete request its session expires and
      // takes the connection with it. Before the session exists, this is all that bounds it.
      timeouts: { firstFrameMs: config.sessionlessCnxnTimeoutMs },
      tls,
      log,
      accept: (socket, frames) => zk.accept(socket, frames),
    });
  const servers: TcpServer[] = [];
  const closeAll = () => Promise.all(servers.map((s) => s.close()));
  let port: number | undefined;
  let securePort: number | undefined;
  try {
    if (config.servePlaintext) {
      servers.push(tcpFor(config.clientPortAddress, config.clientPort));
      port = await servers[0]!.listen();
    }
    const secure = config.secure;
    if (secure) {
      const tls = tlsHandshakeOf(secure.spec, secure.handshakeTimeoutMs, log.child({ port: 'secureClientPort' }));
      const server = tcpFor(secure.address ?? config.clientPortAddress, secure.port, tls);
      servers.push(server);
      securePort = await server.listen();
      zk.secureClientPort = securePort;
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  zk.clientPort = port ?? securePort!;
  const timers = [
    setInterval(() => zk.expireSessions(clock()), Math.max(1, Math.min(config.tickTime, 1000))),
    setInterval(() => zk.sweepContainers(Date.now()), config.containerCheckIntervalMs),
  ];
  return {
    port: zk.clientPort,
    securePort,
    async close() {
      for (const t of timers) clearInterval(t);
      await closeAll();
    },
  };
}
