// ZooKeeper semantics on top of consensus: the request core of an ensemble member. Clock-free (time
// comes in with every call from the shell) and free of I/O: consensus is reached through `QuorumLink`
// (the QuorumPeer runtime in the server, a fake in unit tests).
//
// - The leader prepares every write (its own clients' and those forwarded by other servers) against
//   its applied tree plus pending changes, and proposes the transaction as a log entry. A refused write
//   is proposed too, as an error transaction (ZooKeeper's ErrorTxn), so its answer is ordered among the
//   ensemble's transactions and reaches whichever server the client is connected to.
// - Every server applies committed entries in log order; the zxid of an entry is term<<32 | counter.
//   The server a client is connected to answers its write when it applies the transaction, matched by
//   (sessionId, cxid) against the session's queue of outstanding writes (ZooKeeper's CommitProcessor).
// - A new leader prepares nothing until it has applied its own opening entry, so validation sees every
//   transaction of earlier terms; meanwhile requests wait (bounded).
// - Sessions: createSession and closeSession are transactions. Other servers relay their clients'
//   activity (touch); the leader alone expires sessions and, when elected, gives every one a full timeout.
// - Whenever the leader changes, writes, syncs and session openings this server sent to the old one may
//   never be answered; their clients' connections are dropped so they retry (ZooKeeper's ConnectionLoss).
//   Requests held while no leader was known were sent nowhere: they go to the next leader. So do writes
//   forwarded to a leader that had stepped down when they arrived (it refuses them as not leading, and
//   cannot lead again in that term, so they were never proposed).
import { DecodeError, Reader, Writer } from '../../../protocol/bytes.js';
import type { PeerShellMessage } from '../../../protocol/consensus/messages.js';
import { ErrorCode, KeeperError, OpCode, Perms, type EventType } from '../../../protocol/zookeeper/codes.js';
import type { MultiResult } from '../../../protocol/zookeeper/multi.js';
import { ReconfigRequest, type Id } from '../../../protocol/zookeeper/records.js';
import { encodeTransaction, readTransaction, type Transaction, type TxnBody } from '../../../protocol/zookeeper/txn.js';
import type { RaftStatus } from '../../consensus/raft.js';
import { NO_NODE, type Entry, type MembershipChange, type NodeId, type ProposeResult, type ReadState, type Snapshot } from '../../consensus/types.js';
import { makeZxid } from '../../consensus/zxid.js';
import { CONFIG_PATH, type DataTree } from '../../znode/data-tree.js';
import { decodeTreeInto, encodeTree } from '../../znode/snapshot-codec.js';
import { checkPermission } from '../acl.js';
import { maxServerId, parseConfigText, formatConfigText, type EnsembleServer } from '../ensemble-config.js';
import { Fifo } from '../fifo.js';
import { PendingChanges } from '../pending-changes.js';
import { Preparer, type PrepOutcome, type WriteRequest } from '../prep.js';
import { prepStages, SessionIdMinter, type Now, type RequestBackend, type WriteAnswer } from '../request-core.js';
import { SessionTracker, type TrackedSession } from '../session-tracker.js';
import { membershipOf, planSteps, quorumSynced, reconfigTarget, sameMembership } from './reconfig-plan.js';

/** Requests waiting for a leader (being elected, or elected and catching up) before they are refused. */
export const HELD_REQUESTS_MAX = 10_000;

/** How the core reaches consensus. */
export interface QuorumLink {
  status(): RaftStatus;
  propose(data: Uint8Array): ProposeResult;
  /** A one-server membership change, with the transaction that records the new /zookeeper/config if it is the last of a reconfig. */
  proposeMembership(change: MembershipChange, data: Uint8Array | null): ProposeResult;
  /** Asks consensus to confirm leadership for read `ctx`; answered through QuorumCore.readsConfirmed. */
  readIndex(ctx: number): boolean;
  /** On the leader: the other members it streams entries to and heard from within syncLimit (ZooKeeper's synced learners). */
  syncedFollowers(): readonly NodeId[];
  send(to: NodeId, message: DistributiveOmit<PeerShellMessage, 'from' | 'to' | 'term'>): void;
  /** The state through `index` (applied) is `data`: log entries up to it may be dropped. */
  compact(index: number, data: Uint8Array): void;
}

export interface QuorumCoreConfig {
  serverId: number;
  tickTime: number;
  extendedTypesEnabled: boolean;
  reconfigEnabled: boolean;
  /** zoo.cfg's standaloneEnabled: true (the default) keeps a reconfig from leaving fewer than two voters. */
  standaloneEnabled: boolean;
  enforceQuota: boolean;
  /** Entries applied between consensus snapshots (zoo.cfg's snapCount): each gap is drawn from [snapCount/2, snapCount). */
  snapCount: number;
  /** An integer in [0, n): the only randomness here (the snapshot gaps), so a simulation can seed it. */
  random: (n: number) => number;
}

export interface QuorumCoreHooks {
  /** Applying a transaction changed `path`: fire its watches (before anyone is answered). */
  trigger(type: EventType, path: string): void;
  /** These sessions' connections on this server must go (expired, or their requests' fate is unknown). */
  dropSessions(ids: readonly bigint[], reason: string): void;
  /** Every client connection must go (the state was replaced by a leader's snapshot). */
  dropAll(reason: string): void;
  /** /zookeeper/config now holds `text`: a reconfiguration was applied. */
  configChanged(text: string): void;
  /** The leader starts a reconfiguration: it must reach `servers` (old and new) until the change is applied. */
  connect(servers: readonly EnsembleServer[]): void;
}

