// The ZooKeeper request core: everything between a decoded request and its answer that is state, not
// I/O. Prep turns writes into transactions, the core numbers them (zxids) and hands them to a TxnSink,
// applies them in zxid order once the sink says they are committed, and answers each requester;
// it mints session ids and expires sessions when told the time. Time comes as two clocks, as in
// ZooKeeper: wall-clock time for what transactions record (ctime, mtime), monotonic time for session
// deadlines, so that a clock step neither expires every session nor keeps dead ones alive. Time and
// the sink are inputs, so the
// core has no clock, timer, socket or file of its own and runs the same under a test's fake clock
// as in the server, which wraps it with connections, timers and the log (server.ts).
import type { Reader } from '../../protocol/bytes.js';
import { ErrorCode, OpCode, type EventType } from '../../protocol/zookeeper/codes.js';
import type { MultiResult } from '../../protocol/zookeeper/multi.js';
import type { Transaction } from '../../protocol/zookeeper/txn.js';
import type { ApplyResult, DataTree } from '../znode/data-tree.js';
import { CONTAINER_OWNER } from '../znode/znode.js';
import { PendingChanges } from './pending-changes.js';
import { CommitQueue, type TxnSink } from './pipeline.js';
import { Preparer, type PrepOutcome, type WriteRequest } from './prep.js';
import { SessionTracker, type TrackedSession } from './session-tracker.js';

/**
 * The server id standalone ZooKeeper puts in the top byte of its session ids (ZooKeeperServer's
 * createSessionTrackerServerId), so ids look the same to clients as a real standalone server's.
 */
export const STANDALONE_SERVER_ID = 1;
/** 255 in the top byte marks a TTL node's ephemeralOwner, so no server may mint ids with it. */
export const SERVER_ID_MAX = 254;

/**
 * The first session id a server hands out, as ZooKeeper's SessionTrackerImpl.initializeNextSessionId
 * makes it: the server id in the top byte, below it the low 40 bits of the time in ms, with 16 bits of
 * room for ids counted up from there. Exact as a 64-bit value, hence bigint.
 */
export function firstSessionId(serverId: number, nowMs: number): bigint {
  if (!Number.isInteger(serverId) || serverId < 0 || serverId > SERVER_ID_MAX) {
    throw new RangeError(`server id ${serverId} is not in 0..${SERVER_ID_MAX}`);
  }
  const time = BigInt.asUintN(40, BigInt(Math.floor(nowMs)));
  const id = BigInt.asIntN(64, (BigInt(serverId) << 56n) | (time << 16n));
  // Long.MIN_VALUE marks containers (server id 128 at time 0).
  return id === CONTAINER_OWNER ? id + 1n : id;
}

export { serverIdOf } from '../znode/znode.js';

/**
 * Mints one server's session ids, counted up from firstSessionId at start. The wall clock may have gone
 * back since ids were last minted here: an id the tree shows was created is never handed out again
 * (the one guard, for a standalone server and an ensemble member alike). Ids handed out whose creation
 * the tree has not applied yet are an ensemble leader's to catch (QuorumCore refuses a known id).
 */
export class SessionIdMinter {
  private next: bigint;

  constructor(
    private readonly serverId: number,
    wallMs: number,
  ) {
    this.next = firstSessionId(serverId, wallMs);
  }

  mint(tree: DataTree): bigint {
    const last = tree.lastSessionIdOf(this.serverId);
    if (last !== undefined && last >= this.next) this.next = last + 1n;
    return this.next++;
  }
}

/**
 * What prep stands on, alike standalone and in an ensemble: the session tracker that says which sessions
 * live, the pending changes over the applied tree, and the preparer that validates writes against both.
 */
export function prepStages(
  tree: DataTree,
  config: Pick<RequestCoreConfig, 'tickTime' | 'extendedTypesEnabled' | 'reconfigEnabled' | 'enforceQuota'>,
): { tracker: SessionTracker; changes: PendingChanges; preparer: Preparer } {
  const tracker = new SessionTracker(config.tickTime);
  const changes = new PendingChanges(tree);
  const preparer = new Preparer({
    changes,
    isLive: (id) => tracker.isLive(id),
    extendedTypesEnabled: config.extendedTypesEnabled,
    reconfigEnabled: config.reconfigEnabled,
    enforceQuota: config.enforceQuota,
  });
  return { tracker, changes, preparer };
}

