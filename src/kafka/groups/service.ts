// The group coordinator's I/O shell: it owns the pure GroupCoordinator and gives it a clock (one timer
// at its next deadline), a log (appends to __consumer_offsets, reported once durable) and replies
// (each request's promise is its token). It also owns the coordinator's life: __consumer_offsets is
// created on first need, and each of its partitions is read back when this broker becomes its leader
// and forgotten when it stops (onElection/onResignation). A group's requests are served only once its
// partition is loaded, and refused until then with the errors Kafka's GroupCoordinator gives each API.
import { randomUUID } from 'node:crypto';
import { CONSUMER_OFFSETS_TOPIC, partitionForGroup } from '../../../protocol/kafka/consumer-offsets/group-partition.js';
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import type { Logger } from '../../logger.js';
import type { BrokerConfig } from '../broker-config.js';
import { DeadlineTimer } from '../coordination/deadline-timer.js';
import { InternalTopic, type TopicLifecycle } from '../coordination/internal-topic.js';
import { PartitionOwnership } from '../coordination/partition-ownership.js';
import type { MetadataView } from '../metadata/metadata-view.js';
import type { ReplicaManager } from '../partitions/replica-manager.js';
import type { CoordinatorLocation, GroupRequests } from '../services.js';
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
  TxnOffsetCommitRequest,
} from './api.js';
import { consumerGroupErrorForAppendError } from './append-errors.js';
import { consumerGroupConfigFrom, groupCoordinatorConfigFrom } from './config.js';
import { ConsumerGroupCoordinator, type ConsumerHeartbeatRequest, type ConsumerHeartbeatResponse } from './consumer/coordinator.js';
import { consumerGroupStateName, describedConsumerGroup, type DescribedConsumerGroup } from './consumer/described-group.js';
import type { TopicRecord } from '../metadata/topic-store.js';
import { isValidGroupId } from './group-id.js';
import { loadConsumerOffsets } from './consumer-offsets-loader.js';
import { createConsumerOffsetsTopic, type ConsumerOffsetsTopics } from './consumer-offsets-topic.js';
import { ConsumerOffsetsWriter } from './consumer-offsets-writer.js';
import { GroupCoordinator, type GroupSnapshot } from './coordinator.js';
import type { LoadStats } from './consumer-offsets-loader.js';
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
import { ConsumerOffsetsReplay, type ConsumerGroupRecords, type ReplayedGroup, type ShareGroupRecords } from './replay.js';
import { ShareGroupCoordinator, type DescribedShareGroup, type ShareHeartbeatRequest, type ShareHeartbeatResponse } from '../share/share-group-coordinator.js';

/** FindCoordinator's key types (Kafka's CoordinatorType). */
export const CoordinatorKeyType = { GROUP: 0, TRANSACTION: 1 } as const;

/** The membership APIs, OffsetDelete and TxnOffsetCommit refuse an empty group id; the offset and admin APIs take it. */
const MEMBERSHIP = true;
const OFFSETS_OR_ADMIN = false;
/**
 * Markers one __consumer_offsets partition may receive while it loads that wait to settle its groups; a
 * load takes seconds, and a producer sends its next marker only after its last one was answered.
 */
const MAX_SETTLEMENTS_WHILE_LOADING = 100_000;


/**
 * absent: __consumer_offsets does not exist (no group has ever been used); creating: it is being
 * created; loading: a partition this broker leads is being read back; ready: every partition this
 * broker leads is served; stopped: the broker is shutting down.
 */
export type GroupServiceState = 'absent' | 'creating' | 'loading' | 'ready' | 'stopped';


/** One partition read back: its groups and what reading it met. */
interface LoadedPartition {
  groups: ReplayedGroup[];
  /** KIP-848 consumer groups, by their live records. */
  consumerGroups: Map<string, ConsumerGroupRecords>;
  /** KIP-932 share groups, by their live records. */
  shareGroups: Map<string, ShareGroupRecords>;
  stats: LoadStats;
  malformed: number;
  unknown: number;
}

/** The parts of its broker the group service uses: __consumer_offsets' definition and partitions, the brokers, the clock. */
export interface GroupServiceBroker {
  readonly config: BrokerConfig;
  readonly log: Logger;
  /** No zookeeper.connect: the broker opens every partition of a topic itself, so a load waits for all of them. */
  readonly alone: boolean;
  /** Also every topic: KIP-848 groups are assigned by the server from them. */
  readonly topics: ConsumerOffsetsTopics & { list(): TopicRecord[] };
  readonly metadata: MetadataView;
  readonly replicas: Pick<ReplicaManager, 'partition' | 'partitionsOf'>;
  /** The share coordinators, which hold share groups' share-partition state: DeleteGroups deletes it. */
  readonly shareStates: ShareStates;
  now(): number;
}

/** A share group's share-partition state, kept by the share coordinators (__share_group_state). */
export interface ShareStates {
  /** Deletes the group's state of these share-partitions: NONE once every one is gone, else an error code. */
  deleteGroupState(groupId: string, topics: ReadonlyArray<{ topicId: string; partitions: readonly number[] }>): Promise<number>;
}

/** A request waiting for the coordinator's reply: the coordinator's token. */
interface PendingReply {
  resolve(response: unknown): void;
  /** Answers the request with an error instead. */
  refuse(errorCode: number): void;
}

/**
 * Share group membership (KIP-932) as the share service asks it: share groups live on the group
 * coordinator of their id, in __consumer_offsets beside the other groups, as Kafka keeps them.
 */
