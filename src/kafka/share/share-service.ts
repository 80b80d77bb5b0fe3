// The I/O shell of share groups (KIP-932): the membership core (share-group-coordinator.ts) for the
// groups this broker coordinates, and, for the partitions this broker leads, each group's
// share-partition (share-partition.ts) with its durable state (share-state-store.ts) and the members'
// share sessions (share-sessions.ts). The cores are pure; here are the clock, the timer, the log reads,
// the disk and the waits.
//
// Why records are released when a session's connection closes: a member that crashed holds its
// records until their locks run out (group.share.record.lock.duration.ms); Kafka releases a
// session's records as soon as the connection under it closes, so a crashed consumer's work reaches
// the others at once. Acknowledgements are durable before they are answered: a record a member was
// told is accepted is never delivered again, across a restart too.
import { ErrorCode, ZERO_UUID, type DescribeShareGroupOffsetsRequest, type DescribeShareGroupOffsetsResponseInput, type ShareFetchRequest, type ShareFetchResponseInput, type ShareAcknowledgeRequest, type ShareAcknowledgeResponseInput } from '../../../protocol/kafka/index.js';
import type { PartitionLog } from '../../log/partition-log.js';
import type { Logger } from '../../logger.js';
import type { BrokerConfig } from '../broker-config.js';
import { waitForBytes } from '../fetch/long-poll.js';
import { errorCodeOf } from '../fetch/partition-access.js';
import type { RequestContext } from '../handler.js';
import type { TopicRecord } from '../metadata/topic-store.js';
import type { PartitionAccess } from '../services.js';
import { ShareGroupCoordinator, type DescribedShareGroup, type ShareHeartbeatRequest, type ShareHeartbeatResponse } from './share-group-coordinator.js';
import { SharePartition, type AcquiredRange, type SharePartitionLimits } from './share-partition.js';
import { FINAL_SHARE_SESSION_EPOCH, INITIAL_SHARE_SESSION_EPOCH, sessionPartitionKey, ShareSessionCache, type ShareSession } from './share-sessions.js';
import { ShareStateStore } from './share-state-store.js';

/** How often lock expiries and member sessions are checked: a fraction of the shortest lock Kafka allows (1 s). */
const TICK_MS = 100;

type FetchTopic = NonNullable<ShareFetchResponseInput['responses']>[number];
type FetchPartitionAnswer = NonNullable<FetchTopic['partitions']>[number];
type AckTopic = NonNullable<ShareAcknowledgeResponseInput['responses']>[number];
type AckBatch = ShareFetchRequest['topics'][number]['partitions'][number]['acknowledgementBatches'][number];

/** What handlers of the share APIs ask (services.ts hands it to them as `shares`). */
export interface ShareRequests {
  heartbeat(request: ShareHeartbeatRequest): ShareHeartbeatResponse;
  describe(groupIds: readonly string[]): DescribedShareGroup[];
  list(): Array<{ groupId: string; groupState: string }>;
  /** `mayRead(topic)`: whether the asker may READ the topic (Kafka checks every partition the fetch reaches). */
  fetch(request: ShareFetchRequest, ctx: RequestContext, mayRead: (topic: string) => boolean): Promise<ShareFetchResponseInput>;
  acknowledge(request: ShareAcknowledgeRequest, ctx: RequestContext, mayRead: (topic: string) => boolean): Promise<ShareAcknowledgeResponseInput>;
  describeOffsets(groups: DescribeShareGroupOffsetsRequest['groups']): Promise<DescribeShareGroupOffsetsResponseInput['groups']>;
}

export interface ShareServiceDeps {
  config: BrokerConfig;
  log: Logger;
  topics: { list(): TopicRecord[]; getById(topicId: string): TopicRecord | undefined };
  partitions: PartitionAccess;
  /** NONE when this broker coordinates the group id, else NOT_COORDINATOR or why no coordinator is available. */
  coordinatorError(groupId: string): number;
  now(): number;
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
  readonly sp: SharePartition;
}

