// Raft with pre-vote and check-quorum as a pure state machine, in the shape of etcd's raft: inputs are
// `step(message)`, `tick()`, `propose(data)`, `compact(index, data)` and `persisted(seq)`; `ready()`
// hands out what to make durable, what to send and what to apply. No sockets, timers, files, clock or
// randomness live here (the election jitter comes from the injected `random`), so a seeded simulation
// replays any run exactly. See docs/consensus.md for the design and how it maps onto ZooKeeper.
//
// Durability: a message that vouches for durable state (a vote, an append acknowledgement, a vote
// request counting the candidate's own vote) is held until the write that made that state durable has
// been reported with `persisted(seq)`. A leader counts itself towards a commit the same way.
import type { ConsensusConfig } from './config.js';
import { EntryArena } from './entry-arena.js';
import { RaftLog } from './log.js';
import { malformed } from './validate.js';
import { Progress } from './progress.js';
import {
  NO_NODE,
  type DurableState,
  type Dropped,
  type Entry,
  type Membership,
  type MembershipChange,
  type Message,
  type NodeId,
  type Persist,
  type ProposeResult,
  type ReadState,
  type Ready,
  type Snapshot,
} from './types.js';
import { EPOCH_MAX, makeZxid, type Zxid } from './zxid.js';

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

export interface RaftOptions {
  config: ConsensusConfig;
  /** An integer in [0, n): the only source of randomness, so the caller can seed it. */
  random: (n: number) => number;
  /** What the disk held at start; a new server starts empty. */
  durable?: DurableState;
}

export interface RaftStatus {
  id: NodeId;
  role: Role;
  term: number;
  leader: NodeId;
  commit: number;
  applied: number;
  snapshotIndex: number;
  lastIndex: number;
  lastZxid: Zxid;
  membership: Membership;
  /**
   * The term is EPOCH_MAX: no server can campaign past it, so once this epoch's leader is gone or its
   * zxid counter is spent the ensemble has no leader until an operator intervenes. For the shell to say so.
   */
  lastEpoch: boolean;
  /**
   * In sync with this term's leader, as ZooKeeper means it when a server reports its role: on a leader,
   * a quorum holds an entry of its term (it committed one); on a follower or learner, the leader counts
   * its log matched (see `leaderHasUs`). ZooKeeper's srvr shows no role before that.
   */
  synced: boolean;
}

type OfType<T extends Message['type']> = Extract<Message, { type: T }>;
/** A message before the core stamps it with its sender and term. */
type Outgoing = Message extends infer M ? (M extends Message ? Omit<M, 'from' | 'term'> & { term?: number } : never) : never;

export class RaftNode {
  readonly id: NodeId;
  private readonly cfg: ConsensusConfig;
  private readonly random: (n: number) => number;
  // The membership in force: the latest in the log, even uncommitted (single-server changes).
  private membership: Membership;
  private voters: ReadonlySet<NodeId> = new Set();
  private members: ReadonlySet<NodeId> = new Set();
  private quorum = 1;
  /** Index of the entry that installed the membership in force; 0 when it came from a snapshot or the config. */
  private membershipIndex = 0;

  private term = 0;
  private vote: NodeId = NO_NODE;
  private leader: NodeId = NO_NODE;
  private role: Role = 'follower';
  private readonly log: RaftLog;
  /** Owns the bytes of entries proposed here (see entry-arena.ts). */
  private readonly arena = new EntryArena();
  private commit = 0;
  /** The last index handed out for applying. */
  private applied = 0;

  private ticks = 0;
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private electionTimeout = 0;
  private readonly votes = new Map<NodeId, boolean>();
  /** The persist that makes a candidate's vote for itself durable; it counts only after that. */
  private selfVoteSeq: number | null = null;
  private readonly progress = new Map<NodeId, Progress>();

  // Persistence: changes since the last Persist, and what earlier ones covered.
  private batchFrom: number | null = null;
  private batchSnapshot: Snapshot | null = null;
  private durableTerm = 0;
  private durableVote: NodeId = NO_NODE;
  private seq = 0;
  private persistedSeq = 0;
  private readonly issued: Array<{ seq: number; lastIndex: number; lastTerm: number }> = [];
  /** The last index durable on this server's disk and agreeing with the log as it is now. */
  private stableIndex = 0;