/** The time, read once by the shell and passed in. */
export interface Now {
  /** Wall-clock ms since the epoch: what transactions record. */
  wall: number;
  /** Monotonic ms (any origin): what session deadlines are measured in. */
  mono: number;
}

export interface RequestCoreConfig {
  /** This server's id: the top byte of every session id it mints. */
  serverId: number;
  /** Session deadlines are rounded up to a multiple of this (ms). */
  tickTime: number;
  extendedTypesEnabled: boolean;
  reconfigEnabled: boolean;
  enforceQuota: boolean;
}

export interface RequestCoreOptions {
  /** The applied tree, as recovery left it; the core applies every later transaction to it. */
  tree: DataTree;
  /** Where proposed transactions go to become durable; it reports back through committed(zxid). */
  sink: TxnSink;
  config: RequestCoreConfig;
  /** The time at start: restored sessions get a full timeout from it, and its wall time seeds session ids. */
  now: Now;
  /** Applying a transaction changed `path`: fire its watches (before anyone is answered). */
  trigger(type: EventType, path: string): void;
  /** After each transaction is applied, before its requester is answered. */
  applied?(txn: Transaction): void;
}

/** How a write ended: applied (the result is the tree's), or refused before it was logged. */
export type WriteAnswer =
  | { applied: true; zxid: bigint; result: ApplyResult }
  /** `zxid` is the tree's when the answer is due; a refused multi carries its per-op results. */
  | { applied: false; zxid: bigint; err: number; multi?: MultiResult[] };

/**
 * What the socket shell (server.ts) asks of a request core: RequestCore on a standalone server,
 * QuorumCore (quorum/quorum-core.ts) on an ensemble member.
 */
export interface RequestBackend {
  /** Sessions and their deadlines (the dump and mntr words read it). */
  readonly tracker: SessionTracker;
  /** Writes proposed (or forwarded) and not yet answered. */
  readonly outstanding: number;
  isLive(sessionId: bigint): boolean;
  touch(sessionId: bigint, mono: number): void;
  /** Returns the new session's id; `opened` runs once its createSession is applied. */
  openSession(timeout: number, now: Now, opened: (id: bigint) => void): bigint;
  resumeSession(id: bigint, timeout: number, mono: number): boolean;
  write(req: WriteRequest, body: Reader, wall: number, answer: (a: WriteAnswer) => void): void;
  /** `done` runs once this server has applied every write the ensemble committed before the sync. */
  sync(sessionId: bigint, done: () => void): void;
  /** The session's connection to this server closed (an ensemble member drops what it held for a leader). */
  disconnected?(sessionId: bigint): void;
  /** Returns the sessions whose connections must be dropped now. */
  tick(now: Now): TrackedSession[];
  sweepContainers(wall: number): void;
  stop(): void;
}

export class RequestCore implements RequestBackend {
  readonly tree: DataTree;
  readonly tracker: SessionTracker;
  private readonly changes: PendingChanges;
  private readonly preparer: Preparer;
  private readonly commits: CommitQueue;
  private readonly serverId: number;
  private lastProposed: bigint;
  private readonly sessionIds: SessionIdMinter;
  private stopped = false;

  constructor(private readonly options: RequestCoreOptions) {
    const { tree, config } = options;
    this.tree = tree;
    this.serverId = config.serverId;
    ({ tracker: this.tracker, changes: this.changes, preparer: this.preparer } = prepStages(tree, config));
    this.commits = new CommitQueue(options.sink, (txn) => this.apply(txn));
    this.lastProposed = tree.lastProcessedZxid;
    this.sessionIds = new SessionIdMinter(config.serverId, options.now.wall);
    for (const [id, timeout] of tree.sessions) this.tracker.add(id, timeout, options.now.mono);
  }

  /** The zxid of the last transaction proposed (applied or not). */
  get lastProposedZxid(): bigint {
    return this.lastProposed;
  }

