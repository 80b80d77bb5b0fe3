// The I/O shell of share groups (KIP-932): membership is the group coordinator's (share groups live in
// __consumer_offsets beside the other groups: GroupService and share-group-coordinator.ts); here is, for
// the partitions this broker leads, each group's
// share-partition (share-partition.ts) with its durable state (kept by the share coordinator of
// share-state-coordinator.ts in __share_group_state, reached through share-state-persister.ts) and the members'
// share sessions (share-sessions.ts). The cores are pure; here are the clock, the timer, the log reads,
// the disk and the waits.
//
// Why records are released when a session's connection closes: a member that crashed holds its
// records until their locks run out (group.share.record.lock.duration.ms); Kafka releases a
// session's records as soon as the connection under it closes, so a crashed consumer's work reaches
// the others at once. Acknowledgements are durable before they are answered: a record a member was
// told is accepted is never delivered again, across a restart or a move of the partition's leadership too.
import { ErrorCode, ZERO_UUID, type AlterShareGroupOffsetsRequest, type AlterShareGroupOffsetsResponseInput, type DeleteShareGroupOffsetsRequest, type DeleteShareGroupOffsetsResponseInput, type DeleteShareGroupStateRequest, type DeleteShareGroupStateResponseInput, type ReadShareGroupStateRequest, type ReadShareGroupStateResponseInput, type WriteShareGroupStateRequest, type WriteShareGroupStateResponseInput, type DescribeShareGroupOffsetsRequest, type DescribeShareGroupOffsetsResponseInput, type ShareFetchRequest, type ShareFetchResponseInput, type ShareAcknowledgeRequest, type ShareAcknowledgeResponseInput } from '../../../protocol/kafka/index.js';
import type { PartitionLog } from '../../log/partition-log.js';
import type { Logger } from '../../logger.js';
import type { BrokerConfig } from '../broker-config.js';
import { waitForBytes } from '../fetch/long-poll.js';
import { errorCodeOf } from '../fetch/partition-access.js';
import type { RequestContext } from '../handler.js';
import type { TopicRecord } from '../metadata/topic-store.js';
import type { PartitionAccess } from '../services.js';
import type { ShareMembership, ShareStates } from '../groups/service.js';
import type { DescribedShareGroup, ShareHeartbeatRequest, ShareHeartbeatResponse } from './share-group-coordinator.js';
import { DeliveryState, SharePartition, type AcquiredRange, type SharePartitionLimits, type SharePartitionSnapshot } from './share-partition.js';
import { FINAL_SHARE_SESSION_EPOCH, INITIAL_SHARE_SESSION_EPOCH, sessionPartitionKey, ShareSessionCache, type ShareSession } from './share-sessions.js';
import type { ShareStateCoordinator } from './share-state-coordinator.js';
import { ShareStateError, ShareStatePersister } from './share-state-persister.js';
import type { BrokerConnections } from '../cluster/broker-connections.js';
import type { MetadataView } from '../metadata/metadata-view.js';

/** How often lock expiries and member sessions are checked: a fraction of the shortest lock Kafka allows (1 s). */
const TICK_MS = 100;

type FetchTopic = NonNullable<ShareFetchResponseInput['responses']>[number];
type FetchPartitionAnswer = NonNullable<FetchTopic['partitions']>[number];
type AckTopic = NonNullable<ShareAcknowledgeResponseInput['responses']>[number];
type AckBatch = ShareFetchRequest['topics'][number]['partitions'][number]['acknowledgementBatches'][number];

/** What handlers of the share APIs ask (services.ts hands it to them as `shares`). */
export interface ShareRequests {
  heartbeat(request: ShareHeartbeatRequest): Promise<ShareHeartbeatResponse>;
  describe(groupIds: readonly string[]): DescribedShareGroup[];
  list(): Array<{ groupId: string; groupState: string }>;
  /** `mayRead(topic)`: whether the asker may READ the topic (Kafka checks every partition the fetch reaches). */
  fetch(request: ShareFetchRequest, ctx: RequestContext, mayRead: (topic: string) => boolean): Promise<ShareFetchResponseInput>;
  acknowledge(request: ShareAcknowledgeRequest, ctx: RequestContext, mayRead: (topic: string) => boolean): Promise<ShareAcknowledgeResponseInput>;
  describeOffsets(groups: DescribeShareGroupOffsetsRequest['groups']): Promise<DescribeShareGroupOffsetsResponseInput['groups']>;
  /** AlterShareGroupOffsets for the topics the caller may read: the top-level error and each partition's. */
  alterOffsets(groupId: string, topics: AlterShareGroupOffsetsRequest['topics']): Promise<{ errorCode: number; errorMessage: string | null; responses: AlterResponseTopic[] }>;
  /** DeleteShareGroupOffsets for the topics the caller may read: the top-level error and each topic's. */
  deleteOffsets(groupId: string, topics: DeleteShareGroupOffsetsRequest['topics']): Promise<{ errorCode: number; errorMessage: string | null; responses: DeleteResponseTopic[] }>;
  /** Read-, Write- and DeleteShareGroupState from other brokers: this broker's share coordinator answers. */
  readState(request: ReadShareGroupStateRequest): ReadShareGroupStateResponseInput;
  writeState(request: WriteShareGroupStateRequest): Promise<WriteShareGroupStateResponseInput>;
  deleteState(request: DeleteShareGroupStateRequest): Promise<DeleteShareGroupStateResponseInput>;
}