  // ReadIndex: the latest read round started and the latest confirmed (one is in flight when they
  // differ), the highest round each member echoed this term, and reads waiting for their round.
  private readRound = 0;
  private readConfirmed = 0;
  private readonly readAcks = new Map<NodeId, number>();
  private readonly readQueue: Array<{ ctx: number; index: number; round: number }> = [];
  private readsOut: ReadState[] = [];
  /**
   * On a follower or learner: this term's leader has shown that it holds our log matched past an entry
   * of its term, i.e. it counts us replicating (ZooKeeper's synced learner). Its heartbeats carry a commit
   * index capped at what we acknowledged, so one reaching an entry of this term says so.
   */
  private leaderHasUs = false;

  private readonly held: Array<{ seq: number; message: Message }> = [];
  private outbox: Message[] = [];
  /**
   * On a leader: followers owed an append, sent at the next ready() (true: even an empty one, to carry
   * a new commit index). Proposals, acknowledgements and commits between two ready() calls then cost
   * one append per follower, not one each: under load a ready() batch holds hundreds of proposals, and
   * every append costs an encode, a decode and an acknowledgement.
   */
  private readonly appendDue = new Map<NodeId, boolean>();
  private droppedOut: Dropped[] = [];
  private restoreOut: Snapshot | null = null;

  constructor(options: RaftOptions) {
    this.cfg = options.config;
    this.id = this.cfg.id;
    this.random = options.random;
    const d = options.durable;
    this.log = new RaftLog(d?.snapshot ?? null, d?.entries ?? []);
    this.membership = this.cfg.membership;
    this.refreshMembership(0);
    if (d) {
      this.term = this.durableTerm = d.hardState.term;
      this.vote = this.durableVote = d.hardState.vote;
      this.applied = this.log.snapshotIndex();
      this.commit = Math.min(Math.max(d.hardState.commit, this.applied), this.log.lastIndex());
      this.stableIndex = this.log.lastIndex();
    }
    this.resetElectionTimeout();
  }

  // ---- inputs

  tick(): void {
    this.ticks++;
    this.electionElapsed++;
    if (this.role === 'leader') {
      this.heartbeatElapsed++;
      if (this.electionElapsed >= this.cfg.electionTicks) {
        this.electionElapsed = 0;
        if (!this.checkQuorum()) return this.becomeFollower(this.term, NO_NODE);
      }
      if (this.heartbeatElapsed >= this.cfg.heartbeatTicks) {
        this.heartbeatElapsed = 0;
        this.broadcastHeartbeat();
      }
      return;
    }
    if (this.electionElapsed >= this.electionTimeout && this.mayCampaign()) this.becomePreCandidate();
  }

  /**
   * The connection to server `id` closed: the shell saw its socket end (a killed process's sockets are
   * closed by its kernel). If `id` is this follower's leader, its lease lapses now rather than after an
   * election timeout of silence: this server grants (pre-)votes from now on and campaigns within a few
   * ticks, drawn at random so the leader's other followers, which saw their sockets close at the same
   * moment, do not split the vote. ZooKeeper's followers likewise start an election when the leader's
   * socket closes. A hint, never trusted for safety: a follower whose connection merely broke asks for
   * pre-votes that every server still hearing the leader refuses, and its next append makes it follow again.
   */
  peerDown(id: NodeId): void {
    if (this.role !== 'follower' || id !== this.leader) return;
    this.electionElapsed = Math.max(this.electionElapsed, this.cfg.electionTicks);
    this.electionTimeout = this.electionElapsed + 1 + this.random(Math.max(2, this.cfg.electionTicks >> 1));
  }

  propose(data: Uint8Array): ProposeResult {
    if (this.role !== 'leader') return { ok: false, reason: 'not-leader', leader: this.leader };
    if (data.length > this.cfg.entryBytesMax) return { ok: false, reason: 'too-large', leader: this.leader };
    if (this.log.lastIndex() - this.commit >= this.cfg.uncommittedEntriesMax) return { ok: false, reason: 'too-many-uncommitted', leader: this.leader };
    return this.proposeEntry(data, undefined);
  }

  /**
   * Change one server's role, with `data` for the application in the same entry. Only one change may be uncommitted at a time, and only once this leader
   * has committed an entry of its own term (else two leaders' changes could form disjoint majorities).
   */
  proposeMembership(change: MembershipChange, data: Uint8Array | null = null): ProposeResult {
    if (!Number.isSafeInteger(change.id) || change.id <= NO_NODE) throw new RangeError(`server id ${change.id} is not a positive integer`);
    const refuse = (reason: Extract<ProposeResult, { ok: false }>['reason']): ProposeResult => ({ ok: false, reason, leader: this.leader });
    if (this.role !== 'leader') return refuse('not-leader');
    if (this.membershipIndex > this.commit || this.log.term(this.commit) !== this.term) return refuse('membership-change-pending');
    const voters = this.membership.voters.filter((v) => v !== change.id);
    const learners = this.membership.learners.filter((l) => l !== change.id);
    if (change.type === 'addVoter') voters.push(change.id);
    if (change.type === 'addLearner') learners.push(change.id);
    const next: Membership = { voters: voters.sort((a, b) => a - b), learners: learners.sort((a, b) => a - b) };
    if (next.voters.join() === this.membership.voters.join() && next.learners.join() === this.membership.learners.join()) return refuse('membership-unchanged');
    if (next.voters.length === 0) return refuse('last-voter');
    // `data` rides in the same entry (ZooKeeper's new configuration text), so both take effect together.
    return this.proposeEntry(data, next);
  }