  /** Transactions proposed and not yet applied. */
  get outstanding(): number {
    return this.commits.size;
  }

  isLive(sessionId: bigint): boolean {
    return this.tracker.isLive(sessionId);
  }

  /** A request or ping from the session at monotonic time `mono`: its deadline moves out by its timeout. */
  touch(sessionId: bigint, mono: number): void {
    this.tracker.touch(sessionId, mono);
  }

  /** The sink made everything up to `zxid` durable: apply it in order and answer its requesters. */
  committed(zxid: bigint): void {
    this.commits.committed(zxid);
  }

  /** Storage failed: propose nothing more; writes are refused with SystemError. */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Opens a session with `timeout` (already negotiated): its createSession transaction is proposed
   * and `opened` runs once it is applied. Returns the new id.
   */
  openSession(timeout: number, now: Now, opened: (id: bigint) => void): bigint {
    const id = this.sessionIds.mint(this.tree);
    this.tracker.add(id, timeout, now.mono);
    this.propose(this.preparer.createSession(id, timeout, this.nextZxid(), now.wall), () => opened(id));
    return id;
  }

  /** A client reconnects to a live session: it takes the new timeout and a fresh deadline. */
  resumeSession(id: bigint, timeout: number, mono: number): boolean {
    const session = this.tracker.get(id);
    if (!session || !this.tracker.isLive(id)) return false;
    session.timeout = timeout;
    this.tracker.touch(id, mono);
    return true;
  }

  /**
   * Validates the write `req` (body in `body`) at wall time `wall` and proposes its transaction; `answer`
   * runs once it is applied, or, if refused, once every transaction proposed before it is applied (a
   * refusal may rest on a transaction still in flight, and the client must not read a tree that
   * contradicts it).
   */
  write(req: WriteRequest, body: Reader, wall: number, answer: (a: WriteAnswer) => void): void {
    const outcome: PrepOutcome = this.stopped
      ? { ok: false, err: ErrorCode.systemError }
      : this.preparer.prepare(req, body, this.nextZxid(), wall);
    if (!outcome.ok) {
      const { err, multi } = outcome;
      this.commits.afterApplied(this.lastProposed, () => answer({ applied: false, zxid: this.tree.lastProcessedZxid, err, multi }));
      return;
    }
    const closing = req.type === OpCode.closeSession;
    if (closing) this.tracker.setClosing(req.sessionId);
    const { zxid } = outcome.txn;
    this.propose(outcome.txn, (result) => {
      if (closing) this.tracker.remove(req.sessionId);
      answer({ applied: true, zxid, result });
    });
  }

  /** A standalone server is its own leader: everything committed is applied. */
  sync(_sessionId: bigint, done: () => void): void {
    done();
  }

  /**
   * The time is `now`: sessions whose deadline passed are closed (their closeSession transactions
   * proposed) and returned, so that the shell can drop their connections.
   */
  tick(now: Now): TrackedSession[] {
    const expired = this.tracker.expire(now.mono);
    if (!this.stopped) {
      for (const s of expired) {
        this.propose(this.preparer.expireSession(s.id, this.nextZxid(), now.wall), () => this.tracker.remove(s.id));
      }
    }
    return expired;
  }

  /** Deletes empty containers and TTL nodes whose time ran out by wall time `wall` (TTLs count from mtime). */
  sweepContainers(wall: number): void {
    if (this.stopped) return;
    for (const path of this.tree.expiredContainers(wall)) {
      const txn = this.preparer.deleteContainer(path, this.nextZxid(), wall);
      if (txn) this.propose(txn);
    }
  }

  /** Standalone numbering: one past the last proposed. An ensemble takes epoch and counter from consensus. */
  private nextZxid(): bigint {
    return this.lastProposed + 1n;
  }

  private propose(txn: Transaction, onApplied?: (result: ApplyResult) => void): void {
    this.lastProposed = txn.zxid;
    this.commits.propose(txn, onApplied);
  }

  private apply(txn: Transaction): ApplyResult {
    const result = this.tree.apply(txn, this.options.trigger);
    this.changes.applied(txn.zxid);
    this.options.applied?.(txn);
    return result;
  }
}
