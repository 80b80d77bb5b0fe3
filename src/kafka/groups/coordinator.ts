// The consumer group coordinator as a pure state machine, after Kafka's classic GroupCoordinator.
//
// Inputs are requests, each with an opaque token, and the passing of time; every input takes the
// current time and first fires whatever deadlines it has reached (session and rebalance timeouts, the
// initial rebalance delay, offset expiry). Outputs are replies for tokens, possibly for requests that
// arrived long before (a JoinGroup is answered when its rebalance completes, a follower's SyncGroup
// when the leader's assignment is durable), and records to append to __consumer_offsets. Replies that
// depend on records are released by `appendCompleted`. No timers, clocks or I/O live here, so tests
// run it deterministically; every token gets exactly one reply.
//
// Inputs are validated, so a call throws only on a bug. If one does, its caller answers that request
// with UNKNOWN_SERVER_ERROR; replies and records produced before the throw come out with the next call.
import { CONSUMER_PROTOCOL_TYPE } from '../../../protocol/kafka/consumer-offsets/consumer-protocol.js';
import { partitionForGroup } from '../../../protocol/kafka/consumer-offsets/group-partition.js';
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import { MAX_STRING_BYTES } from '../../../protocol/kafka/primitives.js';
import type {
  ConsumerOffsetsRecord,
  CoordinatorOutput,
  DeleteGroupsRequest,
  DescribeGroupsRequest,
  HeartbeatRequest,
  JoinGroupClient,
  JoinGroupProtocol,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupMemberResponse,
  LeaveGroupRequest,
  ListGroupsRequest,
  OffsetCommitRequest,
  OffsetCommitResponseTopic,
  OffsetDeleteRequest,
  OffsetDeleteResponseTopic,
  OffsetFetchRequest,
  Reply,
  SyncGroupRequest,
  SyncGroupResponse,
  TxnOffsetCommitRequest,
} from './api.js';
import { DEFAULT_GROUP_COORDINATOR_CONFIG, type GroupCoordinatorConfig } from './config.js';
import { commitErrorForAppendError, groupErrorForAppendError } from './append-errors.js';
import { ClassicGroup } from './group.js';
import { isValidGroupId } from './group-id.js';
import { groupFromReplay } from './group-loading.js';
import type { OffsetAndMetadata, TopicPartition } from './group-offsets.js';
import { GroupMember, type Waiter } from './member.js';
import { expiredOffsets } from './offset-expiry.js';
import { refuseJoinGroup, refuseSyncGroup } from './refusals.js';
import { groupMetadataRecord, groupTombstone, offsetCommitRecord, offsetTombstone } from './records.js';
import type { MigratingGroup } from './migration.js';
import type { ReplayedGroup } from './replay.js';
import { TimerQueue } from './timer-queue.js';
import { describeGroup, fetchGroupOffsets, listGroups, snapshotGroups, type GroupSnapshot } from './views.js';

export type { GroupMemberSnapshot, GroupSnapshot } from './views.js';

export interface GroupCoordinatorOptions {
  config?: Partial<GroupCoordinatorConfig>;
  /**
   * A fresh suffix for each new member id (Kafka uses a random UUID). It must not repeat across
   * restarts, since loaded groups keep their members' ids: the broker passes crypto.randomUUID.
   */
  memberIdSuffix: () => string;
}

/** JoinGroup v4+ must come back with the member id it was given (KIP-394). */
const MEMBER_ID_REQUIRED_MIN_VERSION = 4;
/** JoinGroup v9+ lets a rejoining static leader skip the assignment (KIP-814). */
const SKIP_ASSIGNMENT_MIN_VERSION = 9;
/** OffsetCommit v9+: a commit to a group the coordinator does not have is GROUP_ID_NOT_FOUND. */
const GROUP_ID_NOT_FOUND_MIN_COMMIT_VERSION = 9;
/** What each protocol entry costs besides its name and metadata, so thousands of empty ones still count. */
const PROTOCOL_ENTRY_OVERHEAD_BYTES = 8;
/**
 * Member ids start with the client id (or instance id), which may be as long as a Kafka string; cut
 * it so the id itself still fits in one when written to __consumer_offsets.
 */
const MEMBER_ID_PREFIX_MAX_CHARS = 255;

const EMPTY = Buffer.alloc(0);
const OFFSET_EXPIRY_KEY = 'offset-expiry';

type TimerAction =
  | { kind: 'heartbeat'; groupId: string; memberId: string }
  | { kind: 'join'; groupId: string; initial: { delayMs: number; remainingMs: number } | null }
  | { kind: 'sync'; groupId: string; generationId: number }
  | { kind: 'offsetExpiry' };

function joinError(memberId: string, errorCode: number): JoinGroupResponse {
  return refuseJoinGroup({ memberId }, errorCode);
}

function protocolsBytes(protocols: readonly JoinGroupProtocol[]): number {
  let n = 0;
  for (const p of protocols) n += PROTOCOL_ENTRY_OVERHEAD_BYTES + Buffer.byteLength(p.name) + p.metadata.length;
  return n;
}

/**
 * Request buffers are views into whole request frames; a member keeps its metadata for as long as it
 * lives, so it keeps a copy rather than the frame.
 */
function ownProtocols(protocols: readonly JoinGroupProtocol[]): JoinGroupProtocol[] {
  const seen = new Set<string>();
  const out: JoinGroupProtocol[] = [];
  for (const p of protocols) {
    // Kafka keys protocols by name, so a repeated name counts once (the first, most preferred).
    if (seen.has(p.name)) continue;
    seen.add(p.name);
    out.push({ name: p.name, metadata: Buffer.from(p.metadata) });
  }
  return out;
}

function heartbeatKey(groupId: string, memberId: string): string {
  return JSON.stringify(['heartbeat', groupId, memberId]);
}

function joinKey(groupId: string): string {
  return JSON.stringify(['join', groupId]);
}

function syncKey(groupId: string): string {
  return JSON.stringify(['sync', groupId]);
}

export class GroupCoordinator<T> {
  readonly config: Readonly<GroupCoordinatorConfig>;
  private readonly memberIdSuffix: () => string;
  private readonly groups = new Map<string, ClassicGroup<T>>();
  private readonly timers = new TimerQueue<TimerAction>();
  /** Callbacks of appends not yet reported, with the __consumer_offsets partition each went to. */
  private readonly appendCallbacks = new Map<number, { partition: number; done: (appendError: number) => void }>();
  private nextAppendId = 1;
  private now: number;
  private out: CoordinatorOutput<T> = { replies: [], appends: [] };

  /**
   * @param nowMs the time the coordinator starts; loaded members' sessions run from here.
   * @param loaded groups rebuilt from __consumer_offsets (see ConsumerOffsetsReplay).
   */
  constructor(options: GroupCoordinatorOptions, nowMs: number, loaded: Iterable<ReplayedGroup> = []) {
    this.config = { ...DEFAULT_GROUP_COORDINATOR_CONFIG, ...options.config };
    this.memberIdSuffix = options.memberIdSuffix;
    this.now = nowMs;
    for (const replayed of loaded) this.loadGroup(replayed);
    this.timers.schedule(OFFSET_EXPIRY_KEY, nowMs + this.config.offsetsRetentionCheckIntervalMs, { kind: 'offsetExpiry' });
    // Loading may start rebalances of groups over the size limit; their replies and records go out with
    // the first input.
  }