export interface ShareMembership {
  /** ShareGroupHeartbeat, answered once the records of what changed are durable. */
  shareGroupHeartbeat(request: ShareHeartbeatRequest): Promise<ShareHeartbeatResponse>;
  /** Each group as its coordinator holds it; the coordinator's refusal where it is not served here. */
  shareGroupDescribe(groupIds: readonly string[]): DescribedShareGroup[];
  /** The share groups this broker coordinates, with their states. */
  shareGroupList(): Array<{ groupId: string; groupState: string }>;
  /**
   * AlterShareGroupOffsets: records these share-partitions as the group's (ShareGroupStatePartitionMetadata)
   * before their state is written. NONE once durable, or when no share group has the id.
   */
  shareGroupStateInitialized(groupId: string, topics: ReadonlyArray<{ topicId: string; topicName: string; partitions: readonly number[] }>): Promise<number>;
  /** DeleteShareGroupOffsets: the topics are recorded deleting before their state is deleted, then (`done`) no more. */
  shareGroupStateDeleting(groupId: string, topics: ReadonlyArray<{ topicId: string; topicName: string }>, done: boolean): Promise<number>;
}

export class GroupService implements GroupRequests, ShareMembership {
  /** The service's own life, apart from which partitions it owns: open once __consumer_offsets is. */
  private readonly topic: InternalTopic;
  private coordinator: GroupCoordinator<PendingReply> | undefined;
  /** KIP-848 consumer groups (ConsumerGroupHeartbeat), beside the classic groups. */
  private consumer: ConsumerGroupCoordinator | undefined;
  /** KIP-932 share groups' membership (ShareGroupHeartbeat); their share-partitions are the share service's. */
  private share: ShareGroupCoordinator | undefined;
  private writer: ConsumerOffsetsWriter | undefined;
  /** Which __consumer_offsets partitions this broker serves. */
  private readonly ownership = new PartitionOwnership<LoadedPartition>({
    load: (partition) => this.readPartition(partition),
    loaded: (partition, epoch, state) => this.partitionLoaded(partition, epoch, state),
    unloaded: (partition, epoch) => this.partitionUnloaded(partition, epoch),
    loadFailed: (partition, epoch, err) =>
      this.broker.log.error({ err, partition, epoch }, 'could not load a __consumer_offsets partition; its groups are not served here'),
  });
  /** Topic deletions seen while a partition loads, applied again to the groups each load brings in. */
  private deletedWhileLoading: TopicPartition[] = [];
  /** Transaction markers written to a __consumer_offsets partition while it loads, settled once loaded. */
  private readonly settledWhileLoading = new Map<number, Array<{ producerId: number; commit: boolean }>>();
  private readonly timer = new DeadlineTimer(() => this.broker.now(), () => this.tick());
  /** Requests the coordinator has not answered yet (parked JoinGroups, SyncGroups, writes under way). */
  private readonly pending = new Set<PendingReply>();
  /**
   * Consumer group writes under way, by append id: negative ids, so the classic coordinator's (which
   * count up from 1) and these share the writer and its per-partition order.
   */
  private readonly consumerWrites = new Map<number, (errorCode: number) => void>();
  private nextConsumerWriteId = -1;

  /** The broker's parts are read from start() on, never during construction. */
  constructor(private readonly broker: GroupServiceBroker) {
    this.topic = new InternalTopic({
      name: CONSUMER_OFFSETS_TOPIC,
      host: broker,
      create: () => createConsumerOffsetsTopic(broker.topics, broker.config.values, broker.metadata.liveBrokers().length),
      opened: () => this.open(),
    });
  }

  private get lifecycle(): TopicLifecycle {
    return this.topic.lifecycle;
  }

  get state(): GroupServiceState {
    if (this.lifecycle !== 'open') return this.lifecycle;
    return this.ownership.anyLoading ? 'loading' : 'ready';
  }

  /** Begins loading __consumer_offsets if it exists; otherwise it is created on first need. */
  start(): void {
    if (this.lifecycle === 'absent') this.topic.openIfPresent();
  }

  /**
   * This broker leads __consumer_offsets partition `partition` from leader epoch `epoch` on: its groups
   * are read back and served once loaded (until then their requests get COORDINATOR_LOAD_IN_PROGRESS).
   * Settles when the load is done, abandoned or failed. A single broker elects itself for every
   * partition when the topic opens.
   */
  onElection(partition: number, epoch: number): Promise<void> {
    if (!this.topic.openOnElection()) return Promise.resolve();
    return this.ownership.onElection(partition, epoch);
  }

  /**
   * This broker no longer leads `partition` as of `epoch`: its groups leave memory (their records stay
   * in the log), their parked requests and writes under way are answered NOT_COORDINATOR, and so is
   * every request for them from now on. A load under way is abandoned.
   */
  onResignation(partition: number, epoch: number): void {
    if (this.lifecycle !== 'open') return;
    this.ownership.onResignation(partition, epoch);
  }

  /**
   * Refuses further requests and stops the timer; once every write under way is reported, requests
   * still parked are answered NOT_COORDINATOR, as Kafka answers them when it unloads a group, so
   * clients look for the coordinator again instead of waiting on a connection about to close.
   */
  async stop(): Promise<void> {
    this.timer.stop();
    await this.topic.stop();
    await this.ownership.settled();
    await this.writer?.close();
    for (const token of [...this.pending]) token.refuse(ErrorCode.NOT_COORDINATOR);
  }

  /** Every group as the coordinator holds it, for diagnostics and tests; empty until loaded. */
  snapshot(): GroupSnapshot[] {
    return this.coordinator?.snapshot() ?? [];
  }

