// The I/O shell around one partition's replication core (src/consensus/partition-replication.ts): it
// feeds the core what happens to the partition (the controller's state, appends, fsyncs, follower
// fetches at the leader, fetch answers at the follower, ticks) and carries out what the core asks (set
// the high watermark, append or truncate the log, write the leader-epoch checkpoint, send an ISR change,
// answer acks=all produces). docs/replication.md "What the shell must do" is the contract.
//
// A partition with a single replica (`skein start`, or RF=1 in a cluster) has no core: its high
// watermark follows the log end and acks=all means the local fsync, exactly the single-node path.
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import { DecodeError } from '../../../protocol/bytes.js';
import {
  PartitionReplication,
  type FetchAnswer,
  type FetchRequest,
  type FetchResponse,
  type FollowerAction,
  type FollowerFetch,
  type IsrChangeRequest,
  type IsrChangeResult,
  type PartitionState,
  type ReplicationConfig,
} from '../../consensus/partition-replication.js';
import type { AppendResult } from '../../log/partition-log.js';
import type { Logger } from '../../logger.js';
import { splitBatches } from '../client/consumer.js';
import type { Partition } from '../partitions/partition.js';

/** A partition's state as the controller sent it. */
export interface ControlledState extends PartitionState {
  readonly controllerEpoch: number;
}

/** What the shell needs from the broker around it. */
export interface ReplicaHost {
  readonly brokerId: number;
  readonly log: Logger;
  now(): number;
  /** Pause before a partition is fetched again after an error (replica.fetch.backoff.ms). */
  readonly fetchBackoffMs: number;
  /** Send this ISR change to the controller, and keep sending it while the core still waits for it. */
  sendIsrChange(rp: ReplicatedPartition, request: IsrChangeRequest): void;
  /** The partition may be fetchable again (an append was written, a truncation finished). */
  wake(rp: ReplicatedPartition): void;
}

/** A leader's fetch answer for one partition, as the follower's fetcher decoded it. */
export interface FetchedPartition {
  readonly errorCode: number;
  readonly highWatermark: number;
  readonly logStartOffset: number;
  readonly records: Buffer | null;
  readonly divergingEpoch?: { readonly epoch: number; readonly endOffset: number };
}

export class ReplicatedPartition {
  /** Null while the partition has a single replica (the single-node path), or while it is (re)built. */
  private core: PartitionReplication | null = null;
  /**
   * The controller gave the partition several replicas. Until its core is built (or while it is rebuilt)
   * appends are refused, never taken on the single-node path that would acknowledge them alone.
   */
  private replicated = false;
  private state: ControlledState | undefined;
  /** A truncation or a rebuild of the core is under way: the fetcher leaves the partition alone. */
  private busy = false;
  /** The fetcher waits until then after an error. */
  private retryAt = 0;
  /** acks=all produces waiting for the high watermark, by the core's token. */
  private readonly waiters = new Map<number, (errorCode: number) => void>();
  private nextToken = 1;
  /** An epoch checkpoint the core asked for while the log was busy, written once it is not. */
  private pendingEpochs: readonly { epoch: number; startOffset: number }[] | null = null;

  constructor(
    readonly partition: Partition,
    private readonly config: () => ReplicationConfig,
    private readonly host: ReplicaHost,
  ) {}

  get leaderEpoch(): number {
    return this.state?.leaderEpoch ?? -1;
  }

  get controlled(): ControlledState | undefined {
    return this.state;
  }

  get isReplicated(): boolean {
    return this.replicated;
  }

  get leader(): number {
    return this.state?.leader ?? -1;
  }

  // ---- from the controller