interface Waiter {
  readonly cxid: number;
  readonly answer: (a: WriteAnswer) => void;
  /** Sends the write again once a leader is known (the one it was forwarded to refused it as not leading). */
  readonly resend: () => void;
}

/** A session being opened from this server. */
interface Opening {
  readonly opened: (id: bigint) => void;
  /** Sends the createSession again once a leader is known (as Waiter.resend). */
  readonly resend: () => void;
}

interface Held {
  readonly sessionId: bigint;
  readonly run: () => void;
  /** A forward from another server: valid only in the term it arrived in (its sender fails it on a new one). */
  readonly forwarded: boolean;
}

/**
 * A reconfiguration under way on the leader: single-server membership changes, each proposed once the
 * previous one is applied; the last carries the new /zookeeper/config, so clients see the whole change
 * at once. A repair (request null) brings the membership back to /zookeeper/config after a leader died
 * mid-way.
 */
interface Plan {
  readonly steps: MembershipChange[];
  readonly request: { readonly req: WriteRequest; readonly servers: readonly EnsembleServer[]; readonly refuse: () => void } | null;
  /** The log index of the change in flight; once `proposedAll`, of the last one (the plan ends when it is applied). */
  index: number;
  proposedAll: boolean;
  /** Later writes of the reconfiguring session: proposed after the plan's last entry, in order. */
  readonly after: { readonly run: () => void; readonly refuse: () => void }[];
}

export class QuorumCore implements RequestBackend {
  readonly tracker: SessionTracker;
  private readonly changes: PendingChanges;
  private readonly preparer: Preparer;
  /** Per session, its writes proposed or forwarded from this server, oldest first. */
  private readonly waiting = new Map<bigint, Fifo<Waiter>>();
  private waitingCount = 0;
  /** Sessions being opened from this server: createSession proposed or forwarded. */
  private readonly opening = new Map<bigint, Opening>();
  /** Syncs waiting to apply up to an index, in index order. */
  private readonly syncs: { index: number; sessionId: bigint; done: () => void }[] = [];
  /** Syncs asked of the leader, by request id. */
  private readonly syncAsked = new Map<number, { sessionId: bigint; done: () => void }>();
  private nextSyncId = 1;
  /**
   * Sessions with a sync under way, and their writes sent after it, which wait for it to complete: as
   * ZooKeeper's CommitProcessor holds a session's later requests behind its sync, so the sync's answer
   * (and a read after it) never shows a later write of the session before that write is answered.
   * Bounded by the connection's outstanding requests (MAX_OUTSTANDING_PER_CONNECTION).
   */
  private readonly syncing = new Map<bigint, { syncs: number; writes: (() => void)[] }>();
  private deferredCount = 0;
  /**
   * On the leader, syncs waiting for consensus to confirm it still leads (read index), by read ctx: its
   * own clients' (a session and what to run) and other servers' (whom to answer, under which id).
   */
  private readonly confirming = new Map<number, { sessionId: bigint; done: () => void } | { from: NodeId; id: number }>();
  private nextReadCtx = 1;
  /** Requests waiting for a leader to be known (and, on the leader, for it to catch up). */
  private readonly held = new Fifo<Held>();
  /** Sessions active on this server since the last touch sent to the leader. */
  private readonly touched = new Set<bigint>();
  private readonly sessionIds: SessionIdMinter;
  private applied = 0;
  private sinceSnapshot = 0;
  /** Entries to apply before the next snapshot (see nextSnapshotGap). */
  private snapshotGap: number;
  /** The leader and term the waiting requests were sent to. */
  private leader: NodeId = NO_NODE;
  private term = 0;
  /**
   * That leader refused a forward because it no longer leads (it stepped down within the term, and this
   * server has not heard of the next one yet): requests are held for the next leader, not sent to it.
   */
  private leaderGone = false;
  /** Set while this server leads: the index of its opening entry, and whether it has applied it. */
  private leading: { readyIndex: number; ready: boolean } | null = null;
  /** The reconfiguration this leader is carrying out. */
  private plan: Plan | null = null;
  private now: Now;
  private stopped = false;

  constructor(
    readonly tree: DataTree,
    private readonly link: QuorumLink,
    private readonly config: QuorumCoreConfig,
    private readonly hooks: QuorumCoreHooks,
    now: Now,
    /** The index of the last entry the tree holds (a consensus snapshot restored at start). */
    appliedIndex: number,
  ) {
    this.now = now;
    this.applied = appliedIndex;
    this.snapshotGap = this.nextSnapshotGap();
    ({ tracker: this.tracker, changes: this.changes, preparer: this.preparer } = prepStages(tree, config));
    this.sessionIds = new SessionIdMinter(config.serverId, now.wall);
    this.trackTreeSessions();
  }

  get outstanding(): number {
    return this.waitingCount + this.held.size + this.deferredCount;
  }

  /** The index of the last entry applied. */
  get appliedIndex(): number {
    return this.applied;
  }

  /** Syncs waiting on this server (mntr's zk_pending_syncs). */
  get pendingSyncs(): number {
    return this.syncs.length + this.syncAsked.size + this.confirming.size;
  }

  isLive(sessionId: bigint): boolean {
    return this.tracker.isLive(sessionId);
  }

