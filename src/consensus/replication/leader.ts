// The leader side of one partition, after Kafka 3.9's Partition.scala: it answers follower fetches,
// tracks where each follower is, keeps the ISR (shrinking and expanding it through the controller),
// advances the high watermark and completes acks=all produces.
//
// The ISR has a committed part (what the controller last confirmed) and at most one change in flight.
// The high watermark and acks=all use the "maximal" ISR (KIP-497): committed members plus a pending
// addition, and still counting a pending removal, so an unconfirmed change can only make them stricter.
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import type { ReplicationConfig } from './config.js';
import type { LocalLogView } from './local-log.js';
import { emptyReplicaState, isCaughtUp, recordFetch, resetForEpoch, type ReplicaState } from './replica-state.js';
import {
  UNDEFINED_EPOCH,
  UNDEFINED_EPOCH_OFFSET,
  type BrokerId,
  type FetchAnswer,
  type FollowerFetch,
  type IsrChangeRequest,
  type IsrChangeResult,
  type PartitionState,
  type ProduceCompletion,
} from './types.js';

interface Waiter {
  token: number;
  /** The produce is done when the high watermark reaches this (its last offset + 1). */
  requiredOffset: number;
  deadline: number;
}

type PendingChange = { kind: 'expand'; id: BrokerId; request: IsrChangeRequest } | { kind: 'shrink'; ids: BrokerId[]; request: IsrChangeRequest };

export class LeaderSide {
  leaderEpoch = UNDEFINED_EPOCH;
  partitionEpoch = -1;
  /** Where this leader's epoch began: a follower must reach it before it may join the ISR. */
  epochStartOffset = 0;
  replicas: BrokerId[] = [];
  isr = new Set<BrokerId>();
  pending: PendingChange | null = null;
  readonly followers = new Map<BrokerId, ReplicaState>();
  private readonly waiters: Waiter[] = [];
  private nextShrinkCheck = 0;

  constructor(
    private cfg: ReplicationConfig,
    private readonly log: LocalLogView,
    private readonly completed: ProduceCompletion[],
    private readonly isrChanges: IsrChangeRequest[],
  ) {}

  /** Take the controller's state. A new epoch starts here; the same epoch only refreshes the ISR. */
  become(state: PartitionState, now: number, isNewLeader: boolean): void {
    const isNewEpoch = state.leaderEpoch > this.leaderEpoch;
    this.replicas = [...state.replicas];
    for (const id of this.replicas) if (id !== this.cfg.brokerId && !this.followers.has(id)) this.followers.set(id, emptyReplicaState());
    for (const id of [...this.followers.keys()]) if (!this.replicas.includes(id)) this.followers.delete(id);
    this.isr = new Set(state.isr);
    this.pending = null;
    if (isNewEpoch) {
      const start = this.log.logEndOffset;
      // A follower may hold records of a later epoch than any we wrote; this entry answers it.
      this.log.assignEpoch(state.leaderEpoch, start);
      for (const [id, s] of this.followers) this.followers.set(id, resetForEpoch(s, now, start, isNewLeader, this.isr.has(id)));
      this.leaderEpoch = state.leaderEpoch;
      this.epochStartOffset = start;
      this.nextShrinkCheck = now + this.shrinkInterval();
    }
    this.partitionEpoch = state.partitionEpoch;
    this.maybeIncrementHighWatermark(now);
  }

  reconfigure(cfg: ReplicationConfig, now: number): void {
    this.cfg = cfg;
    this.maybeIncrementHighWatermark(now);
  }

  /** No longer leader: every waiting produce is answered NOT_LEADER_OR_FOLLOWER. */
  resign(): void {
    for (const w of this.waiters.splice(0)) this.completed.push({ token: w.token, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER });
    this.pending = null;
  }

  maximalIsr(): Set<BrokerId> {
    const m = new Set(this.isr);
    if (this.pending?.kind === 'expand') m.add(this.pending.id);
    return m;
  }

