// Kafka's replication protocol for one partition as a pure state machine, after Kafka 3.9 in ZooKeeper
// mode (Partition.scala, Replica.scala, AbstractFetcherThread, LeaderEpochFileCache). The controller's
// decisions come in as `becomeLeader`/`becomeFollower`; fetches, appends, durability reports and ISR
// answers come in as calls; time comes in as ticks. Answers to fetches and produce checks come back
// directly; everything else the shell must do (a new high watermark, an ISR change to send, acks=all
// produces to answer, an epoch checkpoint to write) collects until `drain()`. No I/O, clock or
// randomness lives here. See docs/replication.md for the design and what the shell must do.
import { ErrorCode } from '../../protocol/kafka/errors.js';
import type { ReplicationConfig } from './replication/config.js';
import { FollowerSide } from './replication/follower.js';
import { LeaderSide } from './replication/leader.js';
import { LocalLogView } from './replication/local-log.js';
import {
  NO_LEADER,
  UNDEFINED_EPOCH,
  type BrokerId,
  type FetchAnswer,
  type FetchRequest,
  type FetchResponse,
  type FollowerAction,
  type FollowerFetch,
  type IsrChangeRequest,
  type IsrChangeResult,
  type LocalLog,
  type PartitionState,
  type ProduceCompletion,
  type ReplicationEffects,
} from './replication/types.js';

export * from './replication/types.js';
export { replicationConfig, type ReplicationConfig } from './replication/config.js';

export type ReplicaRole = 'none' | 'leader' | 'follower';

export interface ReplicationStatus {
  role: ReplicaRole;
  leader: BrokerId;
  leaderEpoch: number;
  partitionEpoch: number;
  logStartOffset: number;
  logEndOffset: number;
  writtenEndOffset: number;
  durableEndOffset: number;
  highWatermark: number;
  /** Leader only: the committed ISR, and the maximal one (with a pending addition). */
  isr: BrokerId[];
  maximalIsr: BrokerId[];
  /** Leader only: the ISR change sent and not yet answered. */
  pendingIsrChange: IsrChangeRequest | null;
  pendingProduces: number;
}

export class PartitionReplication {
  private role: ReplicaRole = 'none';
  private readonly log: LocalLogView;
  private readonly completed: ProduceCompletion[] = [];
  private readonly isrChanges: IsrChangeRequest[] = [];
  private leaderSide: LeaderSide | null = null;
  private readonly followerSide: FollowerSide;
  private leaderEpoch = UNDEFINED_EPOCH;
  private partitionEpoch = -1;
  private reportedHighWatermark: number;

  constructor(
    private cfg: ReplicationConfig,
    local?: LocalLog,
  ) {
    this.log = new LocalLogView(local);
    this.followerSide = new FollowerSide(this.log);
    this.reportedHighWatermark = this.log.highWatermark;
  }

  // ---- from the controller

  /**
   * LeaderAndIsr naming this broker leader. Ignored (false) when older than what we hold: a lower
   * partition epoch or leader epoch, as a reordered or repeated controller message would be.
   */
  becomeLeader(state: PartitionState, now: number): boolean {
    if (state.leader !== this.cfg.brokerId || this.isStale(state)) return false;
    const isNewLeader = this.role !== 'leader';
    if (isNewLeader) {
      this.leaderSide = new LeaderSide(this.cfg, this.log, this.completed, this.isrChanges);
      this.followerSide.become(NO_LEADER, UNDEFINED_EPOCH);
    }
    this.role = 'leader';
    this.leaderSide!.become(state, now, isNewLeader);
    this.leaderEpoch = state.leaderEpoch;
    this.partitionEpoch = state.partitionEpoch;
    return true;
  }

  /** LeaderAndIsr naming another broker leader (or none: the partition is offline). */
  becomeFollower(state: PartitionState): boolean {
    if (state.leader === this.cfg.brokerId || this.isStale(state)) return false;
    if (this.role === 'leader') {
      this.leaderSide!.resign();
      this.leaderSide = null;
    }
    this.role = 'follower';
    if (state.leaderEpoch > this.leaderEpoch || state.leader !== this.followerSide.leader) this.followerSide.become(state.leader, state.leaderEpoch);
    this.leaderEpoch = state.leaderEpoch;
    this.partitionEpoch = state.partitionEpoch;
    return true;
  }

  /** StopReplica, or a ZooKeeper session lost: stop acting as leader or follower until told again. */
  stop(): void {
    this.leaderSide?.resign();
    this.leaderSide = null;
    this.followerSide.become(NO_LEADER, this.leaderEpoch);
    this.role = 'none';
  }

  /**
   * Older than what we hold. A leader also drops a repeat of its current state: it can only be a late
   * copy, and taking it would forget an ISR change the controller may already have applied.
   */
  private isStale(state: PartitionState): boolean {
    const partitionEpoch = this.leaderSide?.partitionEpoch ?? this.partitionEpoch;
    if (state.partitionEpoch < partitionEpoch || state.leaderEpoch < this.leaderEpoch) return true;
    return this.role === 'leader' && state.leaderEpoch === this.leaderEpoch && state.partitionEpoch === partitionEpoch;
  }