  /**
   * FindCoordinator for a group: the leader of its __consumer_offsets partition, which must exist first
   * (Kafka creates the topic on this request and answers COORDINATOR_NOT_AVAILABLE until it does).
   * Transactional ids are the transaction service's; any other key type is INVALID_REQUEST here.
   */
  findCoordinator(keyType: number, key: string, listener?: string): CoordinatorLocation {
    if (keyType !== CoordinatorKeyType.GROUP) return { errorCode: ErrorCode.INVALID_REQUEST, node: undefined };
    this.ensureTopic();
    if (this.lifecycle !== 'open') return this.unavailable();
    const count = this.broker.topics.get(CONSUMER_OFFSETS_TOPIC)?.replicas.length ?? 0;
    const partition = count > 0 ? this.broker.metadata.partition(CONSUMER_OFFSETS_TOPIC, partitionForGroup(key, count)) : undefined;
    return partition ? this.at(partition.leader, listener) : this.unavailable();
  }

  // Each API answers a group whose partition is not served here as Kafka's GroupCoordinator does:
  // NOT_COORDINATOR when another broker leads it, COORDINATOR_LOAD_IN_PROGRESS while it loads, except
  // where noted.

  joinGroup(request: JoinGroupRequest, client: JoinGroupClient): Promise<JoinGroupResponse> {
    const refusal = this.groupRefusal(request.groupId, MEMBERSHIP);
    const consumer = this.consumer;
    // A consumer group with members serves classic members itself (online migration), once their records are durable.
    if (refusal === ErrorCode.NONE && consumer?.hasMembers(request.groupId)) {
      const response = consumer.classicJoin(this.broker.now(), request, client);
      return this.afterConsumerChange(request.groupId, response, (code) => refuseJoinGroup(request, code));
    }
    // An empty consumer group becomes a classic one, as Kafka converts it: its records are tombstoned
    // (ahead of the classic group's own writes on the same partition) and its committed offsets stay.
    if (refusal === ErrorCode.NONE && consumer?.delete(request.groupId) === true) this.writeConsumerRecords();
    // A share group's id is not a classic group's (Kafka: GroupIdNotFoundException, "Group X is not a classic group.").
    if (refusal === ErrorCode.NONE && this.share?.has(request.groupId) === true) return Promise.resolve(refuseJoinGroup(request, ErrorCode.GROUP_ID_NOT_FOUND));
    return this.submit(refusal, (c, now, token) => c.joinGroup(now, token, request, client), (code) => refuseJoinGroup(request, code));
  }

  syncGroup(request: SyncGroupRequest): Promise<SyncGroupResponse> {
    // A loading coordinator has lost the rebalance in flight: REBALANCE_IN_PROGRESS sends the member back
    // to JoinGroup here, which old clients understand where COORDINATOR_LOAD_IN_PROGRESS they would not.
    const refusal = this.groupRefusal(request.groupId, MEMBERSHIP);
    const code = refusal === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? ErrorCode.REBALANCE_IN_PROGRESS : refusal;
    if (code === ErrorCode.NONE && this.consumer?.hasMembers(request.groupId)) return Promise.resolve(this.consumer.classicSync(this.broker.now(), request));
    return this.submit(code, (c, now, token) => c.syncGroup(now, token, request), refuseSyncGroup);
  }

