// The group coordinator's I/O shell: it owns the pure GroupCoordinator and gives it a clock (one timer
// at its next deadline), a log (appends to __consumer_offsets, reported once durable) and replies
// (each request's promise is its token). It also owns the coordinator's life: __consumer_offsets is
// created on first need, read back in full before any group request is served, and until then requests
// are refused with the retriable errors Kafka uses.
import { randomUUID } from 'node:crypto';
import { CONSUMER_OFFSETS_TOPIC, partitionForGroup } from '../../../protocol/kafka/consumer-offsets/group-partition.js';
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import type { Broker } from '../broker.js';
import type {
  CoordinatorOutput,
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupClient,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  ListGroupsRequest,
  ListGroupsResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetDeleteRequest,
  OffsetDeleteResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from './api.js';
import { groupCoordinatorConfigFrom } from './config.js';
import { loadConsumerOffsets } from './consumer-offsets-loader.js';
import { createConsumerOffsetsTopic } from './consumer-offsets-topic.js';
import { ConsumerOffsetsWriter } from './consumer-offsets-writer.js';
import { GroupCoordinator, type GroupSnapshot } from './coordinator.js';
import type { TopicPartition } from './group-offsets.js';
import {
  refuseDeleteGroups,
  refuseDescribeGroups,
  refuseHeartbeat,
  refuseJoinGroup,
  refuseLeaveGroup,
  refuseListGroups,
  refuseOffsetCommit,
  refuseOffsetDelete,
  refuseOffsetFetch,
  refuseSyncGroup,
} from './refusals.js';
import { ConsumerOffsetsReplay } from './replay.js';

/** FindCoordinator's key types (Kafka's CoordinatorType). */
export const CoordinatorKeyType = { GROUP: 0, TRANSACTION: 1 } as const;

/** Node timers take at most a signed 32-bit delay; a later deadline is reached by waking up early. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * absent: __consumer_offsets does not exist (no group has ever been used); creating: it is being
 * created; loading: it is being read back; ready: the coordinator serves; failed: loading failed, see the
 * log; stopped: the broker is shutting down.
 */
export type GroupServiceState = 'absent' | 'creating' | 'loading' | 'ready' | 'failed' | 'stopped';

export interface CoordinatorLocation {
  errorCode: number;
  /** The broker to ask; undefined with an error (Kafka's Node.noNode). */
  node: { nodeId: number; host: string; port: number } | undefined;
}

/** A request waiting for the coordinator's reply: the coordinator's token. */
interface PendingReply {
  resolve(response: unknown): void;
  /** Answers the request with an error instead. */
  refuse(errorCode: number): void;
}

export class GroupService {
  private currentState: GroupServiceState = 'absent';
  private coordinator: GroupCoordinator<PendingReply> | undefined;
  private writer: ConsumerOffsetsWriter | undefined;
  /** Creating or loading __consumer_offsets, while under way: stop() waits for it. */
  private preparing: Promise<void> | undefined;
  /** Topic deletions seen while loading, applied once the groups are loaded. */
  private deletedWhileLoading: TopicPartition[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerDeadline = Infinity;
  /** Requests the coordinator has not answered yet (parked JoinGroups, SyncGroups, writes under way). */
  private readonly pending = new Set<PendingReply>();

  /** The broker's parts are read from start() on, never during construction. */
  constructor(private readonly broker: Broker) {}

  get state(): GroupServiceState {
    return this.currentState;
  }

  /** Begins loading __consumer_offsets if it exists; otherwise it is created on first need. */
  start(): void {
    if (this.currentState === 'absent') this.loadIfPresent();
  }

  /**
   * Refuses further requests and stops the timer; once every write under way is reported, requests
   * still parked are answered NOT_COORDINATOR, as Kafka answers them when it unloads a group, so
   * clients look for the coordinator again instead of waiting on a connection about to close.
   */
  async stop(): Promise<void> {
    this.currentState = 'stopped';
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.preparing;
    await this.writer?.close();
    for (const token of [...this.pending]) token.refuse(ErrorCode.NOT_COORDINATOR);
  }

  /** Every group as the coordinator holds it, for diagnostics and tests; empty until loaded. */
  snapshot(): GroupSnapshot[] {
    return this.coordinator?.snapshot() ?? [];
  }

  /**
   * FindCoordinator for one key. On a single node this broker is every coordinator; a group's is the
   * leader of its __consumer_offsets partition, which must exist first (Kafka creates the topic on this
   * request and answers COORDINATOR_NOT_AVAILABLE until it does). Transactions come in a later issue:
   * this broker is where their coordinator lives, and a client that goes on to InitProducerId learns
   * from ApiVersions that it is not served yet.
   */
  findCoordinator(keyType: number, key: string): CoordinatorLocation {
    if (keyType === CoordinatorKeyType.TRANSACTION) return this.at(this.broker.brokerId);
    if (keyType !== CoordinatorKeyType.GROUP) return { errorCode: ErrorCode.INVALID_REQUEST, node: undefined };
    this.ensureTopic();
    if (this.currentState !== 'loading' && this.currentState !== 'ready') return this.unavailable();
    const partitions = this.broker.replicas.partitionsOf(CONSUMER_OFFSETS_TOPIC);
    const partition = partitions?.[partitionForGroup(key, partitions.length)];
    return partition ? this.at(partition.leaderId) : this.unavailable();
  }

  joinGroup(request: JoinGroupRequest, client: JoinGroupClient): Promise<JoinGroupResponse> {
    return this.submit(
      (c, now, token) => c.joinGroup(now, token, request, client),
      (code) => refuseJoinGroup(request, code),
    );
  }

  syncGroup(request: SyncGroupRequest): Promise<SyncGroupResponse> {
    return this.submit((c, now, token) => c.syncGroup(now, token, request), refuseSyncGroup);
  }

  heartbeat(request: HeartbeatRequest): Promise<HeartbeatResponse> {
    return this.submit((c, now, token) => c.heartbeat(now, token, request), refuseHeartbeat);
  }

  leaveGroup(request: LeaveGroupRequest): Promise<LeaveGroupResponse> {
    return this.submit((c, now, token) => c.leaveGroup(now, token, request), refuseLeaveGroup);
  }

  offsetCommit(request: OffsetCommitRequest): Promise<OffsetCommitResponse> {
    return this.submit(
      (c, now, token) => c.offsetCommit(now, token, request),
      (code) => refuseOffsetCommit(request, code),
    );
  }

  offsetFetch(request: OffsetFetchRequest): Promise<OffsetFetchResponse> {
    return this.submit(
      (c, now, token) => c.offsetFetch(now, token, request),
      (code) => refuseOffsetFetch(request, code),
    );
  }

  describeGroups(request: DescribeGroupsRequest): Promise<DescribeGroupsResponse> {
    return this.submit(
      (c, now, token) => c.describeGroups(now, token, request),
      (code) => refuseDescribeGroups(request, code),
    );
  }

  listGroups(request: ListGroupsRequest): Promise<ListGroupsResponse> {
    // Before any group was ever used there are none: Kafka lists nothing here and creates no topic.
    if (this.currentState === 'absent') return Promise.resolve(refuseListGroups(ErrorCode.NONE));
    return this.submit((c, now, token) => c.listGroups(now, token, request), refuseListGroups);
  }

  deleteGroups(request: DeleteGroupsRequest): Promise<DeleteGroupsResponse> {
    return this.submit(
      (c, now, token) => c.deleteGroups(now, token, request),
      (code) => refuseDeleteGroups(request, code),
    );
  }

  offsetDelete(request: OffsetDeleteRequest): Promise<OffsetDeleteResponse> {
    return this.submit((c, now, token) => c.offsetDelete(now, token, request), refuseOffsetDelete);
  }

  /** Removes every group's offsets of partitions that no longer exist (a deleted topic). */
  partitionsDeleted(partitions: TopicPartition[]): void {
    if (this.currentState === 'loading') {
      this.deletedWhileLoading.push(...partitions);
      return;
    }
    const coordinator = this.coordinator;
    if (this.currentState !== 'ready' || !coordinator) return;
    try {
      this.absorb(coordinator.partitionsDeleted(this.broker.now(), partitions));
    } catch (err) {
      this.broker.log.error({ err, partitions: partitions.length }, 'group coordinator failed removing offsets of deleted partitions');
    }
  }

  // ---- the coordinator's inputs and outputs

  /**
   * Hands one request to the coordinator with a fresh token and resolves with the reply for it, which
   * may come at once or with a later input (a JoinGroup waits for its rebalance, a commit for its
   * write). The coordinator's effects happen before this returns.
   */
  private submit<R>(
    call: (c: GroupCoordinator<PendingReply>, nowMs: number, token: PendingReply) => CoordinatorOutput<PendingReply>,
    refuse: (errorCode: number) => R,
  ): Promise<R> {
    const refusal = this.refusalCode();
    const coordinator = this.coordinator;
    if (refusal !== ErrorCode.NONE || !coordinator) return Promise.resolve(refuse(refusal));
    return new Promise((resolve) => {
      const token: PendingReply = {
        resolve: (response) => {
          this.pending.delete(token);
          resolve(response as R);
        },
        refuse: (errorCode) => token.resolve(refuse(errorCode)),
      };
      this.pending.add(token);
      try {
        this.absorb(call(coordinator, this.broker.now(), token));
      } catch (err) {
        // A bug: this request gets an error, and what the coordinator produced first goes out with its next input.
        this.broker.log.error({ err }, 'group coordinator failed on a request');
        token.refuse(ErrorCode.UNKNOWN_SERVER_ERROR);
      }
    });
  }

  /** Why requests cannot be served now (NONE when they can); creates __consumer_offsets if it is missing. */
  private refusalCode(): number {
    this.ensureTopic();
    switch (this.currentState) {
      case 'ready':
        return ErrorCode.NONE;
      case 'loading':
        return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
      default:
        return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
  }

  private absorb(out: CoordinatorOutput<PendingReply>): void {
    for (const reply of out.replies) reply.token.resolve(reply.response);
    const now = this.broker.now();
    for (const append of out.appends) this.writer!.write(append, now);
    this.armTimer();
  }

  private appendCompleted(appendId: number, errorCode: number): void {
    const coordinator = this.coordinator!;
    try {
      this.absorb(coordinator.appendCompleted(this.broker.now(), appendId, errorCode));
    } catch (err) {
      this.broker.log.error({ err, appendId }, 'group coordinator failed on a completed write');
    }
  }

  /** One timer, at the coordinator's next deadline; re-armed only when a deadline comes earlier. */
  private armTimer(): void {
    const next = this.coordinator?.nextDeadline();
    if (next === undefined || this.currentState === 'stopped') return;
    if (this.timer !== undefined && this.timerDeadline <= next) return;
    clearTimeout(this.timer);
    this.timerDeadline = next;
    const delay = Math.min(Math.max(next - this.broker.now(), 0), MAX_TIMER_DELAY_MS);
    this.timer = setTimeout(() => this.tick(), delay);
    // The broker's listener keeps the process alive; group deadlines alone should not.
    this.timer.unref();
  }

  /** Fires the coordinator's deadlines that are due. */
  private tick(): void {
    this.timer = undefined;
    const coordinator = this.coordinator;
    if (!coordinator || this.currentState !== 'ready') return;
    try {
      this.absorb(coordinator.tick(this.broker.now()));
    } catch (err) {
      this.broker.log.error({ err }, 'group coordinator failed on a clock tick');
      this.armTimer();
    }
  }

  // ---- __consumer_offsets: creation and loading

  private at(nodeId: number): CoordinatorLocation {
    const node = this.broker.liveBrokers().find((b) => b.nodeId === nodeId);
    return node ? { errorCode: ErrorCode.NONE, node } : this.unavailable();
  }

  private unavailable(): CoordinatorLocation {
    return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, node: undefined };
  }

  /** Creates __consumer_offsets if it does not exist yet, then loads it. */
  private ensureTopic(): void {
    if (this.currentState !== 'absent' || this.loadIfPresent()) return;
    const { broker } = this;
    this.currentState = 'creating';
    this.preparing = createConsumerOffsetsTopic(broker.topics, broker.config.values, broker.liveBrokers().length).then(
      (record) => {
        broker.log.info({ partitions: record.replicas.length }, 'created __consumer_offsets');
        if (this.currentState === 'creating') this.startLoading();
      },
      (err: unknown) => {
        // Clients keep hearing COORDINATOR_NOT_AVAILABLE; their next request tries again.
        broker.log.error({ err }, 'could not create __consumer_offsets');
        if (this.currentState === 'creating') this.currentState = 'absent';
      },
    );
  }

  /** Starts loading if the topic exists with all its partitions open; whether it did. */
  private loadIfPresent(): boolean {
    const record = this.broker.topics.get(CONSUMER_OFFSETS_TOPIC);
    const open = this.broker.replicas.partitionsOf(CONSUMER_OFFSETS_TOPIC)?.length ?? 0;
    if (!record || open < record.replicas.length) return record !== undefined;
    this.startLoading();
    return true;
  }

  private startLoading(): void {
    this.currentState = 'loading';
    this.preparing = this.load().catch((err: unknown) => {
      this.broker.log.error({ err }, 'could not load __consumer_offsets; group requests are refused until a restart');
      if (this.currentState === 'loading') this.currentState = 'failed';
    });
  }

  private async load(): Promise<void> {
    const { broker } = this;
    const partitions = broker.replicas.partitionsOf(CONSUMER_OFFSETS_TOPIC) ?? [];
    const replay = new ConsumerOffsetsReplay();
    const stats = await loadConsumerOffsets(partitions.map((p) => p.log), replay);
    if (this.currentState !== 'loading') return;
    const groups = replay.groups();
    const skipped = { malformedRecords: replay.malformed, unknownRecords: replay.unknown, unreadableBatches: stats.unreadableBatches };
    const level = stats.unreadableBatches + replay.malformed > 0 ? 'warn' : 'info';
    broker.log[level]({ groups: groups.length, records: stats.records, ...skipped }, 'loaded __consumer_offsets');
    // Groups are spread over the partitions the topic has, whatever offsets.topic.num.partitions says now.
    const config = { ...groupCoordinatorConfigFrom(broker.config.values), offsetsTopicNumPartitions: partitions.length };
    const coordinator = new GroupCoordinator<PendingReply>({ config, memberIdSuffix: randomUUID }, broker.now(), groups);
    this.coordinator = coordinator;
    this.writer = new ConsumerOffsetsWriter(
      (index) => partitions[index],
      (appendId, errorCode) => this.appendCompleted(appendId, errorCode),
      broker.log,
    );
    this.currentState = 'ready';
    const deleted = this.deletedWhileLoading;
    this.deletedWhileLoading = [];
    // Loading may have started rebalances; their output goes out with the first input, this tick.
    this.tick();
    if (deleted.length > 0) this.partitionsDeleted(deleted);
  }
}