  touch(sessionId: bigint, mono: number): void {
    if (!this.tracker.touch(sessionId, mono)) return;
    if (!this.leading) this.touched.add(sessionId);
  }

  stop(): void {
    this.stopped = true;
  }

  /** The session's connection to this server closed: what it holds for a leader would answer no one, and must not run. */
  disconnected(sessionId: bigint): void {
    this.keepHeld((h) => h.forwarded || h.sessionId !== sessionId);
    this.forgetDeferred(sessionId);
  }

  // ---- requests from this server's clients

  openSession(timeout: number, now: Now, opened: (id: bigint) => void): bigint {
    const id = this.mintSessionId();
    const send = () => {
      this.opening.set(id, { opened, resend: send });
      if (this.leading) {
        if (this.sessionKnown(id)) return this.fail([id], 'session id already in use');
        if (!this.proposeTxn(this.preparer.createSession(id, timeout, this.nextZxid(), now.wall))) return this.fail([id], 'the leader cannot take more proposals');
        this.tracker.add(id, timeout, now.mono);
        return;
      }
      const body = new Writer(4).int32(timeout).toBuffer();
      this.link.send(this.leader, { type: 'forward', sessionId: id, cxid: 0, opType: OpCode.createSession, auth: [], body });
    };
    this.whenLeader(id, send);
    return id;
  }

  resumeSession(id: bigint, timeout: number, mono: number): boolean {
    const session = this.tracker.get(id);
    if (!session || !this.tracker.isLive(id)) return false;
    session.timeout = timeout;
    this.touch(id, mono);
    // Writes of the previous connection still waiting for its sync went with it (its client saw
    // ConnectionLoss): a sync that is never answered (its request lost between servers) must not hold
    // the new connection's writes.
    this.forgetDeferred(id);
    return true;
  }

  write(req: WriteRequest, body: Reader, wall: number, answer: (a: WriteAnswer) => void): void {
    if (this.stopped) {
      answer({ applied: false, zxid: this.tree.lastProcessedZxid, err: ErrorCode.systemError });
      return;
    }
    const bytes = body.bytes(body.remaining);
    const syncing = this.syncing.get(req.sessionId);
    if (!syncing) return this.writeNow(req, bytes, wall, answer);
    this.deferredCount++;
    syncing.writes.push(() => {
      this.deferredCount--;
      this.writeNow(req, bytes, wall, answer);
    });
  }

  private writeNow(req: WriteRequest, bytes: Buffer, wall: number, answer: (a: WriteAnswer) => void): void {
    // A close marks the session closing once it is proposed or forwarded, not while it is held for a
    // leader: a held close dropped with its connection (disconnected) would leave the mark behind, and
    // on a server that then led, the session could neither resume nor expire (simulation, seed 5228).
    const closing = req.type === OpCode.closeSession;
    const send = () => {
      // Awaited from when it is proposed or forwarded: only then may a leader change leave its fate unknown.
      this.await(req.sessionId, { cxid: req.cxid, answer, resend: send });
      if (this.leading) {
        const refuse = () => this.fail([req.sessionId], 'the leader cannot take more proposals');
        if (!this.prepareAndPropose(req, new Reader(bytes), wall, refuse)) return refuse();
      } else {
        const auth = req.auth.map((a) => ({ scheme: a.scheme, id: a.id }));
        this.link.send(this.leader, { type: 'forward', sessionId: req.sessionId, cxid: req.cxid, opType: req.type, auth, body: bytes });
      }
      if (closing) this.tracker.setClosing(req.sessionId);
    };
    this.whenLeader(req.sessionId, send);
  }

  /**
   * ZooKeeper's sync, linearizable: the leader confirms that it still leads (a heartbeat round, see
   * RaftNode.readIndex) and answers with its last index as of the request; `done` runs once this server
   * applied through it. A leader deposed without knowing it never confirms, so a sync never answers
   * from a log a newer leader has overtaken.
   */
  sync(sessionId: bigint, whenSynced: () => void): void {
    let syncing = this.syncing.get(sessionId);
    if (!syncing) this.syncing.set(sessionId, (syncing = { syncs: 0, writes: [] }));
    syncing.syncs++;
    const entry = syncing;
    const done = () => {
      whenSynced();
      // A failed session's entry is gone (or a new one took its place): nothing of it may run.
      if (this.syncing.get(sessionId) !== entry || --entry.syncs > 0) return;
      this.syncing.delete(sessionId);
      for (const w of entry.writes) w();
    };
    this.whenLeader(sessionId, () => {
      if (this.leading) return this.confirmRead({ sessionId, done }) ? undefined : this.fail([sessionId], 'the leader cannot take more syncs');
      const id = this.nextSyncId++;
      this.syncAsked.set(id, { sessionId, done });
      this.link.send(this.leader, { type: 'syncRequest', id });
    });
  }

  /** The time is `now`: the leader expires sessions, the others tell it who was active. */
  tick(now: Now): TrackedSession[] {
    this.now = now;
    if (this.stopped) return [];
    if (this.leading?.ready) {
      for (const s of this.tracker.expire(now.mono)) {
        if (this.proposeTxn(this.preparer.expireSession(s.id, this.nextZxid(), now.wall))) continue;
        // Overloaded: the session gets another timeout, and expires at the end of it if still silent.
        s.closing = false;
        this.tracker.touch(s.id, now.mono);
      }
    } else if (this.leader !== NO_NODE && !this.leading && !this.leaderGone && this.touched.size > 0) {
      this.link.send(this.leader, { type: 'touch', sessionIds: [...this.touched] });
      this.touched.clear();
    }
    // Connections go when the closeSession transaction applies, on whichever server holds them.
    return [];
  }