  /**
   * New settings (a topic's min.insync.replicas changed, as Kafka reads it on every append); the broker
   * id must stay. A lower minimum may let the high watermark move at once.
   */
  reconfigure(cfg: ReplicationConfig, now: number): void {
    if (cfg.brokerId !== this.cfg.brokerId) throw new Error(`broker id ${this.cfg.brokerId} cannot become ${cfg.brokerId}`);
    this.cfg = cfg;
    this.leaderSide?.reconfigure(cfg, now);
  }

  // ---- leader side

  onFollowerFetch(fetch: FollowerFetch, now: number): FetchAnswer {
    if (this.role !== 'leader') {
      const range = { logStartOffset: this.log.logStartOffset, logEndOffset: this.log.logEndOffset };
      if (fetch.currentLeaderEpoch !== null && fetch.currentLeaderEpoch < this.leaderEpoch) return { errorCode: ErrorCode.FENCED_LEADER_EPOCH, ...range };
      if (fetch.currentLeaderEpoch !== null && fetch.currentLeaderEpoch > this.leaderEpoch) return { errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH, ...range };
      return { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, ...range };
    }
    return this.leaderSide!.onFetch(fetch, now);
  }

  /** Before a produce is appended: NONE, or the error to answer it with. */
  checkProduce(acksAll: boolean): number {
    if (this.role !== 'leader') return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    return this.leaderSide!.checkAppend(acksAll);
  }

  /**
   * The shell appended a produce batch at `baseOffset..lastOffset`, stamped with `status().leaderEpoch`.
   * With `waiter`, it is acks=all: its completion comes out of `drain()` under `token`, by `deadline`.
   */
  onLocalAppend(baseOffset: number, lastOffset: number, now: number, waiter?: { token: number; deadline: number }): void {
    if (this.role !== 'leader') throw new Error(`broker ${this.cfg.brokerId} appended as leader while ${this.role}`);
    if (baseOffset !== this.log.logEndOffset || lastOffset < baseOffset) throw new Error(`append ${baseOffset}..${lastOffset} does not follow ${this.log.logEndOffset}`);
    this.log.assignEpoch(this.leaderEpoch, baseOffset);
    this.log.logEndOffset = lastOffset + 1;
    this.leaderSide!.onAppend(lastOffset, waiter, now);
  }

  /**
   * A produce answered with records appended earlier (an idempotent producer's retried batch, up to
   * `lastOffset`): with `waiter` it completes as an acks=all append of those records would.
   */
  onDuplicateAppend(lastOffset: number, now: number, waiter?: { token: number; deadline: number }): void {
    if (this.role !== 'leader') throw new Error(`broker ${this.cfg.brokerId} answered a duplicate as leader while ${this.role}`);
    this.leaderSide!.onAppend(lastOffset, waiter, now);
  }

  onIsrChangeResult(request: IsrChangeRequest, result: IsrChangeResult, now: number): void {
    this.leaderSide?.onIsrChangeResult(request, result, now);
  }

  // ---- follower side

  /** The fetch to send next, or null: not a follower, fenced, or waiting for an append to be written. */
  fetchRequest(): FetchRequest | null {
    return this.role === 'follower' ? this.followerSide.fetchRequest() : null;
  }

  onFetchResponse(request: FetchRequest, response: FetchResponse): FollowerAction {
    if (this.role !== 'follower') return { kind: 'stale' };
    return this.followerSide.onFetchResponse(request, response);
  }

  // ---- both

  /** The log is written below `endOffset` (the shell's write to the file finished; no fsync yet). */
  onWritten(endOffset: number): void {
    this.log.writtenEndOffset = Math.max(this.log.writtenEndOffset, Math.min(endOffset, this.log.logEndOffset));
  }

  /** The log is durable below `endOffset` (the shell's fsync finished); durable is written too. */
  onDurable(endOffset: number, now: number): void {
    const d = Math.min(endOffset, this.log.logEndOffset);
    if (d <= this.log.durableEndOffset) return;
    this.log.durableEndOffset = d;
    this.onWritten(d);
    this.leaderSide?.maybeIncrementHighWatermark(now);
  }

  tick(now: number): void {
    this.leaderSide?.tick(now);
  }

  drain(): ReplicationEffects {
    const hw = this.log.highWatermark;
    const effects: ReplicationEffects = {
      highWatermark: hw !== this.reportedHighWatermark ? hw : null,
      isrChange: this.isrChanges.splice(0).at(-1) ?? null,
      completed: this.completed.splice(0),
      epochCheckpoint: this.log.takeEpochCheckpoint(),
    };
    this.reportedHighWatermark = hw;
    return effects;
  }

  status(): ReplicationStatus {
    const l = this.leaderSide;
    return {
      role: this.role,
      leader: this.role === 'leader' ? this.cfg.brokerId : this.followerSide.leader,
      leaderEpoch: this.leaderEpoch,
      partitionEpoch: l?.partitionEpoch ?? this.partitionEpoch,
      logStartOffset: this.log.logStartOffset,
      logEndOffset: this.log.logEndOffset,
      writtenEndOffset: this.log.writtenEndOffset,
      durableEndOffset: this.log.durableEndOffset,
      highWatermark: this.log.highWatermark,
      isr: l ? [...l.isr] : [],
      maximalIsr: l ? [...l.maximalIsr()] : [],
      pendingIsrChange: l?.pending?.request ?? null,
      pendingProduces: l?.pendingProduces() ?? 0,
    };
  }
}