  private proposeEntry(data: Uint8Array | null, membership: Membership | undefined): ProposeResult {
    const e = this.appendEntry(data && this.arena.copy(data), membership);
    for (const id of this.progress.keys()) this.owe(id, false);
    // The zxid counter is spent: start a new epoch now. Followers let their own leader's vote request
    // through their lease, and its log is the most complete, so it normally wins at once.
    if (e.counter >= this.cfg.zxidCounterMax) this.becomeCandidate();
    return { ok: true, index: e.index, term: e.term, counter: e.counter };
  }

  /**
   * ReadIndex (Raft thesis §6.4): confirm that this server still leads before a read relies on its log.
   * The answer comes in a later ready().reads as `ctx` with the last index as of this call, once a
   * majority of voters echoed a heartbeat round started after this call: a voter that echoes it is still
   * in this term, so no later leader was elected without one of them, and nothing was committed that
   * this log lacks. A leader already replaced never gets its majority and never answers; reads queued
   * when it stops leading are dropped (the shell sees the role change). Rounds run one at a time, and
   * every read queued meanwhile shares the next. False when not leader or `readsPendingMax` wait.
   */
  readIndex(ctx: number): boolean {
    if (this.role !== 'leader' || this.readQueue.length >= this.cfg.readsPendingMax) return false;
    this.readQueue.push({ ctx, index: this.log.lastIndex(), round: this.readRound + 1 });
    if (this.readConfirmed === this.readRound) this.startReadRound();
    return true;
  }

  step(m: Message): void {
    if (m.to !== this.id) return this.drop(m, `addressed to server ${m.to}`);
    if (m.from === this.id) return this.drop(m, 'from this server');
    // A leader this server has not heard of is still let in: a majority elected it, and the entries it
    // sends are how a lagging server learns the membership that names it. Anything else from an
    // unknown server (votes, answers) is refused.
    const leaderTraffic = m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot';
    // A leader that removed itself hands over with timeoutNow, after its removal took it out of our membership.
    const handOver = m.type === 'timeoutNow' && m.from === this.leader;
    if (!this.isKnown(m.from) && !(leaderTraffic && m.term >= this.term) && !handOver) return this.drop(m, `from unknown server ${m.from}`);
    const bad = malformed(m);
    if (bad !== null) return this.drop(m, `malformed ${m.type}: ${bad}`);
    if (m.term > this.term) {
      if (m.type === 'preVote' || m.type === 'vote') {
        // Leader lease: while we hear from a leader, nobody else can be elected with our help, so a
        // server that was cut off cannot depose a working leader when it comes back. A leader that is
        // no voter of our membership has removed or demoted itself and is handing over: no lease.
        if (this.leader !== NO_NODE && this.leader !== m.from && this.voters.has(this.leader) && this.electionElapsed < this.cfg.electionTicks) {
          return this.drop(m, `${m.type} from ${m.from} while leader ${this.leader} is alive`);
        }
      }
      const noTermChange = m.type === 'preVote' || (m.type === 'preVoteResponse' && !m.reject);
      if (!noTermChange) {
        const fromLeader = m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot';
        this.becomeFollower(m.term, fromLeader ? m.from : NO_NODE);
      }
    } else if (m.term < this.term) {
      // A deposed leader learns our term from the answer and steps down; a cut-off pre-candidate too.
      if (m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot') {
        this.send({ type: 'appendResponse', to: m.from, index: 0, reject: true, hintIndex: 0, hintTerm: 0 });
      } else if (m.type === 'preVote') {
        this.send({ type: 'preVoteResponse', to: m.from, reject: true });
      }
      return this.drop(m, `stale term ${m.term} < ${this.term}`);
    }
    switch (m.type) {
      case 'preVote':
      case 'vote':
        return this.handleVote(m);
      case 'append':
      case 'heartbeat':
      case 'snapshot':
        if (this.role === 'leader') return this.drop(m, `second leader ${m.from} in term ${m.term}`);
        if (this.role !== 'follower') this.becomeFollower(m.term, m.from);
        this.leader = m.from;
        this.electionElapsed = 0;
        if (m.type === 'append') return this.handleAppend(m);
        if (m.type === 'heartbeat') return this.handleHeartbeat(m);
        return this.handleSnapshot(m);
      case 'appendResponse':
      case 'heartbeatResponse': {
        if (this.role !== 'leader') return this.drop(m, `${m.type} while not leader`);
        // Known from the committed membership, but this leader's pending change removed it.
        const p = this.progress.get(m.from);
        if (!p) return this.drop(m, `${m.type} from ${m.from}, no longer a member`);
        return m.type === 'appendResponse' ? this.handleAppendResponse(m, p) : this.handleHeartbeatResponse(m, p);
      }
      case 'timeoutNow':
        if (this.role !== 'follower' || m.from !== this.leader || !this.mayCampaign()) return this.drop(m, `timeoutNow from ${m.from}, not this follower's leader or it may not campaign`);
        return this.becomeCandidate();
      case 'preVoteResponse':
        if (this.role !== 'preCandidate' || m.term !== this.term + (m.reject ? 0 : 1)) return this.drop(m, 'pre-vote response out of its round');
        return this.recordVote(m.from, !m.reject);
      case 'voteResponse':
        if (this.role !== 'candidate') return this.drop(m, 'vote response while not a candidate');
        return this.recordVote(m.from, !m.reject);
    }
  }