  sweepContainers(wall: number): void {
    if (this.stopped || !this.leading?.ready) return;
    for (const path of this.tree.expiredContainers(wall)) {
      const txn = this.preparer.deleteContainer(path, this.nextZxid(), wall);
      if (txn) this.proposeTxn(txn);
    }
  }

  // ---- messages from other servers

  shell(m: PeerShellMessage, now: Now): void {
    this.now = now;
    switch (m.type) {
      case 'forward': {
        // A forward from an earlier term was failed at its sender when the term changed (its client was
        // told ConnectionLoss and may have written since): applying it now could reorder the session.
        const refuse = (notLeader = false) => this.link.send(m.from, { type: 'forwardRefused', sessionId: m.sessionId, cxid: m.cxid, notLeader });
        // Not leading in the forward's term (or leading in a later one): the sender only acts on this
        // refusal while still in that term, when it means this server stepped down within it.
        if (!this.leading || m.term !== this.term) return refuse(true);
        const run = () => {
          if (!this.leading) return refuse(true);
          if (!this.proposeForwarded(m, now, refuse)) refuse();
        };
        if (this.leading.ready) return run();
        if (this.held.size >= HELD_REQUESTS_MAX) return refuse();
        this.held.push({ sessionId: m.sessionId, run, forwarded: true });
        return;
      }
      case 'forwardRefused':
        if (m.term !== this.term || m.from !== this.leader) return;
        if (m.notLeader) return this.resendRefused(m.sessionId, m.cxid);
        return this.fail([m.sessionId], 'the leader refused a forwarded request');
      case 'touch':
        if (this.leading) for (const id of m.sessionIds) this.tracker.touch(id, now.mono);
        return;
      case 'syncRequest':
        // Not the leader (or asked in another term): no answer, and the asking server drops its clients
        // when it learns the leader. Overloaded: no answer either, and the asker's client times out.
        if (this.leading && m.term === this.term) this.confirmRead({ from: m.from, id: m.id });
        return;
      case 'syncReply': {
        const asked = this.syncAsked.get(m.id);
        if (!asked || m.from !== this.leader) return;
        this.syncAsked.delete(m.id);
        return this.syncTo(m.index, asked.sessionId, asked.done);
      }
    }
  }

  // ---- consensus

  /** Consensus confirmed that this server led after these reads were asked (RaftNode.readIndex). */
  readsConfirmed(reads: readonly ReadState[]): void {
    for (const r of reads) {
      const waiter = this.confirming.get(r.ctx);
      if (!waiter) continue;
      this.confirming.delete(r.ctx);
      if ('from' in waiter) this.link.send(waiter.from, { type: 'syncReply', id: waiter.id, index: r.index });
      else this.syncTo(r.index, waiter.sessionId, waiter.done);
    }
  }

  /** Committed entries, in log order. */
  apply(entries: readonly Entry[]): void {
    for (const e of entries) this.applyEntry(e);
    if (this.leading && !this.leading.ready && this.applied >= this.leading.readyIndex) this.becomeReady();
    this.maybeSnapshot();
  }

  /** The leader's snapshot replaces everything: every client reconnects and resynchronises its watches. */
  restore(snapshot: Snapshot): void {
    decodeTreeInto(this.tree, snapshot.data);
    this.applied = snapshot.index;
    this.sinceSnapshot = 0;
    this.snapshotGap = this.nextSnapshotGap();
    this.changes.clear();
    this.failSent('state replaced by the leader\'s snapshot');
    // Every connection goes (below): requests held for a leader go with them.
    this.keepHeld(() => false);
    for (const s of [...this.tracker.values()]) this.tracker.remove(s.id);
    this.trackTreeSessions();
    // The snapshot may hold a reconfiguration this server never applied entry by entry.
    this.hooks.configChanged(this.tree.get(CONFIG_PATH)!.data?.toString() ?? '');
    this.hooks.dropAll('state replaced by the leader\'s snapshot');
  }

  /** Role, term or leader changed. */
  changed(status: RaftStatus): void {
    const isLeader = status.role === 'leader';
    if (status.leader === this.leader && status.term === this.term && isLeader === (this.leading !== null)) return;
    const wasLeading = this.leading !== null;
    // Within one term there is one leader: a server that stops hearing it (and campaigns, in vain while
    // the leader lives) keeps what it forwarded, which may still commit. A new term may have a leader
    // without those requests, so their outcome is unknown.
    if (status.term !== this.term) {
      this.failSent(`leader changed from ${this.leader} in epoch ${this.term} to ${status.leader} in epoch ${status.term}`);
      this.touched.clear();
      // A close or an expiry under way may never commit now; the new leader decides again.
      for (const s of this.tracker.values()) s.closing = false;
      // A session whose createSession this server proposed or forwarded may never commit either: only the
      // tree's sessions are known to exist (a committed, not yet applied one is added back when applied),
      // or this server, leading again later, would expire a session nobody created (simulation, F3).
      for (const s of [...this.tracker.values()]) if (!this.tree.sessions.has(s.id)) this.tracker.remove(s.id);
    }
    if (status.leader !== this.leader || status.term !== this.term) this.leaderGone = false;
    this.leader = status.leader;
    this.term = status.term;
    if (wasLeading && !isLeader) {
      this.leading = null;
      this.changes.clear();
      // Consensus dropped the reads it had not confirmed: this server's clients retry; other servers'
      // syncs fail there when they learn the next leader.
      const unconfirmed = this.takeConfirming();
      if (unconfirmed.length > 0) this.fail(unconfirmed, 'the leader stepped down before confirming a sync');
      this.abandonPlan();
      // Expiries it proposed may never commit, even within its own term; until the leader closes them,
      // those sessions may resume here (simulation, F2's second shape).
      for (const s of this.tracker.values()) s.closing = false;
    }
    if (isLeader && !wasLeading) {
      // Its opening entry is the last in its log now; until it is applied the tree may lack earlier terms' writes.
      this.leading = { readyIndex: status.lastIndex, ready: false };
      if (this.applied >= status.lastIndex) this.becomeReady();
    } else if (!isLeader && this.leader !== NO_NODE) {
      this.runHeld();
    }
  }