type AlterResponseTopic = NonNullable<AlterShareGroupOffsetsResponseInput['responses']>[number];
type DeleteResponseTopic = NonNullable<DeleteShareGroupOffsetsResponseInput['responses']>[number];

export interface ShareServiceDeps {
  config: BrokerConfig;
  log: Logger;
  topics: { list(): TopicRecord[]; getById(topicId: string): TopicRecord | undefined };
  partitions: PartitionAccess;
  metadata: MetadataView;
  /** The share coordinator of this broker (the share-partition state in __share_group_state). */
  stateCoordinator: ShareStateCoordinator;
  /** To the share coordinators on other brokers. */
  connections: BrokerConnections;
  /** Share groups' membership: the group coordinator's. */
  membership: ShareMembership;
  now(): number;
}

/**
 * A share-partition's lag (DescribeShareGroupOffsets v1): the records below the high watermark not yet
 * done with, i.e. from the start offset on, less those acknowledged or archived.
 */
function shareLag(state: SharePartitionSnapshot, highWatermark: number): number {
  let done = 0;
  for (const b of state.stateBatches) {
    if (b.deliveryState === DeliveryState.Available) continue;
    const from = Math.max(b.firstOffset, state.startOffset);
    const to = Math.min(b.lastOffset + 1, highWatermark);
    if (to > from) done += to - from;
  }
  return Math.max(0, highWatermark - state.startOffset - done);
}

/** A refusal of a whole ShareFetch or ShareAcknowledge: both responses have this top level. */
function refusal(errorCode: number, errorMessage: string | null, lockMs: number): ShareFetchResponseInput & ShareAcknowledgeResponseInput {
  return { throttleTimeMs: 0, errorCode, errorMessage, acquisitionLockTimeoutMs: lockMs, responses: [], nodeEndpoints: [] };
}

/** Both requests name a group and a member: without either, Kafka's INVALID_GROUP_ID or INVALID_REQUEST. */
function idsOf(request: { groupId: string | null; memberId: string | null }): { groupId: string; memberId: string } | { errorCode: number; errorMessage: string } {
  const { groupId, memberId } = request;
  if (groupId === null || groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, errorMessage: 'The group id is missing.' };
  if (memberId === null || memberId === '') return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'The member id is missing.' };
  return { groupId, memberId };
}

interface Held {
  readonly groupId: string;
  readonly topicId: string;
  readonly partition: number;
  /** The leader epoch of the partition this share-partition was loaded in. */
  readonly leaderEpoch: number;
  readonly sp: SharePartition;
}

export class ShareService implements ShareRequests, ShareStates {
  private readonly limits: SharePartitionLimits;
  private readonly sessions: ShareSessionCache;
  private readonly persister: ShareStatePersister;
  /** Share-partitions by group, topic id and partition; loading ones as promises, so two fetches load once. */
  private readonly held = new Map<string, Held | Promise<Held>>();
  /** Fetches parked with nothing to deliver, woken when records become available again. */
  private readonly waiters = new Set<() => void>();
  /** Per session: stops watching its connection when the session is replaced or closed. */
  private readonly unwatch = new Map<ShareSession, () => void>();
  private timer: NodeJS.Timeout | undefined;
  private readonly maxGroups: number;

  constructor(private readonly deps: ShareServiceDeps) {
    const v = deps.config.values;
    this.limits = {
      lockDurationMs: v['group.share.record.lock.duration.ms'],
      deliveryCountLimit: v['group.share.delivery.count.limit'],
      maxInFlight: v['group.share.partition.max.record.locks'],
    };
    this.sessions = new ShareSessionCache(v['group.share.max.share.sessions']);
    this.maxGroups = v['group.share.max.groups'];
    this.persister = new ShareStatePersister({
      brokerId: deps.config.brokerId,
      metadata: deps.metadata,
      coordinator: deps.stateCoordinator,
      connections: deps.connections,
      writeTimeoutMs: v['share.coordinator.write.timeout.ms'],
      log: deps.log,
      now: deps.now,
    });
  }