  /** The shell has made every Persist up to `seq` durable. */
  persisted(seq: number): void {
    if (!Number.isInteger(seq) || seq > this.seq) throw new Error(`persisted(${seq}) but only ${this.seq} were issued`);
    if (seq <= this.persistedSeq) return;
    this.persistedSeq = seq;
    while (this.issued.length > 0 && this.issued[0]!.seq <= seq) {
      const w = this.issued.shift()!;
      // A later truncation may have replaced what this write held; Log Matching makes the term check enough.
      if (w.lastIndex <= this.log.snapshotIndex() || this.log.term(w.lastIndex) === w.lastTerm) {
        this.stableIndex = Math.max(this.stableIndex, Math.min(w.lastIndex, this.log.lastIndex()));
      }
    }
    let released = 0;
    while (released < this.held.length && this.held[released]!.seq <= seq) this.outbox.push(this.held[released++]!.message);
    this.held.splice(0, released);
    if (this.role === 'candidate' && this.selfVoteSeq !== null && this.selfVoteSeq <= seq) {
      this.selfVoteSeq = null;
      this.recordVote(this.id, true);
    } else if (this.role === 'leader') {
      this.maybeCommit();
    }
  }

  /** The application saved its state through `index` (already applied): entries up to it may go. */
  compact(index: number, data: Uint8Array): void {
    if (index > this.applied) throw new Error(`cannot compact to ${index}: only ${this.applied} applied`);
    if (index <= this.log.snapshotIndex()) return;
    const e = this.log.entry(index)!;
    const snapshot: Snapshot = { index, term: e.term, counter: e.counter, membership: this.membershipAt(index), data };
    this.log.compact(snapshot);
    this.batchSnapshot = snapshot;
  }

  ready(): Ready {
    this.sendOwed();
    let persist: Persist | null = null;
    if (this.unpersisted()) {
      const truncateFrom = this.batchFrom === null ? null : Math.max(this.batchFrom, this.log.firstIndex());
      persist = {
        seq: ++this.seq,
        snapshot: this.batchSnapshot,
        truncateFrom,
        entries: truncateFrom === null ? [] : this.log.slice(truncateFrom, this.log.lastIndex()),
        hardState: { term: this.term, vote: this.vote, commit: this.commit },
      };
      this.issued.push({ seq: this.seq, lastIndex: this.log.lastIndex(), lastTerm: this.log.lastTerm() });
      this.batchFrom = null;
      this.batchSnapshot = null;
      this.durableTerm = this.term;
      this.durableVote = this.vote;
    }
    const restore = this.restoreOut;
    this.restoreOut = null;
    // A restarted server may have a long committed tail to apply: hand it out a message's worth at a time.
    const commit = this.commit > this.applied ? this.log.slice(this.applied + 1, this.commit, this.cfg.messageBytesMax) : [];
    this.applied = commit.at(-1)?.index ?? this.applied;
    const out: Ready = { persist, send: this.outbox, restore, commit, dropped: this.droppedOut, reads: this.readsOut };
    this.outbox = [];
    this.droppedOut = [];
    this.readsOut = [];
    return out;
  }