  // ---- internals

  private becomeReady(): void {
    this.leading!.ready = true;
    // A new leader knows nothing of when sessions were last heard from: each gets a full timeout.
    for (const [id, timeout] of this.tree.sessions) this.tracker.add(id, timeout, this.now.mono);
    this.repairMembership();
    this.runHeld();
  }

  /** A leader is known that takes requests: this server, caught up, or another that has not refused as not leading. */
  private leaderReady(): boolean {
    return this.leading ? this.leading.ready : this.leader !== NO_NODE && !this.leaderGone;
  }

  /** Runs `action` once a leader is known (and, if it is this server, caught up); else holds it. */
  private whenLeader(sessionId: bigint, action: () => void): void {
    if (this.leaderReady() && this.held.size === 0) return action();
    if (this.held.size >= HELD_REQUESTS_MAX) return this.fail([sessionId], 'too many requests waiting for a leader');
    this.held.push({ sessionId, run: action, forwarded: false });
    if (this.leaderReady()) this.runHeld();
  }

  private runHeld(): void {
    while (this.held.size > 0) this.held.shift()!.run();
  }

  private await(sessionId: bigint, waiter: Waiter): void {
    let q = this.waiting.get(sessionId);
    if (!q) this.waiting.set(sessionId, (q = new Fifo()));
    q.push(waiter);
    this.waitingCount++;
  }

  /**
   * The leader of this term refused the session's forward `cxid` because it no longer leads: it stepped
   * down within the term and cannot lead again in it, so that forward, and the session's later ones
   * (sent after it on the same ordered peer connection, so refused as well or lost), were never
   * proposed. They are taken back and held, ahead of anything held since, for the next leader; nothing
   * more goes to this one. The session's earlier writes may still commit; if they are not applied by the
   * time a new leader is known, their fate is unknown and the session is failed, these with it.
   */
  private resendRefused(sessionId: bigint, cxid: number): void {
    this.leaderGone = true;
    const again: Held[] = [];
    const opening = this.opening.get(sessionId);
    if (cxid === 0 && opening) {
      this.opening.delete(sessionId);
      again.push({ sessionId, run: opening.resend, forwarded: false });
    } else {
      const q = this.waiting.get(sessionId);
      const at = q ? [...q].findIndex((w) => w.cxid === cxid) : -1;
      // Not waited on: taken back with an earlier refusal of the session, or failed meanwhile.
      if (!q || at < 0) return;
      const taken = q.popTo(at).reverse();
      this.waitingCount -= taken.length;
      if (q.size === 0) this.waiting.delete(sessionId);
      for (const w of taken) again.push({ sessionId, run: w.resend, forwarded: false });
    }
    const later = [...this.held];
    this.keepHeld(() => false);
    for (const h of [...again, ...later]) this.held.push(h);
  }

  /** Drops the requests of `ids` this server waits on or holds, and their connections. */
  private fail(ids: readonly bigint[], reason: string): void {
    for (const id of ids) {
      const q = this.waiting.get(id);
      if (q) this.waitingCount -= q.size;
      this.waiting.delete(id);
      this.opening.delete(id);
      this.forgetDeferred(id);
    }
    // A held request of a failed session must not run later: its client saw ConnectionLoss before it.
    const failed = new Set(ids);
    this.keepHeld((h) => !failed.has(h.sessionId));
    this.hooks.dropSessions(ids, reason);
  }

  /** The session's writes waiting for its sync are dropped, and a sync completing later releases nothing. */
  private forgetDeferred(id: bigint): void {
    const syncing = this.syncing.get(id);
    if (!syncing) return;
    this.deferredCount -= syncing.writes.length;
    this.syncing.delete(id);
  }

  /**
   * The leader changed: nothing this server sent to the old one can be relied on to be answered. What it
   * holds for a leader was sent nowhere and waits for the next one (a role change that left this server
   * without a leader for a moment costs its clients nothing), except forwards of the old term.
   */
  private failSent(reason: string): void {
    const ids = new Set<bigint>([...this.waiting.keys(), ...this.opening.keys()]);
    for (const s of this.syncs) ids.add(s.sessionId);
    for (const s of this.syncAsked.values()) ids.add(s.sessionId);
    for (const id of this.takeConfirming()) ids.add(id);
    this.syncs.length = 0;
    this.syncAsked.clear();
    this.keepHeld((h) => !h.forwarded);
    if (ids.size > 0) this.fail([...ids], reason);
  }