export class ShareService implements ShareRequests {
  readonly coordinator: ShareGroupCoordinator;
  private readonly limits: SharePartitionLimits;
  private readonly sessions: ShareSessionCache;
  private readonly store: ShareStateStore;
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
    this.coordinator = new ShareGroupCoordinator(
      { sessionTimeoutMs: v['group.share.session.timeout.ms'], heartbeatIntervalMs: v['group.share.heartbeat.interval.ms'], maxSize: v['group.share.max.size'], maxGroups: v['group.share.max.groups'] },
      { topics: () => new Map(deps.topics.list().map((t) => [t.name, { id: t.topicId, partitions: t.replicas.length }])) },
    );
    this.limits = {
      lockDurationMs: v['group.share.record.lock.duration.ms'],
      deliveryCountLimit: v['group.share.delivery.count.limit'],
      maxInFlight: v['group.share.partition.max.record.locks'],
    };
    this.sessions = new ShareSessionCache(v['group.share.max.share.sessions']);
    this.maxGroups = v['group.share.max.groups'];
    this.store = new ShareStateStore(deps.config.dataDir);
  }

  start(): void {
    this.timer = setInterval(() => this.tick(this.deps.now()), TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    for (const wake of [...this.waiters]) wake();
  }

  /** Member sessions and acquisition locks that ran out: members leave, records are offered again. */
  tick(now: number): void {
    this.coordinator.tick(now);
    let released = false;
    for (const h of this.held.values()) if (!(h instanceof Promise) && h.sp.tick(now)) released = true;
    if (released) this.wake();
  }

  heartbeat(request: ShareHeartbeatRequest): ShareHeartbeatResponse {
    const refusal = this.deps.coordinatorError(request.groupId);
    if (refusal !== ErrorCode.NONE) return { errorCode: refusal, errorMessage: null, memberId: null, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null };
    return this.coordinator.heartbeat(request, this.deps.now());
  }

  describe(groupIds: readonly string[]): DescribedShareGroup[] {
    return groupIds.map((groupId) => {
      const refusal = this.deps.coordinatorError(groupId);
      if (refusal !== ErrorCode.NONE) return { groupId, errorCode: refusal, groupState: '', groupEpoch: -1, assignmentEpoch: -1, members: [] };
      return this.coordinator.describe(groupId);
    });
  }

  list(): Array<{ groupId: string; groupState: string }> {
    return this.coordinator.list();
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
   * for the partitions named or, with null topics, every one the group has state for here. The state is
   * kept by each partition's leader: a partition led by another broker is NOT_LEADER_OR_FOLLOWER.
   */
  async describeOffsets(groups: DescribeShareGroupOffsetsRequest['groups']): Promise<DescribeShareGroupOffsetsResponseInput['groups']> {
    type Topic = NonNullable<NonNullable<DescribeShareGroupOffsetsResponseInput['groups']>[number]['topics']>[number];
    return Promise.all(
      groups.map(async ({ groupId, topics }) => {
        const refusal = this.deps.coordinatorError(groupId);
        const errorCode = refusal !== ErrorCode.NONE ? refusal : this.coordinator.has(groupId) ? ErrorCode.NONE : ErrorCode.GROUP_ID_NOT_FOUND;
        if (errorCode !== ErrorCode.NONE) return { groupId, topics: [], errorCode, errorMessage: null };
        const wanted = topics ?? (await this.storedTopics(groupId));
        const out: Topic[] = [];
        for (const { topicName, partitions } of wanted) {
          const topic = this.deps.topics.list().find((t) => t.name === topicName);
          const answers = await Promise.all(
            partitions.map(async (partitionIndex) => {
              if (!topic) return { partitionIndex, startOffset: -1, leaderEpoch: -1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null };
              const p = this.deps.partitions.leader(topic.name, partitionIndex);
              if (typeof p === 'number') return { partitionIndex, startOffset: -1, leaderEpoch: -1, errorCode: p, errorMessage: null };
              const held = this.held.get(`${groupId}\0${topic.topicId}\0${partitionIndex}`);
              const startOffset = held ? (await held).sp.startOffset : ((await this.store.load(groupId, topic.topicId, partitionIndex))?.startOffset ?? -1);
              return { partitionIndex, startOffset, leaderEpoch: p.leaderEpoch, errorCode: ErrorCode.NONE, errorMessage: null };
            }),
          );
          out.push({ topicName, topicId: topic?.topicId ?? ZERO_UUID, partitions: answers });
        }
        return { groupId, topics: out, errorCode: ErrorCode.NONE, errorMessage: null };
      }),
    );
  }

  /** The topics and partitions the group has durable state for here, by topic name. */
  private async storedTopics(groupId: string): Promise<Array<{ topicName: string; partitions: number[] }>> {
    const byName = new Map<string, number[]>();
    for (const { topicId, partition } of await this.store.partitionsOf(groupId)) {
      const name = this.deps.topics.getById(topicId)?.name;
      if (name !== undefined) byName.set(name, [...(byName.get(name) ?? []), partition].sort((a, b) => a - b));
    }
    return [...byName].map(([topicName, partitions]) => ({ topicName, partitions }));
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
          await this.store.save(groupId, topicId, partition, found.held.sp.snapshot());
        } catch (err) {
          this.deps.log.error({ err, groupId, topicId, partition }, 'share-partition state could not be written');
          return { topicId, partition, code: ErrorCode.KAFKA_STORAGE_ERROR, leader };
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
    if (!entry && !this.heldGroups().has(groupId) && this.heldGroups().size >= this.maxGroups) return ErrorCode.GROUP_MAX_SIZE_REACHED;
    if (!entry) {
      const loading = this.load(groupId, topicId, partition, p.log);
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
      return ErrorCode.KAFKA_STORAGE_ERROR;
    }
  }

  /** The groups that have share-partitions here: at most group.share.max.groups, so group ids cannot grow memory without bound. */
  private heldGroups(): Set<string> {
    return new Set([...this.held.keys()].map((key) => key.slice(0, key.indexOf('\0'))));
  }

  private async load(groupId: string, topicId: string, partition: number, log: PartitionLog): Promise<Held> {
    const snapshot = await this.store.load(groupId, topicId, partition);
    const earliest = this.deps.config.values['share.auto.offset.reset'] === 'earliest';
    const sp = snapshot ? SharePartition.restore(this.limits, snapshot) : SharePartition.fresh(this.limits, earliest ? log.logStartOffset : log.highWatermark);
    // A new start is written at once: after a restart the group goes on from here, not from a later log end.
    if (!snapshot) await this.store.save(groupId, topicId, partition, sp.snapshot());
    return { groupId, topicId, partition, sp };
  }
}