  effectiveMinIsr(): number {
    return Math.min(this.cfg.minInsyncReplicas, this.replicas.length);
  }

  // ---- fetches from followers

  onFetch(f: FollowerFetch, now: number): FetchAnswer {
    const range = { logStartOffset: this.log.logStartOffset, logEndOffset: this.log.logEndOffset };
    if (f.currentLeaderEpoch !== null && f.currentLeaderEpoch < this.leaderEpoch) return { errorCode: ErrorCode.FENCED_LEADER_EPOCH, ...range };
    if (f.currentLeaderEpoch !== null && f.currentLeaderEpoch > this.leaderEpoch) return { errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH, ...range };
    const replica = f.replicaId === this.cfg.brokerId ? undefined : this.followers.get(f.replicaId);
    // Not an assigned replica: with an epoch in the request the pair (replica, epoch) is what we do not know.
    if (!replica) return { errorCode: f.currentLeaderEpoch !== null ? ErrorCode.UNKNOWN_LEADER_EPOCH : ErrorCode.NOT_LEADER_OR_FOLLOWER, ...range };
    const hw = this.log.highWatermark;
    const leaderEnd = this.log.logEndOffset;
    if (f.lastFetchedEpoch !== UNDEFINED_EPOCH) {
      const { epoch, endOffset } = this.log.epochs.endOffsetFor(f.lastFetchedEpoch, leaderEnd);
      if (epoch === UNDEFINED_EPOCH || endOffset === UNDEFINED_EPOCH_OFFSET) return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, ...range };
      if (f.fetchOffset < this.log.logStartOffset) return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, ...range };
      // The follower's last epoch ends earlier here, or we never had it: it truncates, and this fetch
      // says nothing about where it is.
      if (epoch < f.lastFetchedEpoch || endOffset < f.fetchOffset) {
        return { errorCode: ErrorCode.NONE, fromOffset: f.fetchOffset, toOffset: f.fetchOffset, highWatermark: hw, logStartOffset: this.log.logStartOffset, divergingEpoch: { epoch, endOffset } };
      }
    }
    if (f.fetchOffset < this.log.logStartOffset || f.fetchOffset > leaderEnd) return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, ...range };
    const before = replica.logEndOffset;
    recordFetch(replica, f.fetchOffset, f.logStartOffset, now, leaderEnd);
    this.maybeExpandIsr(f.replicaId, replica);
    if (before !== replica.logEndOffset) this.maybeIncrementHighWatermark(now);
    return { errorCode: ErrorCode.NONE, fromOffset: f.fetchOffset, toOffset: leaderEnd, highWatermark: hw, logStartOffset: this.log.logStartOffset, divergingEpoch: null };
  }

  // ---- produce

  /** Whether a produce may be appended: acks=all is refused while the ISR is below min.insync.replicas. */
  checkAppend(acksAll: boolean): number {
    if (acksAll && this.isr.size < this.effectiveMinIsr()) return ErrorCode.NOT_ENOUGH_REPLICAS;
    if (acksAll && this.waiters.length >= this.cfg.pendingProducesMax) return ErrorCode.REQUEST_TIMED_OUT;
    return ErrorCode.NONE;
  }

  onAppend(lastOffset: number, waiter: { token: number; deadline: number } | undefined, now: number): void {
    if (waiter) this.waiters.push({ token: waiter.token, requiredOffset: lastOffset + 1, deadline: waiter.deadline });
    this.maybeIncrementHighWatermark(now);
  }

  // ---- time and the controller

  tick(now: number): void {
    if (now >= this.nextShrinkCheck) {
      this.nextShrinkCheck = now + this.shrinkInterval();
      this.maybeShrinkIsr(now);
    }
    // The HW may have been held by a follower that has since stopped counting as caught up.
    this.maybeIncrementHighWatermark(now);
    for (let i = 0; i < this.waiters.length; ) {
      const w = this.waiters[i]!;
      if (now >= w.deadline) {
        this.waiters.splice(i, 1);
        this.completed.push({ token: w.token, errorCode: ErrorCode.REQUEST_TIMED_OUT });
      } else i++;
    }
  }

  onIsrChangeResult(request: IsrChangeRequest, result: IsrChangeResult, now: number): void {
    if (this.pending === null || this.pending.request !== request) return;
    if (!result.ok) {
      // The controller says it did not apply the change: back to the committed ISR. Any other refusal
      // means our view is stale; we stay pending until the controller's LeaderAndIsr arrives.
      if (result.errorCode === ErrorCode.OPERATION_NOT_ATTEMPTED || result.errorCode === ErrorCode.INELIGIBLE_REPLICA) this.pending = null;
      return;
    }
    if (result.leaderEpoch !== this.leaderEpoch || result.partitionEpoch < this.partitionEpoch) return;
    this.isr = new Set(result.isr);
    this.partitionEpoch = result.partitionEpoch;
    this.pending = null;
    this.maybeIncrementHighWatermark(now);
  }

  // ---- ISR and high watermark

  private shrinkInterval(): number {
    return Math.max(1, Math.floor(this.cfg.replicaLagTimeMaxTicks / 2));
  }

  private maybeShrinkIsr(now: number): void {
    if (this.pending !== null) return;
    const out = [...this.isr].filter((id) => {
      if (id === this.cfg.brokerId) return false;
      const s = this.followers.get(id);
      return s === undefined || !isCaughtUp(s, this.log.logEndOffset, now, this.cfg.replicaLagTimeMaxTicks);
    });
    if (out.length === 0) return;
    this.propose({ kind: 'shrink', ids: out }, [...this.isr].filter((id) => !out.includes(id)));
  }

  /** A follower that reached the high watermark and this epoch's start is back in sync. */
  private maybeExpandIsr(id: BrokerId, s: ReplicaState): void {
    if (this.pending !== null || this.isr.has(id)) return;
    if (s.logEndOffset < this.log.highWatermark || s.logEndOffset < this.epochStartOffset) return;
    this.propose({ kind: 'expand', id }, [...this.isr, id]);
  }

  private propose(change: { kind: 'expand'; id: BrokerId } | { kind: 'shrink'; ids: BrokerId[] }, isr: BrokerId[]): void {
    const request: IsrChangeRequest = { leader: this.cfg.brokerId, leaderEpoch: this.leaderEpoch, isr: this.inReplicaOrder(isr), partitionEpoch: this.partitionEpoch };
    this.pending = { ...change, request } as PendingChange;
    this.isrChanges.push(request);
  }

  private inReplicaOrder(ids: BrokerId[]): BrokerId[] {
    return this.replicas.filter((r) => ids.includes(r));
  }

  /**
   * The high watermark is the lowest log end among the maximal ISR and any follower caught up enough to
   * be joining it, capped by this leader's durable end (Skein's rule: a leader never counts records it
   * could lose in a crash). It does not move while the ISR is below min.insync.replicas (Kafka 3.7+).
   */
  maybeIncrementHighWatermark(now: number): void {
    if (this.isr.size < this.effectiveMinIsr()) return;
    const maximal = this.maximalIsr();
    let hw = Math.min(this.log.logEndOffset, this.log.durableEndOffset);
    for (const [id, s] of this.followers) {
      if (s.logEndOffset >= hw) continue;
      if (maximal.has(id) || isCaughtUp(s, this.log.logEndOffset, now, this.cfg.replicaLagTimeMaxTicks)) hw = s.logEndOffset;
    }
    if (hw <= this.log.highWatermark) return;
    this.log.highWatermark = hw;
    this.completeWaiters();
  }

  private completeWaiters(): void {
    const enough = this.maximalIsr().size >= this.effectiveMinIsr();
    while (this.waiters.length > 0 && this.waiters[0]!.requiredOffset <= this.log.highWatermark) {
      const w = this.waiters.shift()!;
      this.completed.push({ token: w.token, errorCode: enough ? ErrorCode.NONE : ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND });
    }
  }

  pendingProduces(): number {
    return this.waiters.length;
  }
}