  private confirmRead(waiter: { sessionId: bigint; done: () => void } | { from: NodeId; id: number }): boolean {
    const ctx = this.nextReadCtx++;
    if (!this.link.readIndex(ctx)) return false;
    this.confirming.set(ctx, waiter);
    return true;
  }

  /** Forgets every sync awaiting confirmation; returns the sessions of this server's own. */
  private takeConfirming(): bigint[] {
    const ids = [...this.confirming.values()].flatMap((c) => ('sessionId' in c ? [c.sessionId] : []));
    this.confirming.clear();
    return ids;
  }

  private keepHeld(keep: (h: Held) => boolean): void {
    const kept: Held[] = [];
    while (this.held.size > 0) {
      const h = this.held.shift()!;
      if (keep(h)) kept.push(h);
    }
    for (const h of kept) this.held.push(h);
  }

  private syncTo(index: number, sessionId: bigint, done: () => void): void {
    if (index <= this.applied) return done();
    let i = this.syncs.length;
    while (i > 0 && this.syncs[i - 1]!.index > index) i--;
    this.syncs.splice(i, 0, { index, sessionId, done });
  }

  private mintSessionId(): bigint {
    let id = this.sessionIds.mint(this.tree);
    // The leader knows every session created or being created: its own ids never collide with them.
    while (this.leading && this.sessionKnown(id)) id = this.sessionIds.mint(this.tree);
    return id;
  }

  /**
   * A session id the leader has proposed, or one at or below the highest its server ever had created:
   * another createSession for it must not commit. An ensemble member restarted after the wall clock
   * stepped back mints ids from an earlier time, and its tree (what it applied) may lag the ids it or an
   * earlier incarnation handed out, created, and maybe closed since (findings F4).
   */
  private sessionKnown(id: bigint): boolean {
    return this.tracker.get(id) !== undefined || this.tree.sessionIdUsed(id);
  }

  /** The zxid the next proposal will take: the leader's last entry is of its own term (its opening entry at least). */
  private nextZxid(): bigint {
    return this.link.status().lastZxid + 1n;
  }

  private proposeTxn(txn: Transaction): boolean {
    const r = this.link.propose(encodeTransaction(txn));
    if (!r.ok) return false;
    const zxid = makeZxid(r.term, r.counter);
    if (zxid !== txn.zxid) throw new Error(`proposed zxid 0x${txn.zxid.toString(16)} was logged as 0x${zxid.toString(16)}`);
    return true;
  }

  /**
   * Prepares a write on the leader and proposes it, or its refusal; false when nothing could be proposed.
   * A write of a session whose reconfig is under way waits for it (answers go in request order); if the
   * plan is abandoned, `refuse` tells its client.
   */
  private prepareAndPropose(req: WriteRequest, body: Reader, wall: number, refuse: () => void): boolean {
    const plan = this.plan;
    if (plan?.request?.req.sessionId === req.sessionId && !plan.proposedAll) {
      if (plan.after.length >= HELD_REQUESTS_MAX) return false;
      const bytes = body.bytes(body.remaining);
      plan.after.push({ run: () => this.prepareAndPropose(req, new Reader(bytes), this.now.wall, refuse) || refuse(), refuse });
      return true;
    }
    if (req.type === OpCode.reconfig) return this.reconfig(req, body, wall, refuse);
    const zxid = this.nextZxid();
    const mark = this.changes.mark();
    const outcome = this.preparer.prepare(req, body, zxid, wall);
    const txn = outcome.ok ? outcome.txn : errorTxn(req, outcome, zxid, wall);
    if (this.proposeTxn(txn)) return true;
    this.changes.rollback(mark);
    return false;
  }