  // ---- inputs

  /** Fires every deadline reached by `nowMs`. Call it at `nextDeadline()` (or regularly). */
  tick(nowMs: number): CoordinatorOutput<T> {
    return this.run(nowMs, () => {});
  }

  /** When the next deadline falls, if any: the caller's one timer. */
  nextDeadline(): number | undefined {
    return this.timers.next();
  }

  /** Records of append `id` are durable (appendError 0) or could not be written (a Kafka error code). */
  appendCompleted(nowMs: number, id: number, appendError = 0): CoordinatorOutput<T> {
    return this.run(nowMs, () => {
      const pending = this.appendCallbacks.get(id);
      if (!pending) return;
      this.appendCallbacks.delete(id);
      pending.done(appendError);
    });
  }

  joinGroup(nowMs: number, token: T, request: JoinGroupRequest, client: JoinGroupClient): CoordinatorOutput<T> {
    return this.run(nowMs, () => this.handleJoin(token, request, client));
  }

  syncGroup(nowMs: number, token: T, request: SyncGroupRequest): CoordinatorOutput<T> {
    return this.run(nowMs, () => this.handleSync(token, request));
  }

  heartbeat(nowMs: number, token: T, request: HeartbeatRequest): CoordinatorOutput<T> {
    return this.run(nowMs, () =>
      this.reply({ token, api: 'heartbeat', response: { errorCode: this.handleHeartbeat(request) } }),
    );
  }

  leaveGroup(nowMs: number, token: T, request: LeaveGroupRequest): CoordinatorOutput<T> {
    return this.run(nowMs, () => this.handleLeave(token, request));
  }

  offsetCommit(nowMs: number, token: T, request: OffsetCommitRequest): CoordinatorOutput<T> {
    return this.run(nowMs, () => this.handleOffsetCommit(token, request));
  }

  /** A transactional producer's offsets: written in its transaction, in effect once its marker commits. */
  txnOffsetCommit(nowMs: number, token: T, request: TxnOffsetCommitRequest): CoordinatorOutput<T> {
    return this.run(nowMs, () => this.handleTxnOffsetCommit(token, request));
  }

  /**
   * A marker for `producerId` was written to __consumer_offsets partitions `partitions`: its pending
   * offsets in the groups there take effect (COMMIT) or are dropped (ABORT) (Kafka: handleTxnCompletion).
   */
  completeTransaction(nowMs: number, producerId: number, partitions: readonly number[], commit: boolean): CoordinatorOutput<T> {
    return this.run(nowMs, () => {
      const settled = new Set(partitions);
      for (const group of [...this.groups.values()]) {
        if (!settled.has(this.partitionOf(group.groupId)) || !group.offsets.hasPendingTxnOf(producerId)) continue;
        group.offsets.completeTxn(producerId, commit);
        this.dropIfUnused(group);
      }
    });
  }

  offsetFetch(nowMs: number, token: T, request: OffsetFetchRequest): CoordinatorOutput<T> {
    return this.run(nowMs, () =>
      this.reply({
        token,
        api: 'offsetFetch',
        response: { groups: request.groups.map((g) => fetchGroupOffsets(this.groups, g, request.requireStable)) },
      }),
    );
  }

  describeGroups(nowMs: number, token: T, request: DescribeGroupsRequest): CoordinatorOutput<T> {
    return this.run(nowMs, () =>
      this.reply({ token, api: 'describeGroups', response: { groups: request.groups.map((id) => describeGroup(this.groups, id)) } }),
    );
  }

  listGroups(nowMs: number, token: T, request: ListGroupsRequest): CoordinatorOutput<T> {
    return this.run(nowMs, () =>
      this.reply({ token, api: 'listGroups', response: listGroups(this.groups.values(), request.statesFilter) }),
    );
  }

  deleteGroups(nowMs: number, token: T, request: DeleteGroupsRequest): CoordinatorOutput<T> {
    return this.run(nowMs, () => this.handleDeleteGroups(token, request));
  }

  offsetDelete(nowMs: number, token: T, request: OffsetDeleteRequest): CoordinatorOutput<T> {
    return this.run(nowMs, () => this.handleOffsetDelete(token, request));
  }

  /**
   * Removes every group's offsets for partitions that no longer exist (a deleted topic), writing
   * tombstones, as Kafka does on topic deletion.
   */
  partitionsDeleted(nowMs: number, partitions: readonly TopicPartition[]): CoordinatorOutput<T> {
    return this.run(nowMs, () => {
      for (const group of [...this.groups.values()]) this.removeOffsetsAndMaybeGroup(group, partitions);
    });
  }

  /**
   * Groups of one __consumer_offsets partition, read back when this broker became its leader (see
   * ConsumerOffsetsReplay). Their members' sessions run from `nowMs`, as after a failover.
   */
  groupsLoaded(nowMs: number, loaded: Iterable<ReplayedGroup>): CoordinatorOutput<T> {
    return this.run(nowMs, () => {
      for (const replayed of loaded) this.loadGroup(replayed);
    });
  }