  /**
   * On a leader: each other member's replication state (empty elsewhere), for the shell's monitoring
   * and its reconfiguration checks; `heardTicksAgo` is Infinity for a member never heard from this term.
   */
  followers(): { id: NodeId; match: number; replicating: boolean; heardTicksAgo: number }[] {
    return [...this.progress].map(([id, p]) => ({ id, match: p.match, replicating: p.state === 'replicate', heardTicksAgo: this.ticks - p.heardTick }));
  }

  /** Whether `ready()` has anything to hand out. */
  hasReady(): boolean {
    return (
      this.unpersisted() ||
      this.appendDue.size > 0 ||
      this.outbox.length > 0 ||
      this.droppedOut.length > 0 ||
      this.restoreOut !== null ||
      this.commit > this.applied ||
      this.readsOut.length > 0
    );
  }

  status(): RaftStatus {
    return {
      id: this.id,
      role: this.role,
      term: this.term,
      leader: this.leader,
      commit: this.commit,
      applied: this.applied,
      snapshotIndex: this.log.snapshotIndex(),
      lastIndex: this.log.lastIndex(),
      lastZxid: makeZxid(this.log.lastTerm(), this.log.lastCounter()),
      membership: this.membership,
      lastEpoch: this.term >= EPOCH_MAX,
      synced: this.role === 'leader' ? this.log.term(this.commit) === this.term : this.leaderHasUs,
    };
  }

  // ---- roles

  private becomeFollower(term: number, leader: NodeId): void {
    if (term > this.term) {
      this.term = term;
      this.vote = NO_NODE;
    }
    this.role = 'follower';
    this.leader = leader;
    this.resetRound();
  }

  private becomePreCandidate(): void {
    // No epoch is left to campaign in (an operator must intervene); the leader not heard from for a
    // timeout is forgotten all the same, so the shell sees that no one leads.
    if (this.term >= EPOCH_MAX) return this.becomeFollower(this.term, NO_NODE);
    this.role = 'preCandidate';
    this.leader = NO_NODE;
    this.resetRound();
    for (const v of this.voters) {
      if (v !== this.id) this.send({ type: 'preVote', to: v, term: this.term + 1, lastIndex: this.log.lastIndex(), lastTerm: this.log.lastTerm() });
    }
    this.recordVote(this.id, true);
  }

  private becomeCandidate(): void {
    if (this.term >= EPOCH_MAX) return this.becomeFollower(this.term, NO_NODE);
    this.term++;
    this.vote = this.id;
    this.role = 'candidate';
    this.leader = NO_NODE;
    this.resetRound();
    this.selfVoteSeq = this.seq + 1;
    for (const v of this.voters) {
      if (v !== this.id) this.sendDurable({ type: 'vote', to: v, lastIndex: this.log.lastIndex(), lastTerm: this.log.lastTerm() });
    }
  }

  private becomeLeader(): void {
    this.role = 'leader';
    this.leader = this.id;
    this.resetRound();
    for (const m of this.members) {
      if (m !== this.id) this.progress.set(m, new Progress(this.log.lastIndex() + 1));
    }
    // Recently elected means recently heard from a quorum.
    for (const p of this.progress.values()) p.recentActive = true;
    // Entries of earlier terms commit only with one of this term (Raft §5.4.2); it opens the epoch.
    this.appendEntry(null);
    this.broadcastAppend();
  }

  private resetRound(): void {
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.votes.clear();
    this.selfVoteSeq = null;
    this.progress.clear();
    this.appendDue.clear();
    this.readAcks.clear();
    this.readQueue.length = 0;
    this.readConfirmed = this.readRound;
    this.leaderHasUs = false;
    this.resetElectionTimeout();
  }

  private resetElectionTimeout(): void {
    this.electionTimeout = this.cfg.electionTicks + this.random(this.cfg.electionTicks);
  }

  private recordVote(from: NodeId, granted: boolean): void {
    if (!this.votes.has(from)) this.votes.set(from, granted);
    let yes = 0;
    let no = 0;
    for (const [v, g] of this.votes) if (this.voters.has(v)) g ? yes++ : no++;
    if (yes >= this.quorum) {
      if (this.role === 'preCandidate') this.becomeCandidate();
      else if (this.role === 'candidate') this.becomeLeader();
    } else if (no >= this.quorum) {
      this.becomeFollower(this.term, NO_NODE);
    }
  }

  private checkQuorum(): boolean {
    let active = this.voters.has(this.id) ? 1 : 0;
    for (const [id, p] of this.progress) {
      if (this.voters.has(id) && p.recentActive) active++;
      p.recentActive = false;
    }
    return active >= this.quorum;
  }

  // ---- voting