  /**
   * ZooKeeper's reconfig (incremental: joining and leaving lists; or the whole new membership), checked
   * in ZooKeeper's order, then carried out as single-server membership changes (reconfig-plan.ts): the
   * last one carries the setData of /zookeeper/config with the new server lines and `version=` its zxid,
   * so the configuration clients see and the membership in force change together.
   */
  private reconfig(req: WriteRequest, body: Reader, wall: number, refuse: () => void): boolean {
    const refuseTxn = (err: number) => this.proposeTxn(errorTxn(req, { ok: false, err }, this.nextZxid(), wall));
    let servers: EnsembleServer[];
    let steps: MembershipChange[];
    try {
      const r = ReconfigRequest.read(body);
      if (!this.config.reconfigEnabled) throw new KeeperError(ErrorCode.reconfigDisabled);
      if (!this.tracker.isLive(req.sessionId)) throw new KeeperError(ErrorCode.sessionExpired);
      if (this.plan) throw new KeeperError(ErrorCode.reconfigInProgress);
      const node = this.tree.get(CONFIG_PATH)!;
      const current = parseConfigText(node.data?.toString() ?? '', maxServerId(this.config.extendedTypesEnabled));
      if (r.curConfigId !== -1n && r.curConfigId !== current.version) throw new KeeperError(ErrorCode.badVersion, CONFIG_PATH);
      servers = reconfigTarget(current.servers, r);
      const target = membershipOf(servers);
      // As ZooKeeper: with standaloneEnabled (its default) a lone voter would be a standalone server, so
      // two are needed; without it one voter is a quorum of one. None is never a quorum.
      if (target.voters.length < (this.config.standaloneEnabled ? 2 : 1)) throw new KeeperError(ErrorCode.badArguments);
      const synced = new Set(this.link.syncedFollowers());
      if (!quorumSynced(target, this.config.serverId, synced)) throw new KeeperError(ErrorCode.newConfigNoQuorum);
      // /zookeeper/config is world-readable only: in practice the super user reconfigures, as in ZooKeeper.
      // ZooKeeper checks this after the config version and the server lines (BadVersion and BadArguments
      // reach any client first; kazoo's own tests expect them without the super user).
      checkPermission(node.acl, Perms.write, req.auth, CONFIG_PATH);
      // Skein's own limit, after the permission (ZooKeeper checks no id range here): a session id carries
      // its server's id in the top byte.
      if (servers.some((s) => s.id > maxServerId(this.config.extendedTypesEnabled))) throw new KeeperError(ErrorCode.badArguments);
      steps = planSteps(this.link.status().membership, target, this.config.serverId, synced);
    } catch (err) {
      if (err instanceof KeeperError) return refuseTxn(err.code);
      if (err instanceof DecodeError) return refuseTxn(ErrorCode.badArguments);
      throw err;
    }
    this.plan = { steps, request: { req, servers, refuse }, index: 0, proposedAll: false, after: [] };
    // The leader replicates to joining servers from the first step on: it must reach old and new servers alike.
    const current = parseConfigText(this.tree.get(CONFIG_PATH)!.data?.toString() ?? '', Number.MAX_SAFE_INTEGER).servers;
    this.hooks.connect([...current.filter((s) => !servers.some((n) => n.id === s.id)), ...servers]);
    if (this.advancePlan()) return true;
    // Stepping down: nothing was proposed, and the caller tells the client.
    this.plan = null;
    return false;
  }

  /**
   * A new leader whose committed membership differs from /zookeeper/config's (its predecessor died
   * within a reconfig) takes the membership back to the configuration clients were last shown; the
   * interrupted request's client saw ConnectionLoss and may try again.
   */
  private repairMembership(): void {
    const servers = parseConfigText(this.tree.get(CONFIG_PATH)!.data?.toString() ?? '', Number.MAX_SAFE_INTEGER).servers;
    const target = membershipOf(servers);
    const from = this.link.status().membership;
    if (sameMembership(from, target) || target.voters.length === 0) return;
    this.plan = { steps: planSteps(from, target, this.config.serverId, new Set(this.link.syncedFollowers())), request: null, index: 0, proposedAll: false, after: [] };
    if (!this.advancePlan()) this.abandonPlan();
  }

  /**
   * Proposes the plan's next step; the last one with the new /zookeeper/config, then the writes that
   * waited for it. False when the leader could not propose (it is stepping down).
   */
  private advancePlan(): boolean {
    const plan = this.plan!;
    const step = plan.steps.shift();
    const last = plan.steps.length === 0;
    let data: Uint8Array | null = null;
    let zxid = 0n;
    if (last && plan.request) {
      const { req, servers } = plan.request;
      zxid = this.nextZxid();
      const node = this.tree.get(CONFIG_PATH)!;
      const txn: Transaction = {
        clientId: req.sessionId,
        cxid: req.cxid,
        zxid,
        time: this.now.wall,
        body: { type: OpCode.setData, path: CONFIG_PATH, data: Buffer.from(formatConfigText(servers, zxid)), version: node.version + 1 },
      };
      data = encodeTransaction(txn);
    }
    // A plan has a step, or a request whose configuration changes no role (a new address, or nothing).
    const r = step ? this.link.proposeMembership(step, data) : this.link.propose(data!);
    if (!r.ok) {
      // Only a leader losing its role refuses: every step is valid from the membership before it.
      if (r.reason !== 'not-leader') throw new Error(`reconfiguration step ${JSON.stringify(step)} refused: ${r.reason}`);
      return false;
    }
    if (data && makeZxid(r.term, r.counter) !== zxid) throw new Error(`reconfig proposed at 0x${zxid.toString(16)} was logged as 0x${makeZxid(r.term, r.counter).toString(16)}`);
    plan.index = r.index;
    if (last) {
      // Later writes of the session follow the last entry; another reconfig waits until it is applied.
      plan.proposedAll = true;
      for (const w of plan.after.splice(0)) w.run();
    }
    return true;
  }

  /** The leader stepped down within a reconfiguration: whoever waited on it must retry. */
  private abandonPlan(): void {
    const plan = this.plan;
    this.plan = null;
    plan?.request?.refuse();
    for (const w of plan?.after ?? []) w.refuse();
  }

  private proposeForwarded(m: Extract<PeerShellMessage, { type: 'forward' }>, now: Now, refuse: () => void): boolean {
    if (m.opType === OpCode.createSession) {
      // Refused, the client reconnects and its server mints another id.
      if (m.body.length !== 4 || this.sessionKnown(m.sessionId)) return false;
      const timeout = Buffer.from(m.body).readInt32BE(0);
      if (!this.proposeTxn(this.preparer.createSession(m.sessionId, timeout, this.nextZxid(), now.wall))) return false;
      this.tracker.add(m.sessionId, timeout, now.mono);
      return true;
    }
    this.tracker.touch(m.sessionId, now.mono);
    const auth: Id[] = m.auth.map((a) => ({ scheme: a.scheme, id: a.id }));
    const ok = this.prepareAndPropose({ sessionId: m.sessionId, cxid: m.cxid, type: m.opType, auth }, new Reader(Buffer.from(m.body.buffer, m.body.byteOffset, m.body.length)), now.wall, refuse);
    if (ok && m.opType === OpCode.closeSession) this.tracker.setClosing(m.sessionId);
    return ok;
  }