  /**
   * Takes a LeaderAndIsr state whose leader epoch is newer than ours (the manager checked it). A
   * partition with one replica drops its core; one with more gets a core built from its log (made
   * durable first: the core counts only what is on disk).
   */
  async apply(state: ControlledState, startHighWatermark?: number): Promise<void> {
    const log = this.partition.log;
    const replicated = state.replicas.length > 1;
    this.replicated = replicated;
    if (!replicated) {
      this.dropCore(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      log.setHighWatermarkFollowsLogEnd(state.leader === this.host.brokerId);
    } else if (!this.core) {
      this.busy = true;
      try {
        log.setHighWatermarkFollowsLogEnd(false);
        await log.flush();
        this.core = this.buildCore(startHighWatermark ?? log.logStartOffset);
        // From here only the core moves it: consumers read below what it counts as replicated.
        log.highWatermark = this.core.status().highWatermark;
      } finally {
        this.busy = false;
      }
    }
    this.state = state;
    this.becomeRole();
  }

  /** StopReplica: no longer leader or follower until the controller says again. */
  stop(): void {
    this.core?.stop();
    this.settle();
    // Neither leader nor follower: produces and fetches here get NOT_LEADER_OR_FOLLOWER.
    this.partition.leaderId = -1;
  }

  private becomeRole(): void {
    const state = this.state!;
    const p = this.partition;
    p.replicas = [...state.replicas];
    p.isr = [...state.isr];
    p.leaderId = state.leader;
    p.leaderEpoch = state.leaderEpoch;
    if (!this.core) {
      // One replica: lead it as the single node does, the epoch starting at the log end.
      // (A log already holding a later epoch keeps it: the controller's epochs only rise.)
      if (state.leader === this.host.brokerId && state.leaderEpoch >= (p.log.latestLeaderEpoch ?? 0)) p.log.startLeaderEpoch(state.leaderEpoch);
      return;
    }
    const now = this.host.now();
    if (state.leader === this.host.brokerId) this.core.becomeLeader(state, now);
    else this.core.becomeFollower(state);
    this.settle();
  }

  /**
   * `highWatermark`: the checkpointed one at a broker's start (without a checkpoint, the log start: safe,
   * it rises as soon as the ISR has fetched), the log's own when the core is rebuilt. The core caps it
   * at the log end.
   */
  private buildCore(highWatermark: number): PartitionReplication {
    const log = this.partition.log;
    return new PartitionReplication(this.config(), {
      logStartOffset: log.logStartOffset,
      logEndOffset: log.logEndOffset,
      epochs: log.leaderEpochEntries(),
      highWatermark,
    });
  }

  private dropCore(errorCode: number): void {
    if (!this.core) return;
    this.core.stop();
    this.settle();
    this.core = null;
    for (const [token, answer] of this.waiters) {
      this.waiters.delete(token);
      answer(errorCode);
    }
  }

  /**
   * The core and the log no longer agree (an append the log refused after the core took it): rebuild
   * the core from the log as it stands and take up the controller's state again.
   */
  private rebuild(reason: unknown): void {
    this.host.log.warn({ partition: this.partition.name, err: reason }, 'replica state and log disagree; rebuilding the replica state from the log');
    this.dropCore(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    if (!this.state) return;
    const state = this.state;
    void this.apply(state, this.partition.log.highWatermark).catch((err: unknown) => {
      // Appends stay refused; try again unless the controller has moved the partition on meanwhile.
      this.host.log.error({ err, partition: this.partition.name }, 'could not rebuild the replica state; retrying');
      setTimeout(() => {
        if (!this.core && this.state === state && !this.partition.log.stopped) this.rebuild(err);
      }, this.host.fetchBackoffMs).unref();
    });
  }

  /** The topic's configs changed: the core takes min.insync.replicas as it is now. */
  reconfigure(): void {
    if (!this.core) return;
    this.core.reconfigure(this.config(), this.host.now());
    this.settle();
  }

  // ---- the leader's appends

  /** Before a leader appends a produce: NONE or the error (NOT_ENOUGH_REPLICAS below min.insync.replicas). */
  checkAppend(acksAll: boolean): number {
    if (this.core) return this.core.checkProduce(acksAll);
    return this.replicated ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.NONE;
  }

  /**
   * The leader appended `result`. With `acksAllTimeoutMs`, resolves with the error code for the
   * producer once the high watermark covers it (or the deadline passes); else resolves at once.
   * Every leader append is fsynced: the high watermark counts only the leader's durable records.
   */
  appended(result: AppendResult, acksAllTimeoutMs?: number): Promise<number> {
    return this.completion(acksAllTimeoutMs, (core, now, waiter) => core.onLocalAppend(result.baseOffset, result.lastOffset, now, waiter), result.lastOffset);
  }

  /**
   * A produce answered with records the leader appended earlier, up to `lastOffset` (a producer's retried
   * batch): resolves as `appended` would for them.
   */
  duplicate(lastOffset: number, acksAllTimeoutMs?: number): Promise<number> {
    return this.completion(acksAllTimeoutMs, (core, now, waiter) => core.onDuplicateAppend(lastOffset, now, waiter), undefined);
  }

  /** Tells the core of a produce (`step`) and resolves once acks=all is met; `lastAppended` is the new records' end, to report their fsync. */
  private completion(
    acksAllTimeoutMs: number | undefined,
    step: (core: PartitionReplication, now: number, waiter: { token: number; deadline: number } | undefined) => void,
    lastAppended: number | undefined,
  ): Promise<number> {
    const core = this.core;
    // checkAppend refused appends without a core; one appended regardless is not acknowledged here.
    if (!core) return Promise.resolve(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const now = this.host.now();
    let done: Promise<number> = Promise.resolve(ErrorCode.NONE);
    let waiter: { token: number; deadline: number } | undefined;
    if (acksAllTimeoutMs !== undefined) {
      const token = this.nextToken++;
      waiter = { token, deadline: now + Math.max(0, acksAllTimeoutMs) };
      done = new Promise((resolve) => this.waiters.set(token, resolve));
    }
    try {
      step(core, now, waiter);
    } catch (err) {
      if (waiter) this.waiters.delete(waiter.token);
      this.rebuild(err);
      return Promise.resolve(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    }
    if (lastAppended !== undefined) this.whenStored(lastAppended + 1);
    this.settle();
    return done;
  }

  /**
   * Tells the core once the log is written (handed to the OS) and once it is durable up to `end`,
   * unless a truncation came in between. A follower's next fetch waits for the write, not the fsync
   * (docs/replication.md, "What an acknowledgement survives"); a leader's high watermark for the fsync.
   */
  private whenStored(end: number): void {
    const log = this.partition.log;
    const core = this.core!;
    const truncations = log.truncationCount;
    const current = (): boolean => this.core === core && log.truncationCount === truncations;
    // A failed write fails the fsync wait too, which handles it.
    log.waitWritten(end - 1).then(() => {
      if (!current()) return;
      core.onWritten(end);
      this.host.wake(this);
    }, () => undefined);
    log.waitDurable(end - 1).then(
      () => {
        if (!current()) return;
        core.onDurable(end, this.host.now());
        this.settle();
        this.host.wake(this);
      },
      (err: unknown) => {
        // Truncated meanwhile (the core asked for it and knows), or the log is closing or failed: nothing
        // to do. Otherwise the log took the records back (a full disk) under the core: rebuild it.
        if (!current() || log.stopped) return;
        this.rebuild(err);
      },
    );
  }

  // ---- fetches from followers, at the leader

  /** A follower's fetch for this partition; undefined for a single-replica partition. */
  onFollowerFetch(fetch: FollowerFetch): FetchAnswer | undefined {
    if (!this.core) return undefined;
    const answer = this.core.onFollowerFetch(fetch, this.host.now());
    this.settle();
    return answer;
  }

  // ---- the follower's fetcher

  /** The fetch to send for this partition now, or null. */
  fetchRequest(now: number): FetchRequest | null {
    if (!this.core || this.busy || now < this.retryAt) return null;
    return this.core.fetchRequest();
  }

  /** A follower whose last append is not yet written to the file: its next fetch waits for the write. */
  get awaitingWritten(): boolean {
    const s = this.core?.status();
    return s !== undefined && s.role === 'follower' && !this.busy && s.writtenEndOffset < s.logEndOffset;
  }

  /** When the fetcher may try again after a backoff. */
  get retryTime(): number {
    return this.retryAt;
  }

  /**
   * The leader's answer to `request`. `range` is the leader's log range, asked separately after
   * OFFSET_OUT_OF_RANGE. Appends go to the log at once; a truncation runs in the background, the
   * partition busy meanwhile.
   */
  onFetched(request: FetchRequest, fetched: FetchedPartition, range?: { logStartOffset: number; logEndOffset: number }): void {
    const core = this.core;
    if (!core) return;
    const now = this.host.now();
    if (fetched.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE && !range) {
      // Without the leader's range the core cannot tell which way to go: ask again later.
      this.retryAt = now + this.host.fetchBackoffMs;
      return;
    }
    let response: FetchResponse;
    let bytes = 0;
    if (fetched.errorCode === ErrorCode.NONE) {
      let split;
      try {
        split = splitBatches(fetched.records);
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        this.host.log.warn({ partition: this.partition.name, err: err.message }, 'dropped a malformed fetch answer from the leader');
        this.retryAt = now + this.host.fetchBackoffMs;
        return;
      }
      bytes = split.sizeBytes;
      const diverging = fetched.divergingEpoch && fetched.divergingEpoch.epoch >= 0 ? fetched.divergingEpoch : null;
      const batches = split.headers.map((h) => ({ baseOffset: h.baseOffset, lastOffset: h.baseOffset + h.lastOffsetDelta, leaderEpoch: h.partitionLeaderEpoch }));
      response = { errorCode: ErrorCode.NONE, highWatermark: fetched.highWatermark, logStartOffset: fetched.logStartOffset, divergingEpoch: diverging, batches: diverging ? [] : batches };
    } else {
      response = {
        errorCode: fetched.errorCode as Exclude<FetchResponse['errorCode'], typeof ErrorCode.NONE>,
        logStartOffset: range?.logStartOffset ?? -1,
        logEndOffset: range?.logEndOffset ?? -1,
      };
    }
    const action = core.onFetchResponse(request, response);
    this.act(core, action, fetched.records, bytes, now);
    this.settle();
  }

  private act(core: PartitionReplication, action: FollowerAction, records: Buffer | null, bytes: number, now: number): void {
    const log = this.partition.log;
    switch (action.kind) {
      case 'append': {
        try {
          log.appendAsFollower(records!.subarray(0, bytes), now);
        } catch (err) {
          this.retryAt = now + this.host.fetchBackoffMs;
          this.rebuild(err);
          return;
        }
        this.whenStored(log.logEndOffset);
        return;
      }
      case 'truncate':
      case 'truncateFully':
        this.cutLog(core, action.kind === 'truncate' ? log.truncateTo(action.offset) : log.restartAt(action.offset), action.offset);
        return;
      case 'rejected':
        this.host.log.warn({ partition: this.partition.name, reason: action.reason }, 'dropped a malformed fetch answer from the leader');
        this.retryAt = now + this.host.fetchBackoffMs;
        return;
      case 'backoff':
        this.retryAt = now + this.host.fetchBackoffMs;
        return;
      default:
        return;
    }
  }

  /** Waits for a truncation the core already made in its view; the log must end where the core says. */
  private cutLog(core: PartitionReplication, cut: Promise<number>, offset: number): void {
    this.busy = true;
    cut.then(
      (end) => {
        this.busy = false;
        if (this.core !== core) return;
        if (end !== offset) return this.rebuild(new Error(`truncating to ${offset} left the log ending at ${end}`));
        this.host.log.info({ partition: this.partition.name, offset: end }, 'follower truncated its log to the leader');
        this.settle();
        this.host.wake(this);
      },
      (err: unknown) => {
        this.busy = false;
        if (this.core === core) this.rebuild(err);
      },
    );
  }

  // ---- the controller's answer to an ISR change, and time

  onIsrChangeResult(request: IsrChangeRequest, result: IsrChangeResult): void {
    if (!this.core) return;
    this.core.onIsrChangeResult(request, result, this.host.now());
    if (result.ok && this.state && result.leaderEpoch === this.state.leaderEpoch) {
      // The znode now holds this state: the next LeaderAndIsr must be newer, as it would be in Kafka.
      this.state = { ...this.state, isr: result.isr, partitionEpoch: result.partitionEpoch };
    }
    this.settle();
  }

  /** Whether `request` is still the change the core waits for (else a retry is pointless). */
  isPendingIsrChange(request: IsrChangeRequest): boolean {
    return this.core?.status().pendingIsrChange === request;
  }

  tick(now: number): void {
    if (!this.core) return;
    this.core.tick(now);
    this.settle();
  }

  /** Carries out what the core asked for since the last call. */
  private settle(): void {
    const core = this.core;
    if (!core) return;
    const effects = core.drain();
    const log = this.partition.log;
    if (effects.highWatermark !== null) log.highWatermark = effects.highWatermark;
    if (effects.epochCheckpoint) this.pendingEpochs = effects.epochCheckpoint;
    this.writeEpochs();
    for (const { token, errorCode } of effects.completed) {
      const answer = this.waiters.get(token);
      this.waiters.delete(token);
      answer?.(errorCode);
    }
    const status = core.status();
    if (status.role === 'leader') this.partition.isr = status.isr;
    if (effects.isrChange) this.host.sendIsrChange(this, effects.isrChange);
  }

  /** The log keeps the core's leader epochs on disk; written after any truncation under way. */
  private writeEpochs(): void {
    const entries = this.pendingEpochs;
    if (!entries || this.busy) return;
    this.pendingEpochs = null;
    const log = this.partition.log;
    try {
      log.replaceLeaderEpochs(entries);
    } catch (err) {
      this.host.log.error({ err, partition: this.partition.name }, 'leader epochs of the replica state do not fit the log');
      return;
    }
    log.checkpoint().catch((err: unknown) => this.host.log.warn({ err, partition: this.partition.name }, 'could not write the leader-epoch checkpoint'));
  }
}