  private handleVote(m: OfType<'preVote' | 'vote'>): void {
    const responseType = m.type === 'preVote' ? 'preVoteResponse' : 'voteResponse';
    // Whoever asks is answered, learner or not: a candidate counts only the voters of its own
    // membership, which may be newer or older than ours (a server whose uncommitted change demoted it
    // may be the vote the rest need).
    const canVote =
      this.vote === m.from ||
      (this.vote === NO_NODE && this.leader === NO_NODE) ||
      (m.type === 'preVote' && m.term > this.term);
    if (canVote && this.log.isUpToDate(m.lastIndex, m.lastTerm)) {
      if (m.type === 'preVote') return this.send({ type: responseType, to: m.from, term: m.term, reject: false });
      this.vote = m.from;
      this.electionElapsed = 0;
      return this.sendDurable({ type: responseType, to: m.from, reject: false });
    }
    this.send({ type: responseType, to: m.from, reject: true });
  }

  // ---- follower

  private handleAppend(m: OfType<'append'>): void {
    if (m.prevIndex < this.commit) {
      return this.sendDurable({ type: 'appendResponse', to: m.from, index: this.commit, reject: false, hintIndex: 0, hintTerm: 0 });
    }
    if (!this.log.matchTerm(m.prevIndex, m.prevTerm)) {
      const hintIndex = this.log.findConflictByTerm(Math.min(m.prevIndex, this.log.lastIndex()), m.prevTerm);
      return this.send({ type: 'appendResponse', to: m.from, index: m.prevIndex, reject: true, hintIndex, hintTerm: this.log.term(hintIndex) ?? 0 });
    }
    const lastNew = m.prevIndex + m.entries.length;
    const conflict = this.log.findConflict(m.entries);
    if (conflict !== 0) {
      if (conflict <= this.commit) throw new Error(`entry ${conflict} conflicts with the committed log (commit ${this.commit})`);
      this.log.truncateAndAppend(m.entries.slice(conflict - m.prevIndex - 1));
      this.markUnstable(conflict);
      this.refreshMembership(conflict);
    }
    this.commitTo(Math.min(m.commit, lastNew));
    this.sendDurable({ type: 'appendResponse', to: m.from, index: lastNew, reject: false, hintIndex: 0, hintTerm: 0 });
  }

  private handleHeartbeat(m: OfType<'heartbeat'>): void {
    // The leader sends at most what we acknowledged, which was durable and is still ours this term.
    const acknowledged = Math.min(m.commit, this.log.lastIndex());
    this.commitTo(acknowledged);
    if (this.log.term(acknowledged) === this.term) this.leaderHasUs = true;
    this.send({ type: 'heartbeatResponse', to: m.from, round: m.round });
  }

  private handleSnapshot(m: OfType<'snapshot'>): void {
    const s = m.snapshot;
    if (s.index <= this.commit) {
      return this.sendDurable({ type: 'appendResponse', to: m.from, index: this.commit, reject: false, hintIndex: 0, hintTerm: 0 });
    }
    if (this.log.matchTerm(s.index, s.term)) {
      // We hold it all already: only the commit point was missing.
      this.commitTo(s.index);
    } else {
      this.log.restore(s);
      this.commit = this.applied = s.index;
      this.stableIndex = Math.min(this.stableIndex, s.index);
      this.batchSnapshot = s;
      this.batchFrom = s.index + 1;
      this.restoreOut = s;
      this.refreshMembership(0);
    }
    this.sendDurable({ type: 'appendResponse', to: m.from, index: s.index, reject: false, hintIndex: 0, hintTerm: 0 });
  }

  private commitTo(index: number): void {
    if (index > this.commit) this.commit = index;
  }

  // ---- leader

  private appendEntry(data: Uint8Array | null, membership?: Membership): Entry {
    const index = this.log.lastIndex() + 1;
    const counter = this.log.lastTerm() === this.term ? this.log.lastCounter() + 1 : 1;
    const e: Entry = membership ? { index, term: this.term, counter, data, membership } : { index, term: this.term, counter, data };
    this.log.truncateAndAppend([e]);
    this.markUnstable(index);
    if (membership) this.refreshMembership(index);
    return e;
  }

  // ---- membership

  /**
   * A member now, or of the committed membership an uncommitted change departs from: a server our
   * change removes may be the leader that will overwrite it.
   */
  private isKnown(id: NodeId): boolean {
    if (this.members.has(id)) return true;
    if (this.membershipIndex <= this.commit) return false;
    const committed = this.membershipAt(this.commit);
    return committed.voters.includes(id) || committed.learners.includes(id);
  }