  private applyEntry(e: Entry): void {
    this.applied = e.index;
    this.sinceSnapshot++;
    // The plan's change in flight committed: the next may go (one uncommitted change at a time).
    if (this.plan?.index === e.index && this.leading) {
      if (this.plan.proposedAll) this.plan = null;
      else if (!this.advancePlan()) this.abandonPlan();
    }
    const zxid = makeZxid(e.term, e.counter);
    if (e.data === null) {
      // A leader's opening entry or a membership change: it takes a zxid, so the tree's last zxid moves too.
      if (zxid > this.tree.lastProcessedZxid) this.tree.lastProcessedZxid = zxid;
      return this.releaseSyncs();
    }
    const txn = readTransaction(new Reader(Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength)));
    if (txn.zxid !== zxid) throw new Error(`entry ${e.index} holds zxid 0x${txn.zxid.toString(16)} at 0x${zxid.toString(16)}`);
    const result = this.tree.apply(txn, (type, path) => this.hooks.trigger(type, path));
    this.changes.applied(zxid);
    const body = txn.body;
    if (body.type === OpCode.setData && body.path === CONFIG_PATH) this.hooks.configChanged(body.data?.toString() ?? '');
    if (body.type === OpCode.createSession) {
      this.tracker.add(txn.clientId, body.timeOut, this.now.mono);
      const opening = this.opening.get(txn.clientId);
      this.opening.delete(txn.clientId);
      opening?.opened(txn.clientId);
    }
    const waiter = this.waiting.get(txn.clientId)?.peek();
    if (waiter && waiter.cxid === txn.cxid && body.type !== OpCode.createSession) {
      const q = this.waiting.get(txn.clientId)!;
      q.shift();
      this.waitingCount--;
      if (q.size === 0) this.waiting.delete(txn.clientId);
      waiter.answer(answerOf(txn, result));
    } else if (body.type === OpCode.closeSession) {
      // Expired by the leader (or closed through another server): its connection here goes.
      this.fail([txn.clientId], 'session expired');
    } else if (waiter && txn.cxid > waiter.cxid && body.type !== OpCode.createSession) {
      // A later write of the session's connection committed first: the earlier one was lost on its way
      // to the leader (a peer connection dropped), and the client must learn it by a lost connection.
      this.fail([txn.clientId], 'a forwarded write was lost');
    }
    if (body.type === OpCode.closeSession) {
      this.tracker.remove(txn.clientId);
      this.touched.delete(txn.clientId);
    }
    this.releaseSyncs();
  }

  private releaseSyncs(): void {
    while (this.syncs.length > 0 && this.syncs[0]!.index <= this.applied) this.syncs.shift()!.done();
  }

  private maybeSnapshot(): void {
    if (this.sinceSnapshot < this.snapshotGap) return;
    this.sinceSnapshot = 0;
    this.snapshotGap = this.nextSnapshotGap();
    this.link.compact(this.applied, encodeTree(this.tree));
  }

  /**
   * A gap drawn from [snapCount/2, snapCount), anew after every snapshot, as ZooKeeper's
   * SyncRequestProcessor does (randRoll): every server applies the same entries, so with a fixed gap all
   * of them would write a snapshot, roll their log segment and sync their directory at the same index,
   * stalling the whole ensemble's writes at once. Staggered, a majority is still writing meanwhile.
   */
  private nextSnapshotGap(): number {
    const half = Math.floor(this.config.snapCount / 2);
    return this.config.snapCount - half + this.config.random(half);
  }

  private trackTreeSessions(): void {
    for (const [id, timeout] of this.tree.sessions) this.tracker.add(id, timeout, this.now.mono);
  }
}

/** A refused write as a transaction: ZooKeeper's ErrorTxn, or for a multi one error per op. */
function errorTxn(req: WriteRequest, outcome: Extract<PrepOutcome, { ok: false }>, zxid: bigint, time: number): Transaction {
  const body: TxnBody = outcome.multi
    ? { type: OpCode.multi, txns: outcome.multi.map((m) => ({ type: OpCode.error, err: m.type === OpCode.error ? m.err : ErrorCode.ok })) }
    : { type: OpCode.error, err: outcome.err };
  return { clientId: req.sessionId, cxid: req.cxid, zxid, time, body };
}

/** The answer a write gets once its transaction is applied; refusals answer as a standalone server's do. */
function answerOf(txn: Transaction, result: ReturnType<DataTree['apply']>): WriteAnswer {
  const body = txn.body;
  if (body.type === OpCode.error) return { applied: false, zxid: txn.zxid, err: body.err };
  if (body.type === OpCode.multi && body.txns.length > 0 && body.txns.every((t) => t.type === OpCode.error)) {
    const errs = body.txns.map((t) => (t.type === OpCode.error ? t.err : ErrorCode.ok));
    const multi: MultiResult[] = errs.map((err) => ({ type: OpCode.error, err }));
    return { applied: false, zxid: txn.zxid, err: errs.find((err) => err !== ErrorCode.ok) ?? ErrorCode.ok, multi };
  }
  return { applied: true, zxid: txn.zxid, result };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
