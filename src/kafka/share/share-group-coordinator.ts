// The share group coordinator (KIP-932): membership of share groups, a pure state machine. Heartbeats
// and clock ticks go in with the time; responses come out. Unlike a consumer group, members of a share
// group may share partitions (each record still goes to one member at a time: share-partition.ts), so
// there is no revocation phase: a member moves straight to its target assignment at the next group
// epoch. The assignment is KIP-932's SimpleAssignor's balance: with no more members than partitions,
// each partition goes to one member, round-robin; with more members, every member gets a partition
// and each partition is shared by as few members as possible, so the "idle fifth consumer" of a
// consumer group gets work. Kafka's facts (GroupMetadataManager.shareGroupHeartbeat); our own code.
//
// Groups are persisted as Kafka persists them, in __consumer_offsets (share-group-records.ts): each
// change marks its group, drainRecords() yields the records that changed, and the shell answers a
// heartbeat once they are durable; load() takes the groups of a partition this broker comes to lead.
import { createHash } from 'node:crypto';
import { ErrorCode } from '../../../protocol/kafka/index.js';
import type { ConsumerGroupAppend, TopicCatalog } from '../groups/consumer/coordinator.js';
import { forgetGroups, groupRecordChanges, type RecordSet } from '../groups/consumer/group-records.js';
import type { ShareGroupRecords } from '../groups/replay.js';
import { shareGroupFromRecords, shareGroupRecords, type ShareGroup, type StateTopic } from './share-group-records.js';

export const SHARE_LEAVE_EPOCH = -1;

export interface ShareGroupConfig {
  /** group.share.session.timeout.ms */
  sessionTimeoutMs: number;
  /** group.share.heartbeat.interval.ms */
  heartbeatIntervalMs: number;
  /** group.share.max.size */
  maxSize: number;
  /** group.share.max.groups: share groups at most, so group ids cannot grow memory without bound. */
  maxGroups: number;
}

export interface ShareHeartbeatRequest {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  rackId: string | null;
  subscribedTopicNames: string[] | null;
  clientId: string;
  clientHost: string;
}

export interface ShareAssignment {
  topicPartitions: Array<{ topicId: string; partitions: number[] }>;
}

export interface ShareHeartbeatResponse {
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: ShareAssignment | null;
}

export interface DescribedShareGroup {
  groupId: string;
  errorCode: number;
  groupState: string;
  groupEpoch: number;
  assignmentEpoch: number;
  members: Array<{
    memberId: string;
    rackId: string | null;
    memberEpoch: number;
    clientId: string;
    clientHost: string;
    subscribedTopicNames: string[];
    assignment: Array<{ topicId: string; topicName: string; partitions: number[] }>;
  }>;
}

/** KIP-932's SimpleAssignor name, as ShareGroupDescribe reports it. */
export const SIMPLE_ASSIGNOR = 'simple';

function failure(errorCode: number, errorMessage: string, memberId: string | null = null): ShareHeartbeatResponse {
  return { errorCode, errorMessage, memberId, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null };
}

/**
 * Every member gets partitions of the topics it subscribes to: partitions dealt round-robin over the
 * members, and when members outnumber partitions, members dealt round-robin over the partitions
 * instead, so nobody idles. Members sorted by id: the same group gives the same assignment.
 */
export function assignShared(members: ReadonlyArray<{ memberId: string; subscribedTopicNames: readonly string[] }>, catalog: ReadonlyMap<string, { id: string; partitions: number }>): Map<string, Map<string, number[]>> {
  const out = new Map<string, Map<string, number[]>>(members.map((m) => [m.memberId, new Map()]));
  const topics = [...new Set(members.flatMap((m) => m.subscribedTopicNames))].sort();
  for (const name of topics) {
    const topic = catalog.get(name);
    if (!topic || topic.partitions === 0) continue;
    const subscribers = members.filter((m) => m.subscribedTopicNames.includes(name)).map((m) => m.memberId).sort();
    const give = (member: string, partition: number): void => {
      const byTopic = out.get(member)!;
      const list = byTopic.get(topic.id) ?? [];
      list.push(partition);
      byTopic.set(topic.id, list);
    };
    const deals = Math.max(topic.partitions, subscribers.length);
    for (let i = 0; i < deals; i++) give(subscribers[i % subscribers.length]!, i % topic.partitions);
  }
  return out;
}