  /**
   * Forgets every group of __consumer_offsets partition `partition`, which this broker no longer leads
   * (Kafka: GroupMetadataManager.removeGroupsForPartition and GroupCoordinator.onGroupUnloaded). Writes
   * under way to it fail as writes to a partition led elsewhere do, requests its members have parked
   * are answered NOT_COORDINATOR so they look for the new coordinator, and nothing more is written to it.
   * The groups' records stay in the log for whoever loads the partition next.
   */
  partitionUnloaded(nowMs: number, partition: number): CoordinatorOutput<T> {
    return this.run(nowMs, () => {
      for (const [id, pending] of [...this.appendCallbacks]) {
        if (pending.partition !== partition) continue;
        this.appendCallbacks.delete(id);
        pending.done(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      }
      for (const group of [...this.groups.values()]) {
        if (this.partitionOf(group.groupId) === partition) this.unload(group);
      }
      // What the failures above set off for these groups (a rebalance, a tombstone) is the next leader's to decide.
      this.out.appends = this.out.appends.filter((a) => a.partition !== partition);
    });
  }

  /**
   * The group's members, generation and protocol as an online upgrade would carry them, with its
   * protocol type; undefined when it has no members.
   */
  migratingGroup(groupId: string): { group: MigratingGroup; protocolType: string | null } | undefined {
    const group = this.groups.get(groupId);
    if (!group || group.size === 0) return undefined;
    const members = [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      sessionTimeoutMs: m.sessionTimeoutMs,
      protocols: m.protocols,
      assignment: m.assignment,
    }));
    return { group: { groupId, generationId: group.generationId, protocolName: group.protocolName, members }, protocolType: group.protocolType };
  }

  /**
   * Online upgrade (Kafka: convertToConsumerGroup): the group's members leave for the consumer group
   * coordinator, which took them from migratingGroup. What they have parked is answered
   * REBALANCE_IN_PROGRESS (they rejoin the consumer group), the group's metadata record is tombstoned,
   * and its committed offsets stay here, where the consumer group's are kept.
   */
  handOver(nowMs: number, groupId: string): CoordinatorOutput<T> {
    return this.run(nowMs, () => {
      const group = this.groups.get(groupId);
      if (!group) return;
      for (const member of [...group.members.values()]) {
        const join = group.takeJoinWaiter(member);
        if (join) this.replyJoin(join, joinError(member.memberId, ErrorCode.REBALANCE_IN_PROGRESS));
        if (member.syncWaiter) this.replySync(member.syncWaiter, refuseSyncGroup(ErrorCode.REBALANCE_IN_PROGRESS));
        member.syncWaiter = undefined;
        group.remove(member.memberId);
        this.timers.cancel(heartbeatKey(groupId, member.memberId));
      }
      for (const memberId of group.pendingMembers) this.timers.cancel(heartbeatKey(groupId, memberId));
      group.pendingMembers.clear();
      this.clearPendingSync(group);
      this.timers.cancel(joinKey(groupId));
      const hadRecord = group.generationId > 0;
      group.generationId = 0;
      group.protocolType = null;
      group.protocolName = null;
      group.leaderId = null;
      group.subscribedTopics = null;
      group.restoreState('Empty', this.now);
      if (hadRecord) this.append(groupId, [groupTombstone(groupId)]);
      this.dropIfUnused(group);
    });
  }

  /**
   * Online downgrade (Kafka: convertToClassicGroup): a consumer group's classic members become this
   * group's members at its epoch, with what they own as their assignment, and a rebalance starts so
   * they rejoin (their heartbeats say REBALANCE_IN_PROGRESS) and the leader assigns anew, unless the
   * group comes stable (`rebalance` false: a static member replaced the last KIP-848 one), when its
   * members carry on at that generation and SyncGroup hands out what they were carried with.
   */
  takeIn(nowMs: number, migrating: MigratingGroup): CoordinatorOutput<T> {
    return this.run(nowMs, () => {
      let group = this.groups.get(migrating.groupId);
      if (!group) {
        group = new ClassicGroup<T>(migrating.groupId, this.now);
        this.groups.set(migrating.groupId, group);
      }
      for (const m of migrating.members) {
        const member = new GroupMember<T>({ ...m, protocolType: CONSUMER_PROTOCOL_TYPE });
        group.add(member);
        this.scheduleHeartbeat(group, member);
      }
      group.generationId = migrating.generationId;
      group.protocolName = migrating.protocolName ?? group.selectProtocol();
      group.subscribedTopics = group.computeSubscribedTopics();
      group.restoreState('Stable', this.now);
      this.append(group.groupId, [groupMetadataRecord(group, new Map(migrating.members.map((m) => [m.memberId, m.assignment])))]);
      if (migrating.rebalance !== false) this.prepareRebalance(group);
    });
  }

  /** Every group's state, members and offsets, in group id order: for diagnostics and tests. */
  snapshot(): GroupSnapshot[] {
    return snapshotGroups(this.groups.values());
  }

  // ---- plumbing

  private run(nowMs: number, body: () => void): CoordinatorOutput<T> {
    this.advanceTo(nowMs);
    body();
    // What the input scheduled for now (an initial rebalance delay of 0) happens now, not at the next input.
    this.advanceTo(this.now);
    const out = this.out;
    this.out = { replies: [], appends: [] };
    return out;
  }

  /**
   * Fires the deadlines up to `nowMs` in order, each at its own time, so what follows from one (a
   * timeout scheduled after it) does not depend on how late or how often the caller ticks. Time never
   * runs backwards here, whatever the caller's clock does.
   */
  private advanceTo(nowMs: number): void {
    for (let next = this.timers.next(); next !== undefined && next <= nowMs; next = this.timers.next()) {
      if (next > this.now) this.now = next;
      this.fire(this.timers.popDue(this.now)!.action);
    }
    if (nowMs > this.now) this.now = nowMs;
  }

  private reply(reply: Reply<T>): void {
    this.out.replies.push(reply);
  }

  private replyJoin(waiter: Waiter<T>, response: JoinGroupResponse): void {
    this.reply({ token: waiter.token, api: 'joinGroup', response });
  }

  private replySync(waiter: Waiter<T>, response: SyncGroupResponse): void {
    this.reply({ token: waiter.token, api: 'syncGroup', response });
  }

  private append(groupId: string, records: ConsumerOffsetsRecord[], onDone?: (appendError: number) => void, producer?: { producerId: number; producerEpoch: number }): void {
    const id = this.nextAppendId++;
    const partition = this.partitionOf(groupId);
    this.out.appends.push({ id, partition, timestampMs: this.now, records, ...(producer && { producer }) });
    if (onDone) this.appendCallbacks.set(id, { partition, done: onDone });
  }

  /** The __consumer_offsets partition holding the group's records. */
  private partitionOf(groupId: string): number {
    return partitionForGroup(groupId, this.config.offsetsTopicNumPartitions);
  }

  private fire(action: TimerAction): void {
    switch (action.kind) {
      case 'heartbeat':
        return this.expireHeartbeat(action.groupId, action.memberId);
      case 'join':
        return this.onJoinDeadline(action.groupId, action.initial);
      case 'sync':
        return this.expirePendingSync(action.groupId, action.generationId);
      case 'offsetExpiry':
        this.expireOffsets();
        this.timers.schedule(OFFSET_EXPIRY_KEY, this.now + this.config.offsetsRetentionCheckIntervalMs, action);
        return;
    }
  }

  private scheduleHeartbeat(group: ClassicGroup<T>, member: GroupMember<T>, timeoutMs = member.sessionTimeoutMs): void {
    this.scheduleExpiry(group.groupId, member.memberId, timeoutMs);
  }

  /** When a member (or pending member id) is given up on unless it shows signs of life. */
  private scheduleExpiry(groupId: string, memberId: string, timeoutMs: number): void {
    this.timers.schedule(heartbeatKey(groupId, memberId), this.now + timeoutMs, { kind: 'heartbeat', groupId, memberId });
  }

  private dropIfUnused(group: ClassicGroup<T>): void {
    if (group.isUnused && this.groups.get(group.groupId) === group) this.groups.delete(group.groupId);
  }

  // ---- JoinGroup

  private handleJoin(token: T, req: JoinGroupRequest, client: JoinGroupClient): void {
    const fail = (memberId: string, errorCode: number) => this.replyJoin({ token }, joinError(memberId, errorCode));
    const { config } = this;
    if (!isValidGroupId(req.groupId, true)) return fail(req.memberId, ErrorCode.INVALID_GROUP_ID);
    if (req.sessionTimeoutMs < config.groupMinSessionTimeoutMs || req.sessionTimeoutMs > config.groupMaxSessionTimeoutMs) {
      return fail(req.memberId, ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    if (protocolsBytes(req.protocols) > config.memberMetadataMaxBytes) return fail(req.memberId, ErrorCode.INVALID_REQUEST);
    const isNewMember = req.memberId === '';
    let group = this.groups.get(req.groupId);
    if (!group) {
      // A member id for a group we do not have is stale; only a first join creates a group.
      if (!isNewMember) return fail(req.memberId, ErrorCode.UNKNOWN_MEMBER_ID);
      group = new ClassicGroup<T>(req.groupId, this.now);
      this.groups.set(req.groupId, group);
    }
    if (!this.acceptJoiningMember(group, req.memberId)) {
      const shed = group.member(req.memberId);
      if (shed) {
        this.removeMember(group, shed);
        this.maybeCompleteJoinPhase(group);
      }
      fail('', ErrorCode.GROUP_MAX_SIZE_REACHED);
    } else if (!group.supportsProtocols(req.protocolType, req.protocols)) {
      fail(isNewMember ? '' : req.memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    } else if (isNewMember) {
      this.joinNewMember(group, token, req, client);
    } else {
      this.joinExistingMember(group, token, req, client);
    }
    this.dropIfUnused(group);
  }

  /** Room for the member within group.max.size (Kafka: acceptJoiningMember). */
  private acceptJoiningMember(group: ClassicGroup<T>, memberId: string): boolean {
    const max = this.config.groupMaxSize;
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return true;
      case 'PreparingRebalance':
        // Counting members that rejoined lets the last ones to rejoin be the ones shed.
        return group.member(memberId)?.isAwaitingJoin === true || group.numAwaitingJoin < max;
      case 'CompletingRebalance':
      case 'Stable':
        return group.member(memberId) !== undefined || group.size < max;
    }
  }

  private rebalanceTimeoutOf(req: JoinGroupRequest): number {
    return req.rebalanceTimeoutMs === -1 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs;
  }

  private joinNewMember(group: ClassicGroup<T>, token: T, req: JoinGroupRequest, client: JoinGroupClient): void {
    const prefix = (req.groupInstanceId ?? client.clientId).slice(0, MEMBER_ID_PREFIX_MAX_CHARS);
    const newMemberId = `${prefix}-${this.memberIdSuffix()}`;
    if (req.groupInstanceId !== null) {
      const existing = group.staticMemberId(req.groupInstanceId);
      if (existing !== undefined) this.replaceStaticMember(group, existing, newMemberId, token, req, client);
      else this.addMemberAndRebalance(group, newMemberId, token, req, client);
    } else if (client.apiVersion >= MEMBER_ID_REQUIRED_MIN_VERSION) {
      // The client must come back with this id; until then it holds no place in a rebalance but
      // blocks its completion, for at most a session timeout.
      group.pendingMembers.add(newMemberId);
      this.scheduleExpiry(group.groupId, newMemberId, req.sessionTimeoutMs);
      this.replyJoin({ token }, joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED));
    } else {
      this.addMemberAndRebalance(group, newMemberId, token, req, client);
    }
  }

  private joinExistingMember(group: ClassicGroup<T>, token: T, req: JoinGroupRequest, client: JoinGroupClient): void {
    const memberId = req.memberId;
    if (group.pendingMembers.has(memberId)) {
      // Pending ids are only ever handed to dynamic members; a static one presenting it is confused.
      if (req.groupInstanceId !== null) return this.replyJoin({ token }, joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
      return this.addMemberAndRebalance(group, memberId, token, req, client);
    }
    const error = group.validateMember(memberId, req.groupInstanceId);
    if (error !== ErrorCode.NONE) return this.replyJoin({ token }, joinError(memberId, error));
    const member = group.member(memberId)!;
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, token, req);
      case 'CompletingRebalance':
        // Same metadata: most likely a retry after a lost response, so repeat the generation's answer.
        if (member.matches(req.protocols)) {
          return this.replyJoin({ token }, this.generationResponse(group, member, group.isLeader(memberId)));
        }
        return this.updateMemberAndRebalance(group, member, token, req);
      case 'Stable':
        // The leader rejoining asks for a rebalance (its view of topics changed); so does new metadata.
        if (group.isLeader(memberId) || !member.matches(req.protocols)) {
          return this.updateMemberAndRebalance(group, member, token, req);
        }
        return this.replyJoin({ token }, this.generationResponse(group, member, false));
      default:
        return this.replyJoin({ token }, joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  private generationResponse(group: ClassicGroup<T>, member: GroupMember<T>, withMembers: boolean): JoinGroupResponse {
    return {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      skipAssignment: false,
      memberId: member.memberId,
      members: withMembers ? group.currentMemberMetadata() : [],
    };
  }

  /** Parks a JoinGroup; one the member parked before is answered, since the client gave up on it. */
  private parkJoin(group: ClassicGroup<T>, member: GroupMember<T>, token: T): Waiter<T> {
    const previous = group.takeJoinWaiter(member);
    if (previous) this.replyJoin(previous, joinError(member.memberId, ErrorCode.REBALANCE_IN_PROGRESS));
    const waiter = { token };
    group.setJoinWaiter(member, waiter);
    return waiter;
  }

  private addMemberAndRebalance(
    group: ClassicGroup<T>,
    memberId: string,
    token: T,
    req: JoinGroupRequest,
    client: JoinGroupClient,
  ): void {
    const member = new GroupMember<T>({
      memberId,
      groupInstanceId: req.groupInstanceId,
      clientId: client.clientId,
      clientHost: client.clientHost,
      rebalanceTimeoutMs: this.rebalanceTimeoutOf(req),
      sessionTimeoutMs: req.sessionTimeoutMs,
      protocolType: req.protocolType,
      protocols: ownProtocols(req.protocols),
    });
    member.isNew = true;
    if (group.is('PreparingRebalance') && group.previousState === 'Empty') group.newMemberAdded = true;
    group.add(member);
    this.parkJoin(group, member, token);
    // A new member cannot heartbeat until the rebalance answers it, so its wait is bounded apart.
    this.scheduleHeartbeat(group, member, this.config.newMemberJoinTimeoutMs);
    this.maybePrepareRebalanceOrCompleteJoin(group);
  }

  private updateMemberAndRebalance(group: ClassicGroup<T>, member: GroupMember<T>, token: T, req: JoinGroupRequest): void {
    group.updateMember(member, ownProtocols(req.protocols), this.rebalanceTimeoutOf(req), req.sessionTimeoutMs);
    this.parkJoin(group, member, token);
    this.maybePrepareRebalanceOrCompleteJoin(group);
  }

  /**
   * A static member rejoining without its member id (a restarted instance) takes over its old place
   * under a new id, and the old id is fenced. In a Stable group whose protocol would not change this
   * needs no rebalance: the new id is made durable and the member gets the current generation.
   */
  private replaceStaticMember(
    group: ClassicGroup<T>,
    oldMemberId: string,
    newMemberId: string,
    token: T,
    req: JoinGroupRequest,
    client: JoinGroupClient,
  ): void {
    const instanceId = req.groupInstanceId!;
    const previousLeader = group.leaderId;
    const old = group.member(oldMemberId)!;
    const fencedJoin = group.takeJoinWaiter(old);
    if (fencedJoin) this.replyJoin(fencedJoin, joinError(oldMemberId, ErrorCode.FENCED_INSTANCE_ID));
    if (old.syncWaiter) this.replySync(old.syncWaiter, refuseSyncGroup(ErrorCode.FENCED_INSTANCE_ID));
    old.syncWaiter = undefined;
    this.timers.cancel(heartbeatKey(group.groupId, oldMemberId));

    const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
    const before = { protocols: member.protocols, rebalanceTimeoutMs: member.rebalanceTimeoutMs, sessionTimeoutMs: member.sessionTimeoutMs };
    group.updateMember(member, ownProtocols(req.protocols), this.rebalanceTimeoutOf(req), req.sessionTimeoutMs);
    const waiter = this.parkJoin(group, member, token);
    this.scheduleHeartbeat(group, member);

    switch (group.state) {
      case 'Stable':
        if (group.protocolName === group.selectProtocol()) {
          const assignments = new Map([...group.members.values()].map((m) => [m.memberId, m.assignment]));
          const skipAssignment = client.apiVersion >= SKIP_ASSIGNMENT_MIN_VERSION;
          const generationId = group.generationId;
          this.append(group.groupId, [groupMetadataRecord(group, assignments)], (appendError) => {
            // If a rebalance started meanwhile, it answers the parked JoinGroup with the new generation.
            if (!group.is('Stable') || group.generationId !== generationId || member.joinWaiter !== waiter) return;
            group.takeJoinWaiter(member);
            if (appendError !== ErrorCode.NONE) {
              group.updateMember(member, before.protocols, before.rebalanceTimeoutMs, before.sessionTimeoutMs);
              group.replaceStaticMember(instanceId, newMemberId, oldMemberId);
              this.timers.cancel(heartbeatKey(group.groupId, newMemberId));
              this.scheduleHeartbeat(group, member);
              this.replyJoin(waiter, {
                ...this.generationResponse(group, member, false),
                errorCode: groupErrorForAppendError(appendError),
                memberId: '',
                leader: previousLeader ?? '',
              });
              return;
            }
            // Before v9 the old leader id is returned, so a rejoining leader does not run an assignment
            // the Stable group would ignore; from v9 it is told it leads but may skip the assignment.
            const isLeader = skipAssignment && group.isLeader(newMemberId);
            this.replyJoin(waiter, {
              ...this.generationResponse(group, member, isLeader),
              leader: skipAssignment ? (group.leaderId ?? '') : (previousLeader ?? ''),
              skipAssignment: isLeader,
            });
          });
        } else {
          this.maybePrepareRebalanceOrCompleteJoin(group);
        }
        return;
      case 'CompletingRebalance':
        // The leader may be assigning to the old id already: start over.
        return this.prepareRebalance(group);
      default:
        return this.maybeCompleteJoinPhase(group);
    }
  }

  // ---- rebalancing

  private maybePrepareRebalanceOrCompleteJoin(group: ClassicGroup<T>): void {
    if (group.canRebalance) this.prepareRebalance(group);
    else this.maybeCompleteJoinPhase(group);
  }

  private prepareRebalance(group: ClassicGroup<T>): void {
    if (group.is('CompletingRebalance')) this.resetAndPropagateAssignmentError(group, ErrorCode.REBALANCE_IN_PROGRESS);
    this.clearPendingSync(group);
    const initial = group.is('Empty');
    group.transitionTo('PreparingRebalance', this.now);
    if (initial) {
      // The first rebalance of an empty group waits for more members to arrive (KIP-134).
      const delayMs = this.config.groupInitialRebalanceDelayMs;
      const remainingMs = Math.max(group.rebalanceTimeoutMs - delayMs, 0);
      this.scheduleJoinDeadline(group, delayMs, { delayMs, remainingMs });
    } else if (group.hasAllMembersJoined) {
      this.completeJoin(group);
    } else {
      this.scheduleJoinDeadline(group, group.rebalanceTimeoutMs, null);
    }
  }

  private scheduleJoinDeadline(
    group: ClassicGroup<T>,
    afterMs: number,
    initial: { delayMs: number; remainingMs: number } | null,
  ): void {
    this.timers.schedule(joinKey(group.groupId), this.now + afterMs, { kind: 'join', groupId: group.groupId, initial });
  }

  /** Completes the join phase early once every member has rejoined, except during the initial delay. */
  private maybeCompleteJoinPhase(group: ClassicGroup<T>): void {
    if (group.is('PreparingRebalance') && group.previousState !== 'Empty' && group.hasAllMembersJoined) {
      this.completeJoin(group);
    }
  }

  private onJoinDeadline(groupId: string, initial: { delayMs: number; remainingMs: number } | null): void {
    const group = this.groups.get(groupId);
    if (!group?.is('PreparingRebalance')) return;
    if (initial && group.newMemberAdded && initial.remainingMs !== 0) {
      // Someone joined during the delay: wait once more, within the rebalance timeout.
      group.newMemberAdded = false;
      const delayMs = Math.min(this.config.groupInitialRebalanceDelayMs, initial.remainingMs);
      const remainingMs = Math.max(initial.remainingMs - initial.delayMs, 0);
      return this.scheduleJoinDeadline(group, delayMs, { delayMs, remainingMs });
    }
    this.completeJoin(group);
  }

  /**
   * Ends the join phase: dynamic members that did not rejoin are dropped, a new generation starts and
   * every joined member is answered, the leader with everyone's metadata (Kafka: onCompleteJoin).
   */
  private completeJoin(group: ClassicGroup<T>): void {
    this.timers.cancel(joinKey(group.groupId));
    for (const m of group.notYetRejoined()) if (!m.isStatic) this.removeMember(group, m);
    if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
      // Only static members that did not rejoin are left: wait for them, or for their sessions to end.
      return this.scheduleJoinDeadline(group, group.rebalanceTimeoutMs, null);
    }
    group.initNextGeneration(this.now);
    if (group.is('Empty')) {
      this.append(group.groupId, [groupMetadataRecord(group, new Map())]);
      return;
    }
    for (const member of group.members.values()) {
      const waiter = group.takeJoinWaiter(member);
      if (waiter) this.replyJoin(waiter, this.generationResponse(group, member, group.isLeader(member.memberId)));
      this.scheduleHeartbeat(group, member);
      member.isNew = false;
      group.pendingSync.add(member.memberId);
    }
    // A member that joined but never syncs must not hold the group in CompletingRebalance forever.
    this.timers.schedule(syncKey(group.groupId), this.now + group.rebalanceTimeoutMs, {
      kind: 'sync',
      groupId: group.groupId,
      generationId: group.generationId,
    });
  }

  private clearPendingSync(group: ClassicGroup<T>): void {
    group.pendingSync.clear();
    this.timers.cancel(syncKey(group.groupId));
  }

  private expirePendingSync(groupId: string, generationId: number): void {
    const group = this.groups.get(groupId);
    if (!group || group.generationId !== generationId) return;
    if (!(group.is('CompletingRebalance') || group.is('Stable')) || group.pendingSync.size === 0) return;
    for (const memberId of [...group.pendingSync]) {
      const member = group.member(memberId);
      if (member) this.removeMember(group, member);
    }
    this.prepareRebalance(group);
  }

  private expireHeartbeat(groupId: string, memberId: string): void {
    const group = this.groups.get(groupId);
    if (!group) return;
    if (group.pendingMembers.delete(memberId)) {
      this.maybeCompleteJoinPhase(group);
      this.dropIfUnused(group);
      return;
    }
    const member = group.member(memberId);
    if (!member) return;
    if (!member.hasSatisfiedHeartbeat) return this.removeMemberAndUpdateGroup(group, member);
    // Parked in JoinGroup or SyncGroup: look again a session later, so a member whose request is
    // answered on some path that forgets its session can never become immortal.
    this.scheduleHeartbeat(group, member);
  }

  /** Removes a member, answering whatever it has parked: it is no longer part of the group. */
  private removeMember(group: ClassicGroup<T>, member: GroupMember<T>): void {
    const join = group.takeJoinWaiter(member);
    if (join) this.replyJoin(join, joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
    if (member.syncWaiter) this.replySync(member.syncWaiter, refuseSyncGroup(ErrorCode.UNKNOWN_MEMBER_ID));
    member.syncWaiter = undefined;
    group.remove(member.memberId);
    this.timers.cancel(heartbeatKey(group.groupId, member.memberId));
  }

  private removeMemberAndUpdateGroup(group: ClassicGroup<T>, member: GroupMember<T>): void {
    this.removeMember(group, member);
    this.afterMembersLeft(group);
  }

  private afterMembersLeft(group: ClassicGroup<T>): void {
    if (group.is('Stable') || group.is('CompletingRebalance')) this.maybePrepareRebalanceOrCompleteJoin(group);
    else this.maybeCompleteJoinPhase(group);
  }

  // ---- SyncGroup

  private handleSync(token: T, req: SyncGroupRequest): void {
    const waiter = { token };
    if (!isValidGroupId(req.groupId, true)) return this.replySync(waiter, refuseSyncGroup(ErrorCode.INVALID_GROUP_ID));
    const group = this.groups.get(req.groupId);
    if (!group) return this.replySync(waiter, refuseSyncGroup(ErrorCode.UNKNOWN_MEMBER_ID));
    const error = this.validateSync(group, req);
    if (error !== ErrorCode.NONE) return this.replySync(waiter, refuseSyncGroup(error));
    const member = group.member(req.memberId)!;
    switch (group.state) {
      case 'PreparingRebalance':
        return this.replySync(waiter, refuseSyncGroup(ErrorCode.REBALANCE_IN_PROGRESS));
      case 'CompletingRebalance': {
        if (member.syncWaiter) this.replySync(member.syncWaiter, refuseSyncGroup(ErrorCode.REBALANCE_IN_PROGRESS));
        member.syncWaiter = waiter;
        this.removePendingSync(group, member.memberId);
        if (group.isLeader(member.memberId)) this.storeAssignment(group, req);
        return;
      }
      case 'Stable':
        this.removePendingSync(group, member.memberId);
        this.scheduleHeartbeat(group, member);
        return this.replySync(waiter, {
          errorCode: ErrorCode.NONE,
          protocolType: group.protocolType,
          protocolName: group.protocolName,
          assignment: member.assignment,
        });
      default:
        return this.replySync(waiter, refuseSyncGroup(ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  private validateSync(group: ClassicGroup<T>, req: SyncGroupRequest): number {
    const error = group.validateMember(req.memberId, req.groupInstanceId);
    if (error !== ErrorCode.NONE) return error;
    if (req.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (req.protocolType !== null && req.protocolType !== group.protocolType) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
    if (req.protocolName !== null && req.protocolName !== group.protocolName) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
    return ErrorCode.NONE;
  }

  private removePendingSync(group: ClassicGroup<T>, memberId: string): void {
    group.pendingSync.delete(memberId);
    if (group.pendingSync.size === 0) this.timers.cancel(syncKey(group.groupId));
  }

  /**
   * The leader's assignment is written to __consumer_offsets; only once it is durable does the group
   * become Stable and do the parked SyncGroups get their assignments.
   */
  private storeAssignment(group: ClassicGroup<T>, req: SyncGroupRequest): void {
    const assignment = new Map<string, Buffer>();
    let oversized = false;
    for (const a of req.assignments) {
      if (!group.members.has(a.memberId)) continue;
      if (a.assignment.length > this.config.memberMetadataMaxBytes) oversized = true;
      assignment.set(a.memberId, Buffer.from(a.assignment));
    }
    const generationId = group.generationId;
    const onStored = (appendError: number) => {
      // The group may have moved on (a member joined, the leader was replaced) while this was written.
      if (!group.is('CompletingRebalance') || group.generationId !== generationId) return;
      if (appendError !== ErrorCode.NONE) {
        this.resetAndPropagateAssignmentError(group, groupErrorForAppendError(appendError));
        this.maybePrepareRebalanceOrCompleteJoin(group);
      } else {
        for (const m of group.members.values()) m.assignment = assignment.get(m.memberId) ?? EMPTY;
        this.propagateAssignment(group, ErrorCode.NONE);
        group.transitionTo('Stable', this.now);
      }
    };
    // Treated as a group record too large to write, as Kafka's log would refuse it.
    if (oversized) return onStored(ErrorCode.RECORD_LIST_TOO_LARGE);
    this.append(group.groupId, [groupMetadataRecord(group, assignment)], onStored);
  }

  private resetAndPropagateAssignmentError(group: ClassicGroup<T>, errorCode: number): void {
    for (const m of group.members.values()) m.assignment = EMPTY;
    this.propagateAssignment(group, errorCode);
  }

  private propagateAssignment(group: ClassicGroup<T>, errorCode: number): void {
    const ok = errorCode === ErrorCode.NONE;
    for (const member of group.members.values()) {
      const waiter = member.syncWaiter;
      if (!waiter) continue;
      member.syncWaiter = undefined;
      this.replySync(waiter, {
        errorCode,
        protocolType: ok ? group.protocolType : null,
        protocolName: ok ? group.protocolName : null,
        assignment: member.assignment,
      });
      // Its session was on hold while it waited.
      this.scheduleHeartbeat(group, member);
    }
  }

  // ---- Heartbeat and LeaveGroup

  private handleHeartbeat(req: HeartbeatRequest): number {
    if (!isValidGroupId(req.groupId, true)) return ErrorCode.INVALID_GROUP_ID;
    const group = this.groups.get(req.groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    const error = group.validateMember(req.memberId, req.groupInstanceId);
    if (error !== ErrorCode.NONE) return error;
    if (req.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (group.is('Empty')) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.scheduleHeartbeat(group, group.member(req.memberId)!);
    return group.is('PreparingRebalance') ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  private handleLeave(token: T, req: LeaveGroupRequest): void {
    const respond = (errorCode: number, members: LeaveGroupMemberResponse[]) =>
      this.reply({ token, api: 'leaveGroup', response: { errorCode, members } });
    if (!isValidGroupId(req.groupId, true)) return respond(ErrorCode.INVALID_GROUP_ID, []);
    const group = this.groups.get(req.groupId);
    const results = req.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      errorCode: group ? this.leave(group, m.memberId, m.groupInstanceId) : ErrorCode.UNKNOWN_MEMBER_ID,
    }));
    if (group && results.some((r) => r.errorCode === ErrorCode.NONE)) {
      this.afterMembersLeft(group);
      this.dropIfUnused(group);
    }
    respond(ErrorCode.NONE, results);
  }

  private leave(group: ClassicGroup<T>, memberId: string, groupInstanceId: string | null): number {
    if (memberId === '') {
      // Removal by instance id alone (an administrator, or a static member shutting down for good).
      const current = groupInstanceId === null ? undefined : group.staticMemberId(groupInstanceId);
      if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      this.removeMember(group, group.member(current)!);
      return ErrorCode.NONE;
    }
    if (group.pendingMembers.delete(memberId)) {
      this.timers.cancel(heartbeatKey(group.groupId, memberId));
      return ErrorCode.NONE;
    }
    const error = group.validateMember(memberId, groupInstanceId);
    if (error === ErrorCode.NONE) this.removeMember(group, group.member(memberId)!);
    return error;
  }

  // ---- offsets

  /** Answers an OffsetCommit or TxnOffsetCommit partition by partition, in request order. */
  private commitResponder(token: T, api: 'offsetCommit' | 'txnOffsetCommit', topics: OffsetCommitRequest['topics'] | TxnOffsetCommitRequest['topics']) {
    return (codeOf: (topic: number, partition: number) => number): void => {
      const response = {
        topics: topics.map(
          (t, ti): OffsetCommitResponseTopic => ({
            name: t.name,
            partitions: t.partitions.map((p, pi) => ({ partitionIndex: p.partitionIndex, errorCode: codeOf(ti, pi) })),
          }),
        ),
      };
      this.reply(api === 'offsetCommit' ? { token, api, response } : { token, api, response });
    };
  }

  private handleOffsetCommit(token: T, req: OffsetCommitRequest): void {
    const respond = this.commitResponder(token, 'offsetCommit', req.topics);
    if (!isValidGroupId(req.groupId, false)) return respond(() => ErrorCode.INVALID_GROUP_ID);
    let group = this.groups.get(req.groupId);
    if (!group) {
      // Without group management (generation -1) a commit creates a group that only stores offsets;
      // a commit claiming a generation of a group we do not have is from a bygone generation, which
      // v9+ (the version of KIP-848's protocol) names GROUP_ID_NOT_FOUND, as Kafka 4 does for both protocols.
      if (req.generationIdOrMemberEpoch >= 0) {
        const missing = (req.apiVersion ?? 0) >= GROUP_ID_NOT_FOUND_MIN_COMMIT_VERSION ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION;
        return respond(() => missing);
      }
      group = new ClassicGroup<T>(req.groupId, this.now);
      this.groups.set(req.groupId, group);
    }
    const error = this.validateOffsetCommit(group, req);
    if (error !== ErrorCode.NONE) respond(() => error);
    else if (group.is('CompletingRebalance')) {
      // A member of this generation committing before SyncGroup: let it finish the rebalance first.
      respond(() => ErrorCode.REBALANCE_IN_PROGRESS);
    } else {
      const member = group.member(req.memberId);
      if (member) this.scheduleHeartbeat(group, member);
      this.storeOffsets(group, req.topics, req.retentionTimeMs, respond);
    }
    this.dropIfUnused(group);
  }

  /**
   * Kafka's handleTxnCommitOffsets: a group it does not have is created to hold the offsets; a member
   * and generation, when given (v3+), must be current.
   */
  private handleTxnOffsetCommit(token: T, req: TxnOffsetCommitRequest): void {
    const respond = this.commitResponder(token, 'txnOffsetCommit', req.topics);
    // Unlike OffsetCommit, Kafka refuses the empty group id here (it is not one of its legacy offset APIs).
    if (!isValidGroupId(req.groupId, true)) return respond(() => ErrorCode.INVALID_GROUP_ID);
    let group = this.groups.get(req.groupId);
    if (!group) {
      group = new ClassicGroup<T>(req.groupId, this.now);
      this.groups.set(req.groupId, group);
    }
    const staticMemberId = req.groupInstanceId === null ? undefined : group.staticMemberId(req.groupInstanceId);
    let error: number = ErrorCode.NONE;
    if (staticMemberId !== undefined && staticMemberId !== req.memberId) error = ErrorCode.FENCED_INSTANCE_ID;
    else if (req.memberId !== '' && !group.members.has(req.memberId)) error = ErrorCode.UNKNOWN_MEMBER_ID;
    else if (req.generationId >= 0 && req.generationId !== group.generationId) error = ErrorCode.ILLEGAL_GENERATION;
    if (error !== ErrorCode.NONE) respond(() => error);
    else {
      const topics = req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ ...p, commitTimestamp: -1 })) }));
      // Kafka's storeOffsets: without a producer id (-1) the offsets are an ordinary commit.
      const producer = req.producerId >= 0 ? { producerId: req.producerId, producerEpoch: req.producerEpoch } : undefined;
      this.storeOffsets(group, topics, -1, respond, producer);
    }
    this.dropIfUnused(group);
  }

  /** Kafka's validateOffsetCommit. */
  private validateOffsetCommit(group: ClassicGroup<T>, req: OffsetCommitRequest): number {
    const generationId = req.generationIdOrMemberEpoch;
    if (generationId < 0 && group.is('Empty')) return ErrorCode.NONE;
    if (generationId >= 0 || req.memberId !== '' || req.groupInstanceId !== null) {
      const error = group.validateMember(req.memberId, req.groupInstanceId);
      if (error !== ErrorCode.NONE) return error;
      return generationId === group.generationId ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
    }
    // Once a group has members, only they may commit.
    return ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /**
   * Writes the offsets and answers once they are durable. A plain commit takes effect then; a
   * transactional producer's (`producer`) waits for its transaction's marker (completeTransaction).
   */
  private storeOffsets(
    group: ClassicGroup<T>,
    topics: OffsetCommitRequest['topics'],
    retentionTimeMs: number,
    respond: (codeOf: (topic: number, partition: number) => number) => void,
    producer?: { producerId: number; producerEpoch: number },
  ): void {
    const expireTimestampMs = retentionTimeMs === -1 ? -1 : this.now + retentionTimeMs;
    const commitId = this.nextAppendId;
    const staged: Array<{ tp: TopicPartition; offset: OffsetAndMetadata }> = [];
    // Kafka measures the limit in string length; the record also needs it to fit a Kafka string.
    const metadataTooLarge = (m: string) => m.length > this.config.offsetMetadataMaxBytes || Buffer.byteLength(m) > MAX_STRING_BYTES;
    // No topic can have a name that does not fit a Kafka string; the handler checks the others exist.
    const errors = topics.map((t) =>
      t.partitions.map((p) => {
        const metadata = p.committedMetadata ?? '';
        if (Buffer.byteLength(t.name) > MAX_STRING_BYTES) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        if (metadataTooLarge(metadata)) return ErrorCode.OFFSET_METADATA_TOO_LARGE;
        staged.push({
          tp: { topic: t.name, partition: p.partitionIndex },
          offset: {
            offset: p.committedOffset,
            leaderEpoch: p.committedLeaderEpoch,
            metadata,
            commitTimestampMs: p.commitTimestamp === -1 ? this.now : p.commitTimestamp,
            expireTimestampMs,
          },
        });
        return ErrorCode.NONE;
      }),
    );
    const codeFor = (ok: number) => (ti: number, pi: number) => {
      const error = errors[ti]![pi]!;
      return error === ErrorCode.NONE ? ok : error;
    };
    if (staged.length === 0) return respond(codeFor(ErrorCode.NONE));
    for (const s of staged) group.offsets.beginCommit(s.tp.topic, s.tp.partition, commitId);
    const records = staged.map((s) => offsetCommitRecord(group.groupId, s.tp, s.offset));
    this.append(
      group.groupId,
      records,
      (appendError) => {
        const ok = appendError === ErrorCode.NONE && !group.is('Dead');
        for (const s of staged) {
          group.offsets.endCommit(s.tp.topic, s.tp.partition, commitId, ok && !producer ? s.offset : undefined);
          if (ok && producer) group.offsets.addPendingTxn(producer.producerId, s.tp.topic, s.tp.partition, s.offset);
        }
        respond(codeFor(appendError === ErrorCode.NONE ? ErrorCode.NONE : commitErrorForAppendError(appendError)));
        this.dropIfUnused(group);
      },
      producer,
    );
  }

  private handleOffsetDelete(token: T, req: OffsetDeleteRequest): void {
    const respond = (errorCode: number, topics: OffsetDeleteResponseTopic[]) =>
      this.reply({ token, api: 'offsetDelete', response: { errorCode, topics } });
    if (!isValidGroupId(req.groupId, true)) return respond(ErrorCode.INVALID_GROUP_ID, []);
    const group = this.groups.get(req.groupId);
    if (!group) return respond(ErrorCode.GROUP_ID_NOT_FOUND, []);
    // A non-empty group may lose offsets only of topics it does not consume; Kafka can tell that only
    // for consumer-protocol groups.
    if (!group.is('Empty') && group.protocolType !== CONSUMER_PROTOCOL_TYPE) return respond(ErrorCode.NON_EMPTY_GROUP, []);
    const inUse = (topic: string) => !group.is('Empty') && group.isSubscribedToTopic(topic);
    const deletable = req.topics
      .filter((t) => !inUse(t.name))
      .flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex })));
    const topics = req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: inUse(t.name) ? ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC : ErrorCode.NONE,
      })),
    }));
    if (!this.removeOffsetsAndMaybeGroup(group, deletable, () => respond(ErrorCode.NONE, topics))) {
      respond(ErrorCode.NONE, topics);
    }
  }

  /**
   * Removes offsets and writes their tombstones; an Empty group left with nothing is forgotten, with
   * a tombstone for its metadata if it ever wrote any (Kafka: cleanupGroupMetadata). Returns whether
   * records were appended (then `onDurable` runs once they are durable).
   */
  private removeOffsetsAndMaybeGroup(group: ClassicGroup<T>, partitions: Iterable<TopicPartition>, onDurable?: () => void): boolean {
    const records = group.offsets.remove(partitions).map((tp) => offsetTombstone(group.groupId, tp));
    if (group.is('Empty') && group.offsets.isEmpty && group.pendingMembers.size === 0) {
      const hadRecord = group.generationId > 0;
      this.forget(group);
      if (hadRecord) records.push(groupTombstone(group.groupId));
    }
    if (records.length === 0) return false;
    this.append(group.groupId, records, onDurable);
    return true;
  }

  /** Drops a group whose partition is led elsewhere now, answering what its members parked. */
  private unload(group: ClassicGroup<T>): void {
    for (const member of group.members.values()) {
      const join = group.takeJoinWaiter(member);
      if (join) this.replyJoin(join, joinError(member.memberId, ErrorCode.NOT_COORDINATOR));
      if (member.syncWaiter) this.replySync(member.syncWaiter, refuseSyncGroup(ErrorCode.NOT_COORDINATOR));
      member.syncWaiter = undefined;
      this.timers.cancel(heartbeatKey(group.groupId, member.memberId));
    }
    for (const memberId of group.pendingMembers) this.timers.cancel(heartbeatKey(group.groupId, memberId));
    this.forget(group);
  }

  private forget(group: ClassicGroup<T>): void {
    group.transitionTo('Dead', this.now);
    if (this.groups.get(group.groupId) === group) this.groups.delete(group.groupId);
    this.timers.cancel(joinKey(group.groupId));
    this.timers.cancel(syncKey(group.groupId));
  }

  /** Kafka's periodic removeExpiredOffsets, over every group. */
  private expireOffsets(): void {
    for (const group of [...this.groups.values()]) {
      const expired = expiredOffsets(group, this.now, this.config.offsetsRetentionMs);
      if (expired.length > 0 || group.is('Empty')) this.removeOffsetsAndMaybeGroup(group, expired);
    }
  }

  // ---- DeleteGroups

  private handleDeleteGroups(token: T, req: DeleteGroupsRequest): void {
    const results = new Map<string, number>();
    let outstanding = 0;
    const respond = () =>
      this.reply({
        token,
        api: 'deleteGroups',
        response: { results: [...results].map(([groupId, errorCode]) => ({ groupId, errorCode })) },
      });
    for (const groupId of req.groupsNames) {
      if (results.has(groupId)) continue;
      const group = isValidGroupId(groupId, false) ? this.groups.get(groupId) : undefined;
      if (!group) results.set(groupId, isValidGroupId(groupId, false) ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.INVALID_GROUP_ID);
      else if (!group.is('Empty')) results.set(groupId, ErrorCode.NON_EMPTY_GROUP);
      else {
        results.set(groupId, ErrorCode.NONE);
        const records = group.offsets.remove(group.offsets.partitions()).map((tp) => offsetTombstone(groupId, tp));
        if (group.generationId > 0) records.push(groupTombstone(groupId));
        this.forget(group);
        if (records.length === 0) continue;
        outstanding++;
        this.append(groupId, records, (appendError) => {
          if (appendError !== ErrorCode.NONE) results.set(groupId, commitErrorForAppendError(appendError));
          if (--outstanding === 0) respond();
        });
      }
    }
    if (outstanding === 0) respond();
  }

  // ---- loading

  private loadGroup(replayed: ReplayedGroup): void {
    const group = groupFromReplay<T>(replayed, this.now);
    this.groups.set(group.groupId, group);
    // Loaded members must heartbeat within a session of the coordinator starting, as after a failover.
    for (const m of group.members.values()) this.scheduleHeartbeat(group, m);
    if (group.size > this.config.groupMaxSize) this.prepareRebalance(group);
  }
}