  /**
   * A voter campaigns; so does one that an uncommitted change of its own log demoted or removed, since
   * its log may be the only one with that change, and the others may need it to lead until it commits
   * (Raft thesis §4.2.2).
   */
  private mayCampaign(): boolean {
    if (this.voters.has(this.id)) return true;
    return this.membershipIndex > this.commit && this.membershipAt(this.membershipIndex - 1).voters.includes(this.id);
  }

  /** The membership in force once the log up to `index` is appended. */
  private membershipAt(index: number): Membership {
    for (let i = Math.min(index, this.log.lastIndex()); i >= this.log.firstIndex(); i--) {
      const m = this.log.entry(i)!.membership;
      if (m) return m;
    }
    return this.log.snapshot()?.membership ?? this.cfg.membership;
  }

  /**
   * The log changed from `from` on (0: it was replaced): if that may have added or removed a
   * membership entry, find the one in force again.
   */
  private refreshMembership(from: number): void {
    if (from > 0 && from > this.membershipIndex && !this.log.slice(from, this.log.lastIndex()).some((e) => e.membership)) return;
    let index = 0;
    for (let i = this.log.lastIndex(); i >= this.log.firstIndex() && index === 0; i--) if (this.log.entry(i)!.membership) index = i;
    this.membershipIndex = index;
    this.membership = this.membershipAt(this.log.lastIndex());
    this.voters = new Set(this.membership.voters);
    this.members = new Set([...this.membership.voters, ...this.membership.learners]);
    this.quorum = Math.floor(this.voters.size / 2) + 1;
    if (this.role !== 'leader') return;
    for (const id of this.progress.keys()) if (!this.members.has(id)) this.progress.delete(id);
    for (const id of this.members) {
      if (id === this.id || this.progress.has(id)) continue;
      const p = new Progress(this.log.lastIndex());
      p.recentActive = true;
      this.progress.set(id, p);
    }
  }

  /** An append to `to` at the next ready(); `commitNotice`: even with no new entries. */
  /** Sends the appends owed since the last ready(): one per follower, several where the window allows. */
  private sendOwed(): void {
    for (const [id, commitNotice] of this.appendDue) {
      const p = this.progress.get(id);
      if (!p) continue;
      this.sendAppend(id, p, commitNotice);
      // More than one message's worth goes as several, as far as the window allows.
      while (p.state === 'replicate' && p.next <= this.log.lastIndex() && p.inflight.length < this.cfg.inflightMessagesMax) this.sendAppend(id, p);
    }
    this.appendDue.clear();
  }

  private owe(to: NodeId, commitNotice: boolean): void {
    this.appendDue.set(to, commitNotice || (this.appendDue.get(to) ?? false));
  }

  private broadcastAppend(): void {
    for (const [id, p] of this.progress) this.sendAppend(id, p);
  }

  private broadcastHeartbeat(): void {
    for (const [id, p] of this.progress) this.send({ type: 'heartbeat', to: id, commit: Math.min(p.match, this.commit), round: this.readRound });
  }

  private startReadRound(): void {
    this.readRound++;
    this.broadcastHeartbeat();
    this.maybeConfirmReads();
  }

  /** The round in flight is confirmed once a majority of voters (this one included) echoed it. */
  private maybeConfirmReads(): void {
    if (this.readConfirmed === this.readRound) return;
    let echoes = 0;
    for (const v of this.voters) if (v === this.id || (this.readAcks.get(v) ?? 0) >= this.readRound) echoes++;
    if (echoes < this.quorum) return;
    this.readConfirmed = this.readRound;
    let released = 0;
    while (released < this.readQueue.length && this.readQueue[released]!.round <= this.readConfirmed) {
      const r = this.readQueue[released++]!;
      this.readsOut.push({ ctx: r.ctx, index: r.index });
    }
    this.readQueue.splice(0, released);
    if (this.readQueue.length > 0) this.startReadRound();
  }

  /**
   * `probeIfIdle`: in replicate state with nothing new, still send an empty append, so a follower that
   * lost what it was sent (it restarted before syncing) refuses it and the leader goes back to probing.
   */
  private sendAppend(to: NodeId, p: Progress, probeIfIdle = false): void {
    if (p.state === 'snapshot' || (p.state === 'probe' && p.paused)) return;
    if (p.state === 'replicate' && p.inflight.length >= this.cfg.inflightMessagesMax) return;
    const prevIndex = p.next - 1;
    const prevTerm = this.log.term(prevIndex);
    if (prevTerm === undefined) {
      const snapshot = this.log.snapshot()!;
      p.becomeSnapshot(snapshot.index, this.ticks);
      return this.send({ type: 'snapshot', to, snapshot });
    }
    const entries = this.log.slice(p.next, this.log.lastIndex(), this.cfg.messageBytesMax);
    if (p.state === 'replicate') {
      if (entries.length === 0 && !probeIfIdle) return;
      if (entries.length > 0) {
        p.next = entries.at(-1)!.index + 1;
        p.inflight.push(p.next - 1);
      }
    } else {
      p.paused = true;
    }
    this.send({ type: 'append', to, prevIndex, prevTerm, entries, commit: this.commit });
  }