  heartbeat(request: HeartbeatRequest): Promise<HeartbeatResponse> {
    // Kafka answers a heartbeat for a group still loading blindly with success: the member keeps its
    // session and finds out on its next real request.
    const refusal = this.groupRefusal(request.groupId, MEMBERSHIP);
    if (refusal === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return Promise.resolve(refuseHeartbeat(ErrorCode.NONE));
    if (refusal === ErrorCode.NONE && this.consumer?.hasMembers(request.groupId)) {
      return this.afterConsumerChange(request.groupId, this.consumer.classicHeartbeat(this.broker.now(), request), refuseHeartbeat);
    }
    return this.submit(refusal, (c, now, token) => c.heartbeat(now, token, request), refuseHeartbeat);
  }

  leaveGroup(request: LeaveGroupRequest): Promise<LeaveGroupResponse> {
    const refusal = this.groupRefusal(request.groupId, MEMBERSHIP);
    if (refusal === ErrorCode.NONE && this.consumer?.hasMembers(request.groupId)) {
      return this.afterConsumerChange(request.groupId, this.consumer.classicLeave(request), refuseLeaveGroup);
    }
    return this.submit(refusal, (c, now, token) => c.leaveGroup(now, token, request), refuseLeaveGroup);
  }

  /**
   * Writes what the consumer group coordinator changed (and hands the groups it converted back to the
   * classic coordinator); `response` goes out once the group's records are durable, as Kafka answers.
   */
  private afterConsumerChange<R>(groupId: string, response: R, refuse: (errorCode: number) => R): Promise<R> {
    const written = this.writeConsumerRecords().get(groupId);
    this.armTimer();
    if (!written) return Promise.resolve(response);
    return written.then((appendError) => (appendError === ErrorCode.NONE ? response : refuse(consumerGroupErrorForAppendError(appendError))));
  }

  offsetCommit(request: OffsetCommitRequest): Promise<OffsetCommitResponse> {
    const refusal = this.groupRefusal(request.groupId, OFFSETS_OR_ADMIN);
    const consumer = this.consumer;
    if (refusal === ErrorCode.NONE && consumer?.has(request.groupId)) {
      // A KIP-848 group checks the member and its epoch itself; the offsets are then stored as a
      // commit outside a classic generation, which the classic coordinator keeps for the group id.
      const invalid = consumer.validateOffsetRequest(request.groupId, request.memberId, request.generationIdOrMemberEpoch, true);
      if (invalid !== ErrorCode.NONE) return Promise.resolve(refuseOffsetCommit(request, invalid));
      const simple = { ...request, memberId: '', generationIdOrMemberEpoch: -1, groupInstanceId: null };
      return this.submit(ErrorCode.NONE, (c, now, token) => c.offsetCommit(now, token, simple), (code) => refuseOffsetCommit(request, code));
    }
    return this.submit(refusal, (c, now, token) => c.offsetCommit(now, token, request), (code) => refuseOffsetCommit(request, code));
  }

  /**
   * ConsumerGroupHeartbeat (KIP-848): answered by the consumer group coordinator once the records of
   * what changed are durable. A group id held by a classic group with members is not a consumer group
   * (GROUP_ID_NOT_FOUND, as Kafka answers when it does not convert the group).
   */
  consumerGroupHeartbeat(request: ConsumerHeartbeatRequest): Promise<ConsumerHeartbeatResponse> {
    const refuse = (errorCode: number): ConsumerHeartbeatResponse => ({ errorCode, errorMessage: null, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null });
    const refusal = request.groupId === '' ? ErrorCode.NONE : this.groupRefusal(request.groupId, MEMBERSHIP);
    const consumer = this.consumer;
    if (refusal !== ErrorCode.NONE || !consumer) return Promise.resolve(refuse(refusal === ErrorCode.NONE ? ErrorCode.COORDINATOR_NOT_AVAILABLE : refusal));
    // A share group's id is not a consumer group's (Kafka: "Group X is not a consumer group.").
    if (this.share!.has(request.groupId)) return Promise.resolve({ ...refuse(ErrorCode.GROUP_ID_NOT_FOUND), errorMessage: `Group ${request.groupId} is not a consumer group.` });
    // A classic group with members becomes a consumer group if the migration policy allows (online
    // upgrade); its group record is tombstoned ahead of the consumer group's records, on the same partition.
    const classic = consumer.has(request.groupId) ? undefined : this.coordinator!.migratingGroup(request.groupId);
    const response = consumer.heartbeat(this.broker.now(), request, classic);
    if (classic && consumer.has(request.groupId)) this.absorb(this.coordinator!.handOver(this.broker.now(), request.groupId));
    // As Kafka, the member hears of a change only once its records are durable: a coordinator that
    // takes over after that has the epoch and partitions the member was told.
    return this.afterConsumerChange(request.groupId, response, refuse);
  }

  /**
   * Appends what the consumer and share group coordinators changed, a batch per group on the group's partition;
   * resolves per group with the append's error code once it is durable (or failed).
   */
  private writeConsumerRecords(): Map<string, Promise<number>> {
    const written = new Map<string, Promise<number>>();
    const consumer = this.consumer;
    if (!consumer) return written;
    const now = this.broker.now();
    for (const { groupId, records } of [...consumer.drainRecords(), ...this.share!.drainRecords()]) {
      const id = this.nextConsumerWriteId--;
      written.set(groupId, new Promise((resolve) => this.consumerWrites.set(id, resolve)));
      this.writer!.write({ id, partition: this.partitionOf(groupId), timestampMs: now, records }, now);
    }
    // Groups gone back to classic (online downgrade): the classic group's record follows the tombstones above.
    for (const group of consumer.drainDowngrades()) this.absorb(this.coordinator!.takeIn(now, group));
    return written;
  }

  txnOffsetCommit(request: TxnOffsetCommitRequest): Promise<OffsetCommitResponse> {
    return this.submit(
      this.groupRefusal(request.groupId, MEMBERSHIP),
      (c, now, token) => c.txnOffsetCommit(now, token, request),
      (code) => refuseOffsetCommit(request, code),
    );
  }

  completeTransaction(producerId: number, partitions: readonly number[], commit: boolean): void {
    if (this.lifecycle !== 'open') return;
    // A partition still loading may have been read before the marker: settle its groups once loaded.
    const now: number[] = [];
    for (const partition of partitions) {
      if (this.ownership.status(partition) !== 'loading') {
        now.push(partition);
        continue;
      }
      let waiting = this.settledWhileLoading.get(partition);
      if (!waiting) this.settledWhileLoading.set(partition, (waiting = []));
      if (waiting.length >= MAX_SETTLEMENTS_WHILE_LOADING) {
        this.broker.log.error({ partition, producerId }, 'too many transaction markers during a __consumer_offsets load; dropping the oldest settlement');
        waiting.shift();
      }
      waiting.push({ producerId, commit });
    }
    if (now.length > 0) this.settle(producerId, now, commit);
  }

  private settle(producerId: number, partitions: readonly number[], commit: boolean): void {
    try {
      this.absorb(this.coordinator!.completeTransaction(this.broker.now(), producerId, partitions, commit));
    } catch (err) {
      this.broker.log.error({ err, producerId, partitions }, 'group coordinator failed settling transactional offsets');
    }
  }

  async offsetFetch(request: OffsetFetchRequest): Promise<OffsetFetchResponse> {
    const groups = await this.perGroup(
      request.groups,
      (g) => g.groupId,
      async (served) => (await this.submit(ErrorCode.NONE, (c, now, token) => c.offsetFetch(now, token, { ...request, groups: served }), (code) => refuseOffsetFetch({ ...request, groups: served }, code))).groups,
      (g, code) => refuseOffsetFetch({ ...request, groups: [g] }, code).groups[0]!,
    );
    return { groups };
  }

  async describeGroups(request: DescribeGroupsRequest): Promise<DescribeGroupsResponse> {
    const groups = await this.perGroup(
      request.groups,
      (groupId) => groupId,
      async (served) => (await this.submit(ErrorCode.NONE, (c, now, token) => c.describeGroups(now, token, { ...request, groups: served }), (code) => refuseDescribeGroups({ ...request, groups: served }, code))).groups,
      (groupId, code) => refuseDescribeGroups({ ...request, groups: [groupId] }, code).groups[0]!,
    );
    // A KIP-848 or share group is not described here (a consumer group's committed offsets make a classic
    // record without members under the same id): Kafka answers GROUP_ID_NOT_FOUND, Dead before v6 (the handler's).
    const consumer = this.consumer;
    const share = this.share;
    return {
      groups: groups.map((g) =>
        g.errorCode === ErrorCode.NONE && g.members.length === 0 && (consumer?.has(g.groupId) === true || share?.has(g.groupId) === true)
          ? { ...g, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${g.groupId} is not a classic group.`, groupState: 'Dead', protocolType: '', protocolData: '' }
          : g,
      ),
    };
  }

  listGroups(request: ListGroupsRequest): Promise<ListGroupsResponse> {
    // Before any group was ever used there are none: Kafka lists nothing here and creates no topic.
    if (this.lifecycle === 'absent') return Promise.resolve(refuseListGroups(ErrorCode.NONE));
    // The groups loaded so far are listed; while a partition loads the list is flagged incomplete.
    const loading = this.ownership.anyLoading;
    return this.submit(this.serviceRefusal(), (c, now, token) => c.listGroups(now, token, request), refuseListGroups).then((response) => {
      const listed = { ...response, groups: this.withConsumerGroups(response.groups, request) };
      return loading && response.errorCode === ErrorCode.NONE ? { ...listed, errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS } : listed;
    });
  }

  /**
   * The classic coordinator's list with the KIP-848 groups in: a consumer group's id also names the
   * classic record of its committed offsets, listed once, as the consumer group it is. Filters by state
   * and type as Kafka does, case-insensitively.
   */
  private withConsumerGroups(classic: ListGroupsResponse['groups'], request: ListGroupsRequest): ListGroupsResponse['groups'] {
    const consumer = this.consumer;
    const classicIds = new Set(classic.map((g) => g.groupId));
    // An empty consumer group beside a classic one with members (a classic member joined after the last
    // KIP-848 member left) is listed as the classic group.
    const ids = new Set((consumer?.groupIds() ?? []).filter((id) => consumer!.hasMembers(id) || !classicIds.has(id)));
    const states = new Set(request.statesFilter.map((s) => s.toLowerCase()));
    const types = new Set((request.typesFilter ?? []).map((t) => t.toLowerCase()));
    const groups = [
      ...classic.filter((g) => !ids.has(g.groupId)).map((g) => ({ ...g, groupType: 'classic' })),
      ...[...ids].map((groupId) => ({ groupId, protocolType: 'consumer', groupState: consumerGroupStateName(consumer!.describe(groupId)!.state), groupType: 'consumer' })),
    ];
    return groups.filter((g) => (states.size === 0 || states.has(g.groupState.toLowerCase())) && (types.size === 0 || types.has(g.groupType)));
  }

  async deleteGroups(request: DeleteGroupsRequest): Promise<DeleteGroupsResponse> {
    // Kafka answers each distinct group once.
    const results = await this.perGroup(
      [...new Set(request.groupsNames)],
      (groupId) => groupId,
      async (served) => {
        const consumer = this.consumer!;
        const share = this.share!;
        const nonEmpty = (groupId: string): boolean => consumer.hasMembers(groupId) || share.hasMembers(groupId);
        const failed = await this.deleteShareGroupStates(served.filter((groupId) => !nonEmpty(groupId)));
        // A consumer group with members is not deleted; an empty one goes with its offsets (which the
        // classic coordinator holds), its records tombstoned. Checked again: a share group's members may
        // have come back while its state was deleted.
        const busy = new Set(served.filter(nonEmpty));
        const classic = served.filter((groupId) => !busy.has(groupId) && !failed.has(groupId));
        const deleted = classic.length === 0 ? [] : (await this.submit(ErrorCode.NONE, (c, now, token) => c.deleteGroups(now, token, { groupsNames: classic }), (code) => refuseDeleteGroups({ groupsNames: classic }, code))).results;
        const byId = new Map(deleted.map((r) => [r.groupId, r.errorCode]));
        for (const groupId of classic) {
          if (byId.get(groupId) === ErrorCode.GROUP_ID_NOT_FOUND || byId.get(groupId) === ErrorCode.NONE) {
            if (consumer.delete(groupId) || share.delete(groupId)) byId.set(groupId, ErrorCode.NONE);
          }
        }
        for (const [groupId, w] of this.writeConsumerRecords()) {
          const appendError = await w;
          if (appendError !== ErrorCode.NONE) failed.set(groupId, consumerGroupErrorForAppendError(appendError));
        }
        return served.map((groupId) => {
          if (busy.has(groupId)) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
          return { groupId, errorCode: failed.get(groupId) ?? byId.get(groupId)! };
        });
      },
      (groupId, code) => ({ groupId, errorCode: code }),
    );
    return { results };
  }

  /**
   * Deletes the share-partition state of the empty share groups among `groupIds`, as Kafka does before
   * it deletes a share group: the share-partitions go to the group's deleting topics (record 15), durable
   * before the share coordinators delete them, so a delete that fails is retried by the next DeleteGroups.
   * The groups that could not be done, with the error each is answered.
   */
  private async deleteShareGroupStates(groupIds: readonly string[]): Promise<Map<string, number>> {
    const prepared = groupIds.flatMap((groupId) => {
      const topics = this.share!.prepareDelete(groupId);
      return topics ? [{ groupId, topics }] : [];
    });
    const failed = new Map<string, number>();
    if (prepared.length === 0) return failed;
    const written = this.writeConsumerRecords();
    await Promise.all(
      prepared.map(async ({ groupId, topics }) => {
        const appendError = (await written.get(groupId)) ?? ErrorCode.NONE;
        const errorCode = appendError !== ErrorCode.NONE ? consumerGroupErrorForAppendError(appendError) : topics.length === 0 ? ErrorCode.NONE : await this.broker.shareStates.deleteGroupState(groupId, topics);
        if (errorCode !== ErrorCode.NONE) failed.set(groupId, errorCode);
      }),
    );
    return failed;
  }

  offsetDelete(request: OffsetDeleteRequest): Promise<OffsetDeleteResponse> {
    return this.submit(this.groupRefusal(request.groupId, MEMBERSHIP), (c, now, token) => c.offsetDelete(now, token, request), refuseOffsetDelete);
  }

  /** Removes every group's offsets of partitions that no longer exist (a deleted topic). */
  partitionsDeleted(partitions: TopicPartition[]): void {
    if (this.lifecycle !== 'open') return;
    // Groups still being read come in with those offsets: they are removed again once loaded.
    if (this.ownership.anyLoading) this.deletedWhileLoading.push(...partitions);
    this.removeOffsetsOf(partitions);
  }

  // ---- the coordinator's inputs and outputs

  /**
   * Hands one request to the coordinator with a fresh token and resolves with the reply for it, which
   * may come at once or with a later input (a JoinGroup waits for its rebalance, a commit for its
   * write). The coordinator's effects happen before this returns; a request refused (`refusal` is not
   * NONE) never reaches it.
   */
  private submit<R>(
    refusal: number,
    call: (c: GroupCoordinator<PendingReply>, nowMs: number, token: PendingReply) => CoordinatorOutput<PendingReply>,
    refuse: (errorCode: number) => R,
  ): Promise<R> {
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

  /** Why no group request can be served now (NONE when they can); creates __consumer_offsets if it is missing. */
  private serviceRefusal(): number {
    this.ensureTopic();
    return this.lifecycle === 'open' ? ErrorCode.NONE : ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }

  /**
   * Why a request for `groupId` cannot be served here now, NONE when it can (Kafka's
   * validateGroupStatus): an invalid id is the coordinator's to refuse, before ownership is asked.
   */
  private groupRefusal(groupId: string, mustBeNonEmpty: boolean): number {
    const refusal = this.serviceRefusal();
    if (refusal !== ErrorCode.NONE || !isValidGroupId(groupId, mustBeNonEmpty)) return refusal;
    return this.ownership.refusal(this.partitionOf(groupId));
  }

  private partitionOf(groupId: string): number {
    return partitionForGroup(groupId, this.coordinator!.config.offsetsTopicNumPartitions);
  }

  /**
   * A request naming several groups: those served here go to the coordinator together, the others are
   * refused one by one, and the answers come back in the request's order.
   */
  private async perGroup<G, A>(
    groups: readonly G[],
    groupIdOf: (group: G) => string,
    serve: (served: G[]) => Promise<A[]>,
    refuse: (group: G, errorCode: number) => A,
  ): Promise<A[]> {
    const refusals = groups.map((g) => this.groupRefusal(groupIdOf(g), OFFSETS_OR_ADMIN));
    const served = groups.filter((_, i) => refusals[i] === ErrorCode.NONE);
    const answers = served.length > 0 ? await serve(served) : [];
    let next = 0;
    return groups.map((g, i) => (refusals[i] === ErrorCode.NONE ? answers[next++]! : refuse(g, refusals[i]!)));
  }

  private absorb(out: CoordinatorOutput<PendingReply>): void {
    for (const reply of out.replies) reply.token.resolve(reply.response);
    const now = this.broker.now();
    for (const append of out.appends) this.writer!.write(append, now);
    this.armTimer();
  }

  private appendCompleted(appendId: number, errorCode: number): void {
    const consumerWrite = this.consumerWrites.get(appendId);
    if (consumerWrite) {
      this.consumerWrites.delete(appendId);
      if (errorCode !== ErrorCode.NONE) this.broker.log.warn({ appendId, errorCode }, 'a consumer group write to __consumer_offsets failed');
      consumerWrite(errorCode);
      return;
    }
    const coordinator = this.coordinator!;
    try {
      this.absorb(coordinator.appendCompleted(this.broker.now(), appendId, errorCode));
    } catch (err) {
      this.broker.log.error({ err, appendId }, 'group coordinator failed on a completed write');
    }
  }

  /** One timer, at the coordinator's next deadline. */
  private armTimer(): void {
    if (this.lifecycle === 'stopped') return;
    const deadlines = [this.coordinator?.nextDeadline(), this.consumer?.nextDeadline(), this.share?.nextDeadline()].filter((d) => d !== undefined);
    this.timer.arm(deadlines.length > 0 ? Math.min(...deadlines) : undefined);
  }

  /** Fires the coordinator's deadlines that are due. */
  private tick(): void {
    const coordinator = this.coordinator;
    if (!coordinator || this.lifecycle !== 'open') return;
    try {
      this.consumer?.tick(this.broker.now());
      this.share?.tick(this.broker.now());
      // Members whose sessions ended leave the log too; nobody waits for that write.
      this.writeConsumerRecords();
      this.absorb(coordinator.tick(this.broker.now()));
    } catch (err) {
      this.broker.log.error({ err }, 'group coordinator failed on a clock tick');
      this.armTimer();
    }
  }

  // ---- __consumer_offsets: creation and loading

  /** Where `nodeId` is for clients of `listener` (the inter-broker one when unset). */
  private at(nodeId: number, listener?: string): CoordinatorLocation {
    const node = this.broker.metadata.liveBrokers(listener).find((b) => b.nodeId === nodeId);
    return node ? { errorCode: ErrorCode.NONE, node } : this.unavailable();
  }

  private unavailable(): CoordinatorLocation {
    return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, node: undefined };
  }

  /** Creates __consumer_offsets if it does not exist yet, then opens it. */
  private ensureTopic(): void {
    this.topic.ensure();
  }

  /**
   * Starts the coordinator with no groups, then elects this broker for every partition it leads, each
   * loaded on its own (on a single broker, all of them).
   */
  private open(): void {
    const { broker } = this;
    const partitions = broker.replicas.partitionsOf(CONSUMER_OFFSETS_TOPIC) ?? [];
    const count = broker.topics.get(CONSUMER_OFFSETS_TOPIC)?.replicas.length ?? partitions.length;
    // Groups are spread over the partitions the topic has, whatever offsets.topic.num.partitions says now.
    const config = { ...groupCoordinatorConfigFrom(broker.config.values), offsetsTopicNumPartitions: count };
    this.coordinator = new GroupCoordinator<PendingReply>({ config, memberIdSuffix: randomUUID }, broker.now());
    this.consumer = new ConsumerGroupCoordinator(consumerGroupConfigFrom(broker.config.values), { topics: () => this.assignableTopics() }, randomUUID);
    const v = broker.config.values;
    this.share = new ShareGroupCoordinator(
      { sessionTimeoutMs: v['group.share.session.timeout.ms'], heartbeatIntervalMs: v['group.share.heartbeat.interval.ms'], maxSize: v['group.share.max.size'], maxGroups: v['group.share.max.groups'] },
      { topics: () => this.assignableTopics() },
    );
    this.writer = new ConsumerOffsetsWriter(
      // Looked up on each write: in a cluster a partition opens here after the topic does.
      (index) => broker.replicas.partition(CONSUMER_OFFSETS_TOPIC, index),
      (appendId, errorCode) => this.appendCompleted(appendId, errorCode),
      broker.log,
    );
    // In a cluster this broker hosts only some partitions: the list has holes.
    for (const p of partitions) if (p?.leaderId === broker.config.brokerId) void this.onElection(p.index, p.leaderEpoch);
  }

  /**
   * ConsumerGroupDescribe (KIP-848): each group as the consumer group coordinator holds it; a group id it
   * does not have is GROUP_ID_NOT_FOUND, as Kafka answers it for a missing or a classic group.
   */
  consumerGroupDescribe(groupIds: readonly string[]): Promise<DescribedConsumerGroup[]> {
    const names = new Map(this.broker.topics.list().map((t) => [t.topicId, t.name]));
    return Promise.resolve(
      groupIds.map((groupId) => {
        const refusal = this.groupRefusal(groupId, OFFSETS_OR_ADMIN);
        const view = refusal === ErrorCode.NONE ? this.consumer?.describe(groupId) : undefined;
        const errorCode = refusal !== ErrorCode.NONE ? refusal : view ? ErrorCode.NONE : ErrorCode.GROUP_ID_NOT_FOUND;
        return describedConsumerGroup(groupId, errorCode, view, (id) => names.get(id) ?? '');
      }),
    );
  }

  /**
   * ShareGroupHeartbeat (KIP-932): answered once the records of what changed are durable, so a
   * coordinator that takes over has the epoch and partitions the member was told. A group id a
   * consumer group, or a classic group with members, holds is not a share group (GROUP_ID_NOT_FOUND, as
   * Kafka answers; a classic group of committed offsets alone is not counted, since a KIP-848 group's
   * offsets are kept in one here).
   */
  shareGroupHeartbeat(request: ShareHeartbeatRequest): Promise<ShareHeartbeatResponse> {
    const refuse = (errorCode: number, errorMessage: string | null = null): ShareHeartbeatResponse => ({ errorCode, errorMessage, memberId: null, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null });
    const refusal = request.groupId === '' ? ErrorCode.NONE : this.groupRefusal(request.groupId, MEMBERSHIP);
    const share = this.share;
    if (refusal !== ErrorCode.NONE || !share) return Promise.resolve(refuse(refusal === ErrorCode.NONE ? ErrorCode.COORDINATOR_NOT_AVAILABLE : refusal));
    if (this.consumer!.has(request.groupId) || this.coordinator!.migratingGroup(request.groupId) !== undefined) return Promise.resolve(refuse(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${request.groupId} is not a share group.`));
    return this.afterConsumerChange(request.groupId, share.heartbeat(request, this.broker.now()), (code) => refuse(code));
  }

  shareGroupDescribe(groupIds: readonly string[]): DescribedShareGroup[] {
    return groupIds.map((groupId) => {
      const refusal = this.groupRefusal(groupId, OFFSETS_OR_ADMIN);
      if (refusal !== ErrorCode.NONE || !this.share) return { groupId, errorCode: refusal === ErrorCode.NONE ? ErrorCode.COORDINATOR_NOT_AVAILABLE : refusal, groupState: '', groupEpoch: -1, assignmentEpoch: -1, members: [] };
      return this.share.describe(groupId);
    });
  }

  shareGroupList(): Array<{ groupId: string; groupState: string }> {
    return this.share?.list() ?? [];
  }

  shareGroupStateInitialized(groupId: string, topics: ReadonlyArray<{ topicId: string; topicName: string; partitions: readonly number[] }>): Promise<number> {
    return this.writeShareStateChange(groupId, (share) => share.stateInitialized(groupId, topics));
  }

  shareGroupStateDeleting(groupId: string, topics: ReadonlyArray<{ topicId: string; topicName: string }>, done: boolean): Promise<number> {
    return this.writeShareStateChange(groupId, (share) => share.stateDeleting(groupId, topics, done));
  }

  /** A change of a share group's record 15 by `change` (false: no such group), answered once durable. */
  private async writeShareStateChange(groupId: string, change: (share: ShareGroupCoordinator) => boolean): Promise<number> {
    const refusal = this.groupRefusal(groupId, MEMBERSHIP);
    if (refusal !== ErrorCode.NONE || !this.share) return refusal === ErrorCode.NONE ? ErrorCode.COORDINATOR_NOT_AVAILABLE : refusal;
    if (!change(this.share)) return ErrorCode.NONE;
    const appendError = (await this.writeConsumerRecords().get(groupId)) ?? ErrorCode.NONE;
    return appendError === ErrorCode.NONE ? ErrorCode.NONE : consumerGroupErrorForAppendError(appendError);
  }

  /** Every topic with its id and partition count, for KIP-848's server-side assignment. */
  private assignableTopics(): Map<string, { id: string; partitions: number }> {
    return new Map(this.broker.topics.list().map((t) => [t.name, { id: t.topicId, partitions: t.replicas.length }]));
  }

  /** Reads one partition back from its log start to its end. */
  private async readPartition(partition: number): Promise<LoadedPartition> {
    const log = this.broker.replicas.partition(CONSUMER_OFFSETS_TOPIC, partition)?.log;
    if (!log) throw new Error(`__consumer_offsets partition ${partition} is not open on this broker`);
    const replay = new ConsumerOffsetsReplay();
    const stats = await loadConsumerOffsets([log], replay);
    return { groups: replay.groups(), consumerGroups: replay.consumerGroups(), shareGroups: replay.shareGroups(), stats, malformed: replay.malformed, unknown: replay.unknown };
  }

  private removeOffsetsOf(partitions: TopicPartition[]): void {
    try {
      this.absorb(this.coordinator!.partitionsDeleted(this.broker.now(), partitions));
    } catch (err) {
      this.broker.log.error({ err, partitions: partitions.length }, 'group coordinator failed removing offsets of deleted partitions');
    }
    this.deleteShareStatesOf(new Set(partitions.map((p) => p.topic))).catch((err: unknown) => this.broker.log.error({ err }, "failed deleting deleted topics' share-partition state"));
  }

  /**
   * A deleted topic's share-partition state goes with it, as in Kafka (whose share coordinators delete it
   * while the group coordinator takes the topic out of ShareGroupStatePartitionMetadata): deleted here
   * through the share coordinators for every share group whose record 15 lists the topic, then taken
   * out of the record. A delete that fails leaves the topic listed, to be deleted with the group.
   */
  private async deleteShareStatesOf(topicNames: ReadonlySet<string>): Promise<void> {
    const share = this.share;
    if (!share) return;
    await Promise.all(
      share.statesOfDeletedTopics(topicNames).map(async ({ groupId, topics }) => {
        const errorCode = await this.broker.shareStates.deleteGroupState(groupId, topics);
        if (errorCode !== ErrorCode.NONE) {
          this.broker.log.warn({ groupId, topics: topics.map((t) => t.topicName), errorCode }, "could not delete a deleted topic's share-partition state; it is deleted with the share group");
          return;
        }
        // The group may have moved away meanwhile: its new coordinator finds the topic listed, which only costs a delete that finds nothing.
        if (this.share === share && share.stateDeleting(groupId, topics, true)) this.writeConsumerRecords();
      }),
    );
  }

  private partitionLoaded(partition: number, epoch: number, loaded: LoadedPartition): void {
    const { broker } = this;
    const { groups, stats } = loaded;
    // Consumer and share groups come back with the epochs and partitions their members were told.
    const open = this.lifecycle === 'open';
    const malformed = loaded.malformed + (open ? this.consumer!.load(broker.now(), loaded.consumerGroups) + this.share!.load(broker.now(), loaded.shareGroups) : 0);
    const skipped = { malformedRecords: malformed, unknownRecords: loaded.unknown, unreadableBatches: stats.unreadableBatches };
    // Debug when all went well: a start loads every partition of __consumer_offsets (50 lines).
    const level = stats.unreadableBatches + malformed > 0 ? 'warn' : 'debug';
    const counts = { groups: groups.length, consumerGroups: loaded.consumerGroups.size, shareGroups: loaded.shareGroups.size, records: stats.records };
    broker.log[level]({ partition, epoch, ...counts, ...skipped }, 'loaded __consumer_offsets partition');
    if (!open) return;
    // Loaded members' sessions run from now: the timer expires those that do not come back.
    this.armTimer();
    try {
      // Loading may start rebalances of groups over the size limit: their output goes out now.
      this.absorb(this.coordinator!.groupsLoaded(broker.now(), groups));
    } catch (err) {
      broker.log.error({ err, partition }, 'group coordinator failed taking in loaded groups');
    }
    // Markers written to the partition while it was read settle its groups now (again, if the read saw them).
    for (const { producerId, commit } of this.settledWhileLoading.get(partition) ?? []) this.settle(producerId, [partition], commit);
    this.settledWhileLoading.delete(partition);
    // The loaded groups may hold offsets of topics deleted while they were being read.
    const deleted = this.deletedWhileLoading;
    if (!this.ownership.anyLoading) this.deletedWhileLoading = [];
    if (deleted.length > 0) this.removeOffsetsOf(deleted);
  }

  private partitionUnloaded(partition: number, epoch: number): void {
    const { broker } = this;
    this.settledWhileLoading.delete(partition);
    try {
      this.consumer!.forget((groupId) => this.partitionOf(groupId) !== partition);
      this.share!.forget((groupId) => this.partitionOf(groupId) !== partition);
      this.absorb(this.coordinator!.partitionUnloaded(broker.now(), partition));
    } catch (err) {
      broker.log.error({ err, partition }, 'group coordinator failed unloading a partition');
    }
    broker.log.info({ partition, epoch }, 'unloaded __consumer_offsets partition');
  }
}