  start(): void {
    this.deps.stateCoordinator.start();
    this.timer = setInterval(() => this.tick(this.deps.now()), TICK_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.persister.stop();
    for (const wake of [...this.waiters]) wake();
    this.deps.connections.close();
    await this.deps.stateCoordinator.stop();
  }

  readState(request: ReadShareGroupStateRequest): ReadShareGroupStateResponseInput {
    return this.deps.stateCoordinator.read(request);
  }

  writeState(request: WriteShareGroupStateRequest): Promise<WriteShareGroupStateResponseInput> {
    return this.deps.stateCoordinator.write(request);
  }

  deleteState(request: DeleteShareGroupStateRequest): Promise<DeleteShareGroupStateResponseInput> {
    return this.deps.stateCoordinator.delete(request);
  }

  /**
   * Why the group's offsets cannot be altered or deleted here: the group coordinator's errors, then
   * NON_EMPTY_GROUP while it has members (their share-partitions are in use). A group id no share group
   * has is accepted as an empty one, as Kafka sets the offsets of a group before its first member.
   */
  private offsetsRefusal(groupId: string): number {
    const group = this.deps.membership.shareGroupDescribe([groupId])[0]!;
    if (group.errorCode !== ErrorCode.NONE && group.errorCode !== ErrorCode.GROUP_ID_NOT_FOUND) return group.errorCode;
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    return group.members.length > 0 ? ErrorCode.NON_EMPTY_GROUP : ErrorCode.NONE;
  }

  async alterOffsets(groupId: string, topics: AlterShareGroupOffsetsRequest['topics']): Promise<{ errorCode: number; errorMessage: string | null; responses: AlterResponseTopic[] }> {
    const refusal = this.offsetsRefusal(groupId);
    const known = new Map(this.deps.topics.list().map((t) => [t.name, t]));
    const valid = (topicName: string, partitionIndex: number, startOffset: number): number => {
      const topic = known.get(topicName);
      if (refusal !== ErrorCode.NONE) return refusal;
      if (!topic || partitionIndex < 0 || partitionIndex >= topic.replicas.length) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      return startOffset < 0 ? ErrorCode.INVALID_REQUEST : ErrorCode.NONE;
    };
    // The share-partitions become the group's before their state is written, so DeleteGroups finds them.
    const resets = topics.flatMap(({ topicName, partitions }) => {
      const topic = known.get(topicName);
      const indexes = partitions.filter((p) => valid(topicName, p.partitionIndex, p.startOffset) === ErrorCode.NONE).map((p) => p.partitionIndex);
      return topic && indexes.length > 0 ? [{ topicId: topic.topicId, topicName, partitions: indexes }] : [];
    });
    const recorded = resets.length === 0 ? ErrorCode.NONE : await this.deps.membership.shareGroupStateInitialized(groupId, resets);
    const responses = await Promise.all(
      topics.map(async ({ topicName, partitions }) => {
        const topic = known.get(topicName);
        return {
          topicName,
          topicId: topic?.topicId ?? ZERO_UUID,
          partitions: await Promise.all(
            partitions.map(async ({ partitionIndex, startOffset }) => {
              const answer = (errorCode: number) => ({ partitionIndex, errorCode, errorMessage: null });
              const invalid = valid(topicName, partitionIndex, startOffset);
              if (invalid !== ErrorCode.NONE) return answer(invalid);
              if (recorded !== ErrorCode.NONE) return answer(recorded);
              const code = await this.stateCall(() => this.persister.reset({ groupId, topicId: topic!.topicId, partition: partitionIndex }, startOffset));
              this.forget(groupId, (h) => h.topicId === topic!.topicId && h.partition === partitionIndex);
              return answer(code);
            }),
          ),
        };
      }),
    );
    return { errorCode: refusal, errorMessage: null, responses };
  }

  async deleteOffsets(groupId: string, topics: DeleteShareGroupOffsetsRequest['topics']): Promise<{ errorCode: number; errorMessage: string | null; responses: DeleteResponseTopic[] }> {
    const refusal = this.offsetsRefusal(groupId);
    if (refusal !== ErrorCode.NONE) return { errorCode: refusal, errorMessage: null, responses: [] };
    const known = new Map(this.deps.topics.list().map((t) => [t.name, t]));
    const found = topics.flatMap(({ topicName }) => {
      const topic = known.get(topicName);
      return topic ? [{ topicId: topic.topicId, topicName }] : [];
    });
    // As Kafka: the topics are recorded deleting first, so a delete that fails part way is retried by DeleteGroups.
    const recorded = found.length === 0 ? ErrorCode.NONE : await this.deps.membership.shareGroupStateDeleting(groupId, found, false);
    const responses = await Promise.all(
      topics.map(async ({ topicName }) => {
        const topic = known.get(topicName);
        if (!topic) return { topicName, topicId: ZERO_UUID, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null };
        if (recorded !== ErrorCode.NONE) return { topicName, topicId: topic.topicId, errorCode: recorded, errorMessage: null };
        const codes = await Promise.all(topic.replicas.map((_, partition) => this.stateCall(() => this.persister.delete({ groupId, topicId: topic.topicId, partition }))));
        this.forget(groupId, (h) => h.topicId === topic.topicId);
        return { topicName, topicId: topic.topicId, errorCode: codes.find((c) => c !== ErrorCode.NONE) ?? ErrorCode.NONE, errorMessage: null };
      }),
    );
    const deleted = found.filter((t) => responses.find((r) => r.topicId === t.topicId)?.errorCode === ErrorCode.NONE);
    // Done: out of deleting. Should this write fail, the next DeleteGroups deletes them again, which is harmless.
    if (deleted.length > 0) await this.deps.membership.shareGroupStateDeleting(groupId, deleted, true);
    return { errorCode: ErrorCode.NONE, errorMessage: null, responses };
  }

  /**
   * Deletes a share group's state of these share-partitions (DeleteGroups, a deleted topic; through the
   * group coordinator): NONE once every one is gone, else the first error. Those share-partitions held
   * here are dropped, so a group of the same id that comes back starts them as new (share.auto.offset.reset);
   * the group's others are left alone (a deleted topic's group may be busy on other topics).
   */
  async deleteGroupState(groupId: string, topics: ReadonlyArray<{ topicId: string; partitions: readonly number[] }>): Promise<number> {
    const codes = await Promise.all(topics.flatMap(({ topicId, partitions }) => partitions.map((partition) => this.stateCall(() => this.persister.delete({ groupId, topicId, partition })))));
    this.forget(groupId, (h) => topics.some((t) => t.topicId === h.topicId && t.partitions.includes(h.partition)));
    return codes.find((c) => c !== ErrorCode.NONE) ?? ErrorCode.NONE;
  }

  /** Drops the group's share-partitions held here that `which` picks; their next use reads the durable state. */
  private forget(groupId: string, which: (h: Held) => boolean): void {
    for (const [key, h] of this.held) if (!(h instanceof Promise) && h.groupId === groupId && which(h)) this.held.delete(key);
  }

  /** NONE once a share coordinator call succeeded, else its error code. */
  private async stateCall(call: () => Promise<void>): Promise<number> {
    try {
      await call();
      return ErrorCode.NONE;
    } catch (err) {
      if (err instanceof ShareStateError) return err.errorCode;
      this.deps.log.error({ err }, 'share coordinator call failed');
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    }
  }

  /** Acquisition locks that ran out: records are offered again. */
  tick(now: number): void {
    let released = false;
    for (const h of this.held.values()) if (!(h instanceof Promise) && h.sp.tick(now)) released = true;
    if (released) this.wake();
  }

  heartbeat(request: ShareHeartbeatRequest): Promise<ShareHeartbeatResponse> {
    return this.deps.membership.shareGroupHeartbeat(request);
  }

  describe(groupIds: readonly string[]): DescribedShareGroup[] {
    return this.deps.membership.shareGroupDescribe(groupIds);
  }

  list(): Array<{ groupId: string; groupState: string }> {
    return this.deps.membership.shareGroupList();
  }

  async fetch(request: ShareFetchRequest, ctx: RequestContext, mayRead: (topic: string) => boolean): Promise<ShareFetchResponseInput> {
    const lockMs = this.limits.lockDurationMs;
    const refuse = (errorCode: number, errorMessage: string | null = null): ShareFetchResponseInput => refusal(errorCode, errorMessage, lockMs);
    const ids = idsOf(request);
    if ('errorCode' in ids) return refuse(ids.errorCode, ids.errorMessage);
    const { groupId, memberId } = ids;
    if (request.maxRecords <= 0) return refuse(ErrorCode.INVALID_REQUEST, 'MaxRecords must be positive.');
    const refused = this.unreadable(mayRead);
    const acks = request.topics.flatMap((t) => t.partitions.filter((p) => p.acknowledgementBatches.length > 0).map((p) => ({ topicId: t.topicId, partition: p.partitionIndex, batches: p.acknowledgementBatches })));
    let session: ShareSession | number;
    if (request.shareSessionEpoch === INITIAL_SHARE_SESSION_EPOCH) {
      if (acks.length > 0) return refuse(ErrorCode.INVALID_REQUEST, 'Acknowledgements are not allowed when opening a share session.');
      session = this.openSession(groupId, memberId, ctx);
    } else {
      session = this.sessions.advance(groupId, memberId, request.shareSessionEpoch);
    }
    if (typeof session === 'number') return refuse(session);
    for (const t of request.forgottenTopicsData) for (const p of t.partitions) session.partitions.delete(sessionPartitionKey(t.topicId, p));

    const answers = new Map<string, FetchPartitionAnswer & { topicId: string }>();
    const answerOf = (topicId: string, partition: number): FetchPartitionAnswer & { topicId: string } => {
      const key = sessionPartitionKey(topicId, partition);
      let a = answers.get(key);
      if (!a) {
        a = { topicId, partitionIndex: partition, errorCode: ErrorCode.NONE, errorMessage: null, acknowledgeErrorCode: ErrorCode.NONE, acknowledgeErrorMessage: null, currentLeader: { leaderId: -1, leaderEpoch: -1 }, records: null, acquiredRecords: [] };
        answers.set(key, a);
      }
      return a;
    };
    // Only partitions that exist join the session: it never holds more than the cluster has.
    for (const t of request.topics) {
      const topic = this.deps.topics.getById(t.topicId);
      for (const p of t.partitions) {
        if (!topic) answerOf(t.topicId, p.partitionIndex).errorCode = ErrorCode.UNKNOWN_TOPIC_ID;
        else if (refused(t.topicId)) answerOf(t.topicId, p.partitionIndex).errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
        else if (p.partitionIndex < 0 || p.partitionIndex >= topic.replicas.length) answerOf(t.topicId, p.partitionIndex).errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else session.partitions.set(sessionPartitionKey(t.topicId, p.partitionIndex), { topicId: t.topicId, partition: p.partitionIndex });
      }
    }
    for (const { topicId, partition, code } of await this.applyAcks(groupId, memberId, acks, refused)) answerOf(topicId, partition).acknowledgeErrorCode = code;
    if (request.shareSessionEpoch === FINAL_SHARE_SESSION_EPOCH) {
      this.endSession(session);
    } else {
      let delivered = await this.acquire(session, request, ctx, answerOf, refused);
      if (delivered === 0 && request.maxWaitMs > 0 && !ctx.signal.aborted) {
        await this.waitForRecords(session, request.maxWaitMs, ctx.signal);
        if (!ctx.signal.aborted) delivered = await this.acquire(session, request, ctx, answerOf, refused);
      }
    }
    const responses: FetchTopic[] = [];
    for (const { topicId, ...partition } of answers.values()) {
      let topic = responses.find((t) => t.topicId === topicId);
      if (!topic) {
        topic = { topicId, partitions: [] };
        responses.push(topic);
      }
      (topic.partitions as FetchPartitionAnswer[]).push(partition);
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, acquisitionLockTimeoutMs: lockMs, responses, nodeEndpoints: [] };
  }

  async acknowledge(request: ShareAcknowledgeRequest, ctx: RequestContext, mayRead: (topic: string) => boolean): Promise<ShareAcknowledgeResponseInput> {
    const lockMs = this.limits.lockDurationMs;
    const refuse = (errorCode: number, errorMessage: string | null = null): ShareAcknowledgeResponseInput => refusal(errorCode, errorMessage, lockMs);
    const ids = idsOf(request);
    if ('errorCode' in ids) return refuse(ids.errorCode, ids.errorMessage);
    const { groupId, memberId } = ids;
    // A session is opened by ShareFetch only: acknowledging at epoch 0 names records no session fetched.
    if (request.shareSessionEpoch === INITIAL_SHARE_SESSION_EPOCH) return refuse(ErrorCode.INVALID_SHARE_SESSION_EPOCH);
    const session = this.sessions.advance(groupId, memberId, request.shareSessionEpoch);
    if (typeof session === 'number') return refuse(session);
    const acks = request.topics.flatMap((t) => t.partitions.map((p) => ({ topicId: t.topicId, partition: p.partitionIndex, batches: p.acknowledgementBatches })));
    const results = await this.applyAcks(groupId, memberId, acks, this.unreadable(mayRead));
    if (request.shareSessionEpoch === FINAL_SHARE_SESSION_EPOCH) this.endSession(session);
    const responses: AckTopic[] = [];
    for (const { topicId, partition, code, leader } of results) {
      let topic = responses.find((t) => t.topicId === topicId);
      if (!topic) {
        topic = { topicId, partitions: [] };
        responses.push(topic);
      }
      (topic.partitions as NonNullable<AckTopic['partitions']>[number][]).push({ partitionIndex: partition, errorCode: code, errorMessage: null, currentLeader: leader });
    }
    ctx.log.debug({ groupId, memberId, partitions: results.length }, 'share acknowledge');
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, acquisitionLockTimeoutMs: lockMs, responses, nodeEndpoints: [] };
  }