/**
 * A hash of the subscribed topics' names, ids and partition counts (Kafka's MetadataHash, KIP-1101):
 * when it changes the group is assigned again. Kafka hashes with XXHash64 over its own layout; this
 * one is only compared with itself, so 48 bits of SHA-256 (a safe integer in an int64 field) serve.
 */
function metadataHash(seen: string): number {
  return seen === '' ? 0 : createHash('sha256').update(seen).digest().readIntBE(0, 6);
}

export class ShareGroupCoordinator {
  private readonly groups = new Map<string, ShareGroup>();
  /** What __consumer_offsets holds for each group (written here or loaded). */
  private readonly written = new Map<string, RecordSet>();
  /** Groups changed since the last drainRecords. */
  private readonly dirty = new Set<string>();

  constructor(
    private readonly config: ShareGroupConfig,
    private readonly catalog: TopicCatalog,
  ) {}

  /** ShareGroupHeartbeat: join (epoch 0), heartbeat (the member's epoch) or leave (-1). */
  heartbeat(request: ShareHeartbeatRequest, now: number): ShareHeartbeatResponse {
    if (request.groupId === '') return failure(ErrorCode.INVALID_REQUEST, 'GroupId can not be empty.');
    if (request.memberId === '') return failure(ErrorCode.INVALID_REQUEST, 'MemberId can not be empty.');
    if (request.memberEpoch < SHARE_LEAVE_EPOCH) return failure(ErrorCode.INVALID_REQUEST, `MemberEpoch is invalid: ${request.memberEpoch}.`);
    if (request.memberEpoch === 0 && (request.subscribedTopicNames === null || request.subscribedTopicNames.length === 0)) {
      return failure(ErrorCode.INVALID_REQUEST, 'SubscribedTopicNames must be set in first request.');
    }
    const group = this.groups.get(request.groupId);
    if (request.memberEpoch === SHARE_LEAVE_EPOCH) return this.leave(group, request.memberId);
    let member = group?.members.get(request.memberId);
    if (request.memberEpoch > 0) {
      if (!member) return failure(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${request.memberId} is not a member of share group ${request.groupId}.`);
      if (request.memberEpoch !== member.memberEpoch) {
        return failure(ErrorCode.FENCED_MEMBER_EPOCH, `The share group member has a different epoch (${request.memberEpoch}) than the one known (${member.memberEpoch}).`);
      }
    }
    if (!group && this.groups.size >= this.config.maxGroups) return failure(ErrorCode.GROUP_MAX_SIZE_REACHED, `The broker holds its maximum of ${this.config.maxGroups} share groups.`);
    const g = group ?? this.create(request.groupId);
    if (!member) {
      if (g.members.size >= this.config.maxSize) return failure(ErrorCode.GROUP_MAX_SIZE_REACHED, `The share group has reached its maximum capacity of ${this.config.maxSize} members.`);
      member = {
        memberId: request.memberId,
        memberEpoch: 0,
        previousMemberEpoch: 0,
        rackId: request.rackId,
        clientId: request.clientId,
        clientHost: request.clientHost,
        subscribedTopicNames: [],
        assignment: new Map(),
        current: new Map(),
        sessionDeadline: 0,
      };
      g.members.set(member.memberId, member);
      g.groupEpoch++;
      this.dirty.add(g.groupId);
    }
    const joining = request.memberEpoch === 0;
    member.sessionDeadline = now + this.config.sessionTimeoutMs;
    if (request.rackId !== null && request.rackId !== member.rackId) {
      member.rackId = request.rackId;
      this.dirty.add(g.groupId);
    }
    if (request.subscribedTopicNames !== null) {
      const names = [...new Set(request.subscribedTopicNames)].sort();
      if (names.join('\0') !== member.subscribedTopicNames.join('\0')) {
        member.subscribedTopicNames = names;
        g.groupEpoch++;
        this.dirty.add(g.groupId);
      }
    }
    this.reassignIfNeeded(g);
    const moved = member.memberEpoch !== g.assignmentEpoch;
    if (moved || joining) {
      if (moved) member.previousMemberEpoch = member.memberEpoch;
      member.memberEpoch = g.assignmentEpoch;
      member.current = new Map([...member.assignment].map(([topicId, partitions]) => [topicId, [...partitions]]));
      this.dirty.add(g.groupId);
    }
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: member.memberId,
      memberEpoch: member.memberEpoch,
      heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      assignment: joining || moved ? { topicPartitions: [...member.assignment].map(([topicId, partitions]) => ({ topicId, partitions: [...partitions] })) } : null,
    };
  }

  /** Removes the members whose session ran out by `now`. The ids removed, by group. */
  tick(now: number): Array<{ groupId: string; memberId: string }> {
    const expired: Array<{ groupId: string; memberId: string }> = [];
    for (const g of this.groups.values()) {
      for (const m of [...g.members.values()]) {
        if (m.sessionDeadline <= now) {
          g.members.delete(m.memberId);
          g.groupEpoch++;
          this.dirty.add(g.groupId);
          expired.push({ groupId: g.groupId, memberId: m.memberId });
        }
      }
      if (this.dirty.has(g.groupId)) this.reassignIfNeeded(g);
    }
    return expired;
  }

  /** The earliest session deadline, for the shell's timer. */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const g of this.groups.values()) for (const m of g.members.values()) if (next === undefined || m.sessionDeadline < next) next = m.sessionDeadline;
    return next;
  }

  /** ShareGroupDescribe for one group id: GROUP_ID_NOT_FOUND when no share group has it. */
  describe(groupId: string): DescribedShareGroup {
    const g = this.groups.get(groupId);
    if (!g) return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, groupState: 'Dead', groupEpoch: -1, assignmentEpoch: -1, members: [] };
    const names = new Map([...this.catalog.topics()].map(([name, t]) => [t.id, name]));
    return {
      groupId,
      errorCode: ErrorCode.NONE,
      groupState: g.members.size === 0 ? 'Empty' : 'Stable',
      groupEpoch: g.groupEpoch,
      assignmentEpoch: g.assignmentEpoch,
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        rackId: m.rackId,
        memberEpoch: m.memberEpoch,
        clientId: m.clientId,
        clientHost: m.clientHost,
        subscribedTopicNames: [...m.subscribedTopicNames],
        assignment: [...m.assignment].map(([topicId, partitions]) => ({ topicId, topicName: names.get(topicId) ?? '', partitions: [...partitions] })),
      })),
    };
  }

  /** Every share group with its state, for ListGroups. */
  list(): Array<{ groupId: string; groupState: string }> {
    return [...this.groups.values()].map((g) => ({ groupId: g.groupId, groupState: g.members.size === 0 ? 'Empty' : 'Stable' }));
  }

  has(groupId: string): boolean {
    return this.groups.has(groupId);
  }

  hasMembers(groupId: string): boolean {
    return (this.groups.get(groupId)?.members.size ?? 0) > 0;
  }

  /** Deletes an empty group (DeleteGroups), with tombstones for its records; false when it has members or is unknown. */
  delete(groupId: string): boolean {
    if (this.hasMembers(groupId) || !this.groups.delete(groupId)) return false;
    this.dirty.add(groupId);
    return true;
  }

  /**
   * Share-partitions whose state is set outside an assignment (AlterShareGroupOffsets) join the group's
   * initialized ones, recorded before the state is written, so DeleteGroups finds them; false when no
   * share group has the id (the state is then the id's alone, as before any group).
   */
  stateInitialized(groupId: string, topics: ReadonlyArray<{ topicId: string; topicName: string; partitions: readonly number[] }>): boolean {
    const g = this.groups.get(groupId);
    if (!g) return false;
    const state = (g.statePartitions ??= { initializing: new Map(), initialized: new Map(), deleting: new Map() });
    for (const { topicId, topicName, partitions } of topics) {
      const topic = state.initialized.get(topicId) ?? { topicName, partitions: new Set<number>() };
      state.initialized.set(topicId, topic);
      for (const p of partitions) topic.partitions.add(p);
      state.deleting.delete(topicId);
    }
    this.dirty.add(groupId);
    return true;
  }

  /**
   * DeleteShareGroupOffsets of whole topics (Kafka's sharePartitionsEligibleForOffsetDeletion, then
   * completeDeleteShareGroupOffsets): before their state is deleted (`done` false) the topics leave the
   * initialized and initializing ones for deleting; once it is gone (`done` true) they leave deleting.
   * False when no share group has the id.
   */
  stateDeleting(groupId: string, topics: ReadonlyArray<{ topicId: string; topicName: string }>, done: boolean): boolean {
    const state = this.groups.get(groupId)?.statePartitions;
    if (!state) return this.groups.has(groupId);
    for (const { topicId, topicName } of topics) {
      state.initialized.delete(topicId);
      state.initializing.delete(topicId);
      if (done) state.deleting.delete(topicId);
      else state.deleting.set(topicId, topicName);
    }
    this.dirty.add(groupId);
    return true;
  }

  /**
   * The share-partitions of deleted topics (by name, their ids no longer in the catalog) that groups'
   * ShareGroupStatePartitionMetadata still lists, by group: Kafka deletes their state and takes them out
   * of the record when a topic is deleted (maybeCleanupShareGroupState); the caller deletes the state,
   * then stateDeleting(…, true) takes them out.
   */
  statesOfDeletedTopics(names: ReadonlySet<string>): Array<{ groupId: string; topics: Array<{ topicId: string; topicName: string; partitions: number[] }> }> {
    const live = new Set([...this.catalog.topics().values()].map((t) => t.id));
    const gone = (topicId: string, topicName: string): boolean => names.has(topicName) && !live.has(topicId);
    const out: Array<{ groupId: string; topics: Array<{ topicId: string; topicName: string; partitions: number[] }> }> = [];
    for (const g of this.groups.values()) {
      const state = g.statePartitions;
      if (!state) continue;
      const topics = new Map<string, { topicId: string; topicName: string; partitions: number[] }>();
      for (const [topicId, t] of [...state.initialized, ...state.initializing]) {
        if (!gone(topicId, t.topicName)) continue;
        const entry = topics.get(topicId) ?? { topicId, topicName: t.topicName, partitions: [] };
        entry.partitions = [...new Set([...entry.partitions, ...t.partitions])].sort((a, b) => a - b);
        topics.set(topicId, entry);
      }
      for (const [topicId, topicName] of state.deleting) if (gone(topicId, topicName) && !topics.has(topicId)) topics.set(topicId, { topicId, topicName, partitions: [] });
      if (topics.size > 0) out.push({ groupId: g.groupId, topics: [...topics.values()] });
    }
    return out;
  }

  /**
   * DeleteGroups' first step for an empty share group (Kafka's shareGroupBuildPartitionDeleteRequest):
   * every share-partition it may have state for (initialized or initializing, and every partition of a
   * topic an earlier delete left deleting, if the topic still exists) moves to the group's deleting
   * topics, so the record says what is being deleted before the state is, and a delete that fails part
   * way is taken up by the next one. Returns those share-partitions; undefined when `groupId` is not an
   * empty share group.
   */
  prepareDelete(groupId: string): Array<{ topicId: string; partitions: number[] }> | undefined {
    const g = this.groups.get(groupId);
    if (!g || g.members.size > 0) return undefined;
    const state = g.statePartitions;
    if (!state) return [];
    const candidates = new Map<string, StateTopic>();
    const add = (topicId: string, topicName: string, partitions: Iterable<number>): void => {
      const c = candidates.get(topicId) ?? { topicName, partitions: new Set<number>() };
      for (const p of partitions) c.partitions.add(p);
      candidates.set(topicId, c);
    };
    for (const [topicId, t] of [...state.initialized, ...state.initializing]) add(topicId, t.topicName, t.partitions);
    const byId = new Map([...this.catalog.topics()].map(([, t]) => [t.id, t]));
    for (const [topicId, topicName] of state.deleting) {
      const t = byId.get(topicId);
      if (t) add(topicId, topicName, Array.from({ length: t.partitions }, (_, p) => p));
    }
    g.statePartitions = { initializing: new Map(), initialized: new Map(), deleting: new Map([...candidates].map(([topicId, t]) => [topicId, t.topicName])) };
    this.dirty.add(groupId);
    return [...candidates].map(([topicId, t]) => ({ topicId, partitions: [...t.partitions].sort((a, b) => a - b) }));
  }

  /**
   * Forgets the groups of a __consumer_offsets partition this broker no longer leads: their records
   * stay in the log for the next leader; changes not drained yet are dropped with them.
   */
  forget(belongsHere: (groupId: string) => boolean): void {
    forgetGroups(belongsHere, [this.groups, this.written, this.dirty]);
  }

  /**
   * Takes in the share groups of a __consumer_offsets partition this broker now leads, as their records
   * hold them (ConsumerOffsetsReplay.shareGroups), members' sessions running from `nowMs`. Returns how
   * many records could not be read.
   */
  load(nowMs: number, groups: ReadonlyMap<string, ShareGroupRecords>): number {
    let malformed = 0;
    for (const [groupId, records] of groups) {
      const loaded = shareGroupFromRecords(groupId, records, nowMs, this.config.sessionTimeoutMs);
      malformed += loaded.malformed;
      // Only what Kafka 4.0 wrote and 4.1 no longer does (or what could not be read): nothing to serve.
      if (loaded.written.size === 0) continue;
      this.groups.set(groupId, loaded.group);
      this.written.set(groupId, loaded.written);
      this.dirty.delete(groupId);
    }
    return malformed;
  }

  /**
   * The records every change since the last call needs, one batch per group: what changed, and
   * tombstones for members gone and groups deleted. The caller appends them to the group's partition.
   */
  drainRecords(): ConsumerGroupAppend[] {
    const out: ConsumerGroupAppend[] = [];
    for (const groupId of this.dirty) {
      const group = this.groups.get(groupId);
      const records = groupRecordChanges(this.written, groupId, group ? shareGroupRecords(group) : new Map());
      if (records.length > 0) out.push({ groupId, records });
    }
    this.dirty.clear();
    return out;
  }

  private create(groupId: string): ShareGroup {
    const g: ShareGroup = { groupId, groupEpoch: 0, assignmentEpoch: 0, members: new Map(), metadataHash: 0, statePartitions: undefined };
    this.groups.set(groupId, g);
    this.dirty.add(groupId);
    return g;
  }

  private leave(group: ShareGroup | undefined, memberId: string): ShareHeartbeatResponse {
    if (group?.members.delete(memberId)) {
      group.groupEpoch++;
      this.dirty.add(group.groupId);
      this.reassignIfNeeded(group);
    }
    return { errorCode: ErrorCode.NONE, errorMessage: null, memberId, memberEpoch: SHARE_LEAVE_EPOCH, heartbeatIntervalMs: 0, assignment: null };
  }

  /**
   * A new target assignment when the group epoch moved or the subscribed topics changed (created,
   * deleted, given partitions): the catalog is read on every heartbeat, as Kafka refreshes its
   * subscription metadata, so new partitions reach members without a rejoin.
   */
  private reassignIfNeeded(g: ShareGroup): void {
    const catalog = this.catalog.topics();
    const subscribed = [...new Set([...g.members.values()].flatMap((m) => m.subscribedTopicNames))].sort();
    const seen = subscribed.map((name) => {
      const t = catalog.get(name);
      return t ? `${name}:${t.id}:${t.partitions}` : `${name}:-`;
    }).join(',');
    const hash = metadataHash(seen);
    if (hash !== g.metadataHash) {
      g.metadataHash = hash;
      g.groupEpoch++;
      this.dirty.add(g.groupId);
    }
    if (g.assignmentEpoch === g.groupEpoch) return;
    const assignment = assignShared([...g.members.values()], catalog);
    for (const m of g.members.values()) m.assignment = assignment.get(m.memberId)!;
    g.assignmentEpoch = g.groupEpoch;
    this.dirty.add(g.groupId);
    this.recordStatePartitions(g, catalog);
  }

  /**
   * Kafka assigns only share-partitions whose state it initialized (ShareGroupStatePartitionMetadata's
   * initialized topics). Here a partition's leader initializes the state at the group's first fetch, so a
   * share-partition counts as initialized once assigned: recorded in the same write as the assignment,
   * before any member hears of it, so DeleteGroups finds every state the group may have. An assigned
   * topic is no longer deleting (Kafka's addInitializingTopicsRecords drops it from there too).
   */
  private recordStatePartitions(g: ShareGroup, catalog: ReadonlyMap<string, { id: string; partitions: number }>): void {
    const names = new Map([...catalog].map(([name, t]) => [t.id, name]));
    for (const m of g.members.values()) {
      for (const [topicId, partitions] of m.assignment) {
        const state = (g.statePartitions ??= { initializing: new Map(), initialized: new Map(), deleting: new Map() });
        const topic = state.initialized.get(topicId) ?? { topicName: names.get(topicId) ?? '', partitions: new Set<number>() };
        state.initialized.set(topicId, topic);
        for (const p of partitions) topic.partitions.add(p);
        state.deleting.delete(topicId);
      }
    }
  }
}