  private handleAppendResponse(m: OfType<'appendResponse'>, p: Progress): void {
    p.recentActive = true;
    p.heardTick = this.ticks;
    if (m.reject) {
      if (p.maybeDecrease(m.index, this.log.findConflictByTerm(m.hintIndex, m.hintTerm))) this.sendAppend(m.from, p);
      return;
    }
    if (!p.maybeUpdate(m.index)) return;
    if (p.state === 'probe' || (p.state === 'snapshot' && p.match >= p.pendingSnapshot)) p.becomeReplicate();
    this.maybeCommit();
    // The commit may have moved the leader on (or it stepped down on a spent counter).
    if (this.role === 'leader') this.owe(m.from, false);
  }

  private handleHeartbeatResponse(m: OfType<'heartbeatResponse'>, p: Progress): void {
    p.recentActive = true;
    if (m.round > (this.readAcks.get(m.from) ?? 0)) {
      this.readAcks.set(m.from, m.round);
      this.maybeConfirmReads();
    }
    p.heardTick = this.ticks;
    p.paused = false;
    // An append may have been lost: free a slot so the stream cannot stall on a full window.
    if (p.state === 'replicate' && p.inflight.length >= this.cfg.inflightMessagesMax) p.inflight.shift();
    if (p.state === 'snapshot' && this.ticks - p.snapshotSentTick >= this.cfg.snapshotTimeoutTicks) p.becomeProbe();
    if (p.match < this.log.lastIndex()) this.sendAppend(m.from, p, true);
  }

  private maybeCommit(): void {
    const matches: number[] = [];
    for (const v of this.voters) matches.push(v === this.id ? this.stableIndex : (this.progress.get(v)?.match ?? 0));
    matches.sort((a, b) => b - a);
    const index = matches[this.quorum - 1]!;
    // Only an entry of this term commits by counting (Raft §5.4.2); earlier ones follow it.
    if (index > this.commit && this.log.term(index) === this.term) {
      this.commit = index;
      // Followers learn the new commit point now rather than at the next heartbeat: a ZooKeeper write
      // sent to a follower is answered only once that follower applies it (etcd's bcastAppend on commit).
      for (const [id, p] of this.progress) if (p.state === 'replicate') this.owe(id, true);
    }
    // A leader that removed itself leads until that change commits, then hands over to the voter whose
    // log is longest (it wins unless a longer one exists, and then an ordinary election follows).
    if (!this.voters.has(this.id) && this.commit >= this.membershipIndex) {
      let successor = NO_NODE;
      let match = -1;
      for (const v of this.voters) {
        const p = this.progress.get(v);
        if (p && p.match > match) [successor, match] = [v, p.match];
      }
      // Owed appends go first: stepping down forgets them, and the members (observers too) learn that
      // the change committed from them, not only once the next leader commits something of its own.
      this.sendOwed();
      if (successor !== NO_NODE) this.send({ type: 'timeoutNow', to: successor });
      this.becomeFollower(this.term, NO_NODE);
    }
  }

  // ---- output

  private markUnstable(from: number): void {
    this.batchFrom = this.batchFrom === null ? from : Math.min(this.batchFrom, from);
    this.stableIndex = Math.min(this.stableIndex, from - 1);
  }

  private unpersisted(): boolean {
    return this.batchFrom !== null || this.batchSnapshot !== null || this.term !== this.durableTerm || this.vote !== this.durableVote;
  }

  private stamp(m: Outgoing): Message {
    // Not `{ ...m, from, term }`: V8 builds a spread followed by more properties through the runtime,
    // about 20 times slower, and every message the core sends passes here.
    return Object.assign({}, m, { from: this.id, term: m.term ?? this.term }) as Message;
  }

  private send(m: Outgoing): void {
    this.outbox.push(this.stamp(m));
  }

  /** Send once everything this server has changed so far is on disk. */
  private sendDurable(m: Outgoing): void {
    const seq = this.unpersisted() ? this.seq + 1 : this.seq;
    if (seq <= this.persistedSeq) this.outbox.push(this.stamp(m));
    else this.held.push({ seq, message: this.stamp(m) });
  }

  private drop(message: Message, reason: string): void {
    this.droppedOut.push({ message, reason });
  }
}