  /**
   * DescribeShareGroupOffsets: each share-partition's start offset (-1 where the group never fetched it),
   * for the partitions named or, with null topics, every partition of the topics the group's members
   * subscribe to; read from the share coordinators, wherever the partitions are led.
   */
  async describeOffsets(groups: DescribeShareGroupOffsetsRequest['groups']): Promise<DescribeShareGroupOffsetsResponseInput['groups']> {
    type Topic = NonNullable<NonNullable<DescribeShareGroupOffsetsResponseInput['groups']>[number]['topics']>[number];
    return Promise.all(
      groups.map(async ({ groupId, topics }) => {
        const group = this.deps.membership.shareGroupDescribe([groupId])[0]!;
        if (group.errorCode !== ErrorCode.NONE) return { groupId, topics: [], errorCode: group.errorCode, errorMessage: null };
        const wanted = topics ?? this.subscribedTopics(group);
        const out: Topic[] = [];
        for (const { topicName, partitions } of wanted) {
          const topic = this.deps.topics.list().find((t) => t.name === topicName);
          const answers = await Promise.all(
            partitions.map(async (partitionIndex) => {
              const none = { partitionIndex, startOffset: -1, leaderEpoch: -1, lag: -1, errorMessage: null };
              if (!topic || partitionIndex < 0 || partitionIndex >= topic.replicas.length) return { ...none, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
              const leaderEpoch = this.deps.metadata.partition(topic.name, partitionIndex)?.leaderEpoch ?? -1;
              const held = this.held.get(`${groupId}\0${topic.topicId}\0${partitionIndex}`);
              try {
                const state = held ? (await held).sp.snapshot() : await this.persister.load({ groupId, topicId: topic.topicId, partition: partitionIndex }, -1);
                const log = this.deps.partitions.leader(topic.name, partitionIndex);
                const lag = state && typeof log !== 'number' ? shareLag(state, log.log.highWatermark) : -1;
                return { ...none, startOffset: state?.startOffset ?? -1, leaderEpoch, lag, errorCode: ErrorCode.NONE };
              } catch (err) {
                return { ...none, errorCode: err instanceof ShareStateError ? err.errorCode : ErrorCode.UNKNOWN_SERVER_ERROR };
              }
            }),
          );
          out.push({ topicName, topicId: topic?.topicId ?? ZERO_UUID, partitions: answers });
        }
        return { groupId, topics: out, errorCode: ErrorCode.NONE, errorMessage: null };
      }),
    );
  }

  /** Every partition of the topics the group's members subscribe to, by topic name. */
  private subscribedTopics(group: DescribedShareGroup): Array<{ topicName: string; partitions: number[] }> {
    const names = new Set(group.members.flatMap((m) => m.subscribedTopicNames));
    return this.deps.topics
      .list()
      .filter((t) => names.has(t.name))
      .map((t) => ({ topicName: t.name, partitions: t.replicas.map((_, i) => i) }));
  }

  /** Whether a topic (by id) exists and the asker may not READ it: TOPIC_AUTHORIZATION_FAILED, as Kafka answers per partition. */
  private unreadable(mayRead: (topic: string) => boolean): (topicId: string) => boolean {
    return (topicId) => {
      const name = this.deps.topics.getById(topicId)?.name;
      return name !== undefined && !mayRead(name);
    };
  }

  /** A new session for the member; its records are released when the connection it came on closes. */
  private openSession(groupId: string, memberId: string, ctx: RequestContext): ShareSession | number {
    // A group whose sessions here hold no partitions holds no records here: its share-partitions are read
    // again from the durable state, which an admin may have reset or deleted meanwhile on another broker.
    if (!this.sessions.groupInUse(groupId)) this.forget(groupId, () => true);
    const old = this.sessions.get(groupId, memberId);
    if (old) this.unwatch.get(old)?.();
    const session = this.sessions.open(groupId, memberId);
    if (typeof session === 'number') return session;
    const onClose = (): void => this.endSession(session);
    ctx.signal.addEventListener('abort', onClose, { once: true });
    this.unwatch.set(session, () => {
      ctx.signal.removeEventListener('abort', onClose);
      this.unwatch.delete(session);
    });
    return session;
  }

  /** The session ends (closed by the member, or its connection went away): what the member holds is offered again. */
  private endSession(session: ShareSession): void {
    this.unwatch.get(session)?.();
    if (!this.sessions.close(session)) return;
    let released = false;
    for (const h of this.held.values()) {
      if (!(h instanceof Promise) && h.groupId === session.groupId && h.sp.releaseMember(session.memberId)) released = true;
    }
    if (released) this.wake();
  }

  /**
   * Applies acknowledgement batches and makes them durable before answering: each partition's error
   * code (INVALID_RECORD_STATE for records the member does not hold, KAFKA_STORAGE_ERROR when the state
   * could not be written, the leader errors of a partition not led here).
   */
  private async applyAcks(
    groupId: string,
    memberId: string,
    acks: ReadonlyArray<{ topicId: string; partition: number; batches: readonly AckBatch[] }>,
    refused: (topicId: string) => boolean,
  ): Promise<Array<{ topicId: string; partition: number; code: number; leader: { leaderId: number; leaderEpoch: number } }>> {
    const now = this.deps.now();
    return Promise.all(
      acks.map(async ({ topicId, partition, batches }) => {
        if (refused(topicId)) return { topicId, partition, code: ErrorCode.TOPIC_AUTHORIZATION_FAILED, leader: { leaderId: -1, leaderEpoch: -1 } };
        const found = await this.sharePartition(groupId, topicId, partition);
        if (typeof found === 'number') return { topicId, partition, code: found, leader: { leaderId: -1, leaderEpoch: -1 } };
        const leader = { leaderId: this.deps.config.brokerId, leaderEpoch: found.leaderEpoch };
        if (batches.length === 0) return { topicId, partition, code: ErrorCode.NONE, leader };
        let code: number = ErrorCode.NONE;
        let released = false;
        for (const b of batches) {
          const c = found.held.sp.acknowledge(memberId, b.firstOffset, b.lastOffset, b.acknowledgeTypes, now);
          if (c !== ErrorCode.NONE && code === ErrorCode.NONE) code = c;
          if (c === ErrorCode.NONE && b.acknowledgeTypes.includes(2)) released = true;
        }
        if (released) this.wake();
        try {
          await this.persister.save({ groupId, topicId, partition }, found.leaderEpoch, found.held.sp.snapshot());
        } catch (err) {
          this.deps.log.error({ err, groupId, topicId, partition }, 'share-partition state could not be written');
          return { topicId, partition, code: this.stateFailure(groupId, topicId, partition, err), leader };
        }
        return { topicId, partition, code, leader };
      }),
    );
  }

  /**
   * Acquires records for the session's member across its partitions, at most max_records in all and
   * about max_bytes of batches, starting each time at another partition so none starves. The number acquired.
   */
  private async acquire(
    session: ShareSession,
    request: ShareFetchRequest,
    ctx: RequestContext,
    answerOf: (topicId: string, partition: number) => FetchPartitionAnswer,
    refused: (topicId: string) => boolean,
  ): Promise<number> {
    const parts = [...session.partitions.values()];
    const first = parts.length > 0 ? session.epoch % parts.length : 0;
    let budget = request.maxRecords;
    let bytes = Math.max(0, Math.min(request.maxBytes, this.deps.config.values['fetch.max.bytes']));
    let delivered = 0;
    for (let i = 0; i < parts.length && budget > 0; i++) {
      const { topicId, partition } = parts[(first + i) % parts.length]!;
      // Checked at every fetch: an ACL removed during the session stops deliveries at once.
      if (refused(topicId)) {
        answerOf(topicId, partition).errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
        continue;
      }
      const found = await this.sharePartition(session.groupId, topicId, partition);
      if (typeof found === 'number') {
        answerOf(topicId, partition).errorCode = found;
        continue;
      }
      const { held, log, leaderEpoch } = found;
      held.sp.followLogStart(log.logStartOffset);
      const from = held.sp.nextFetchOffset();
      const upTo = log.highWatermark;
      if (from >= upTo || bytes === 0) continue;
      let read;
      try {
        read = await log.read(from, bytes, { upToOffset: upTo, minOneBatch: delivered === 0 });
      } catch (err) {
        answerOf(topicId, partition).errorCode = errorCodeOf(err, ctx.log, { topic: topicId, partition, fetchOffset: from });
        continue;
      }
      if (ctx.signal.aborted) break;
      const ranges: AcquiredRange[] = held.sp.acquire(session.memberId, from, read.nextOffset, budget, this.deps.now());
      const count = ranges.reduce((n, r) => n + r.lastOffset - r.firstOffset + 1, 0);
      if (count === 0) continue;
      budget -= count;
      delivered += count;
      bytes = Math.max(0, bytes - read.sizeBytes);
      const answer = answerOf(topicId, partition);
      answer.currentLeader = { leaderId: this.deps.config.brokerId, leaderEpoch };
      answer.records = read.chunks;
      answer.acquiredRecords = ranges.map((r) => ({ firstOffset: r.firstOffset, lastOffset: r.lastOffset, deliveryCount: r.deliveryCount }));
      const name = this.deps.topics.getById(topicId)?.name;
      if (name !== undefined) this.deps.partitions.traffic.of(name).bytesOut += read.sizeBytes;
    }
    return delivered;
  }

  /** Parks a fetch that found nothing until its partitions' high watermarks move, records are released, or max_wait_ms passes. */
  private async waitForRecords(session: ShareSession, maxWaitMs: number, signal: AbortSignal): Promise<void> {
    const logs: PartitionLog[] = [];
    for (const { topicId, partition } of session.partitions.values()) {
      const name = this.deps.topics.getById(topicId)?.name;
      const p = name === undefined ? undefined : this.deps.partitions.leader(name, partition);
      if (p !== undefined && typeof p !== 'number') logs.push(p.log);
    }
    const woken = new AbortController();
    const wake = (): void => woken.abort();
    this.waiters.add(wake);
    try {
      await waitForBytes(logs.map((log) => ({ log, maxBytes: 1 })), 1, maxWaitMs, AbortSignal.any([signal, woken.signal]));
    } finally {
      this.waiters.delete(wake);
    }
  }

  private wake(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /**
   * The group's share-partition of a partition this broker leads, loaded from its persisted state on
   * first use (or started at the log end, or start with share.auto.offset.reset=earliest); else the
   * leader error. A partition no longer led here is forgotten, so leading it again reloads the durable state.
   */
  private async sharePartition(groupId: string, topicId: string, partition: number): Promise<{ held: Held; log: PartitionLog; leaderEpoch: number } | number> {
    const key = `${groupId}\0${topicId}\0${partition}`;
    const topic = this.deps.topics.getById(topicId);
    if (!topic) {
      this.held.delete(key);
      return ErrorCode.UNKNOWN_TOPIC_ID;
    }
    const p = this.deps.partitions.leader(topic.name, partition, -1, topicId);
    if (typeof p === 'number') {
      this.held.delete(key);
      return p;
    }
    let entry = this.held.get(key);
    // Led here again after another broker led it: that broker's state counts, not what this one held before.
    if (entry && !(entry instanceof Promise) && entry.leaderEpoch !== p.leaderEpoch) {
      this.held.delete(key);
      entry = undefined;
    }
    if (!entry && !this.heldGroups().has(groupId) && this.heldGroups().size >= this.maxGroups) return ErrorCode.GROUP_MAX_SIZE_REACHED;
    if (!entry) {
      const loading = this.load(groupId, topicId, partition, p.log, p.leaderEpoch);
      this.held.set(key, loading);
      entry = loading;
      loading.then(
        (h) => {
          if (this.held.get(key) === loading) this.held.set(key, h);
        },
        () => {
          if (this.held.get(key) === loading) this.held.delete(key);
        },
      );
    }
    try {
      return { held: await entry, log: p.log, leaderEpoch: p.leaderEpoch };
    } catch (err) {
      this.deps.log.error({ err, groupId, topicId, partition }, 'share-partition state could not be read');
      return this.stateFailure(groupId, topicId, partition, err);
    }
  }

  /** The groups that have share-partitions here: at most group.share.max.groups, so group ids cannot grow memory without bound. */
  private heldGroups(): Set<string> {
    return new Set([...this.held.keys()].map((key) => key.slice(0, key.indexOf('\0'))));
  }

  /**
   * The error a request gets when a share-partition's state could not be read or written. The
   * share-partition is dropped, so its next use reads the durable state again; a write fenced by a newer
   * leader means this broker no longer leads the partition (NOT_LEADER_OR_FOLLOWER: the client looks again).
   */
  private stateFailure(groupId: string, topicId: string, partition: number, err: unknown): number {
    this.forget(groupId, (h) => h.topicId === topicId && h.partition === partition);
    if (!(err instanceof ShareStateError)) return ErrorCode.UNKNOWN_SERVER_ERROR;
    return err.errorCode === ErrorCode.FENCED_LEADER_EPOCH ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }

  private async load(groupId: string, topicId: string, partition: number, log: PartitionLog, leaderEpoch: number): Promise<Held> {
    const snapshot = await this.persister.load({ groupId, topicId, partition }, leaderEpoch);
    const earliest = this.deps.config.values['share.auto.offset.reset'] === 'earliest';
    const sp = snapshot ? SharePartition.restore(this.limits, snapshot) : SharePartition.fresh(this.limits, earliest ? log.logStartOffset : log.highWatermark);
    // A new start is written at once: after a restart the group goes on from here, not from a later log end.
    if (!snapshot) await this.persister.save({ groupId, topicId, partition }, leaderEpoch, sp.snapshot());
    return { groupId, topicId, partition, leaderEpoch, sp };
  }
}
