// The KIP-848 consumer group coordinator: a pure state machine beside the classic one. Requests and
// clock ticks go in with the time; responses come out. The server computes a target assignment per
// group epoch and brings each member to it incrementally: a member first gives up what it must
// revoke, and a partition is handed to its new owner only once its old owner has released it, so no
// partition is ever owned by two members at once. Every change is also a set of __consumer_offsets
// records (drainRecords), as Kafka writes them, from which a new coordinator rebuilds the groups after a
// failover (load) so members keep their epochs and partitions. Kafka's facts (GroupMetadataManager,
// CurrentAssignmentBuilder); our own code.
import { DecodeError } from '../../../../protocol/bytes.js';
import { CONSUMER_PROTOCOL_TYPE, decodeConsumerSubscription, type ConsumerSubscription } from '../../../../protocol/kafka/consumer-offsets/consumer-protocol.js';
import { ErrorCode } from '../../../../protocol/kafka/errors.js';
import { assign, isAssignorName, parsePartitionKey, partitionKey, type AssignorName, type PartitionKey } from './assignors.js';
import type {
  ConsumerOffsetsRecord,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupClient,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from '../api.js';
import { downgradeAllowed, upgradeAllowed, type MigratingGroup, type MigrationPolicy } from '../migration.js';
import { decodeClassicAssignment, encodeClassicAssignment, keysOfNamed } from './classic-protocol.js';
import type { ConsumerGroupRecords } from '../replay.js';
import { forgetGroups, groupFromRecords, groupRecordChanges, groupRecordKeys, groupRecords, memberRecordKeys, type RecordSet } from './group-records.js';
import { compileRegex, newMember, subscribedTopicsChanged, type ConsumerGroup, type Member, type MemberState, type SubscribedTopic } from './group-state.js';

/** Epochs a member sends to leave: -1 for good, -2 a static member that will be back. */
export const LEAVE_EPOCH = -1;
export const STATIC_LEAVE_EPOCH = -2;

export interface ConsumerGroupConfig {
  /** group.consumer.session.timeout.ms: a member silent this long is removed. */
  sessionTimeoutMs: number;
  /** group.consumer.heartbeat.interval.ms: told to every member. */
  heartbeatIntervalMs: number;
  /** group.consumer.assignors: the first is the default; a member may ask for another listed one. */
  assignors: AssignorName[];
  /** group.consumer.max.size: members in one group at most. */
  maxSize: number;
  /** Longest subscribed_topic_regex accepted: bounds the cost of matching it against every topic. */
  maxRegexLength: number;
  /** group.consumer.migration.policy: online conversion of groups with members to and from classic ones. */
  migrationPolicy: MigrationPolicy;
  /** The classic settings its classic members are held to: group.max.size and the session timeout bounds. */
  classic: { maxSize: number; minSessionTimeoutMs: number; maxSessionTimeoutMs: number };
}

export const DEFAULT_CONSUMER_GROUP_CONFIG: Readonly<ConsumerGroupConfig> = {
  sessionTimeoutMs: 45_000,
  heartbeatIntervalMs: 5_000,
  assignors: ['uniform', 'range'],
  maxSize: 2_147_483_647,
  maxRegexLength: 1_000,
  migrationPolicy: 'bidirectional',
  classic: { maxSize: 2_147_483_647, minSessionTimeoutMs: 6_000, maxSessionTimeoutMs: 1_800_000 },
};

/** JoinGroup v4+ makes a new dynamic member come back with the id it is given (KIP-394). */
const MEMBER_ID_REQUIRED_MIN_VERSION = 4;

/** The topics the coordinator may assign: looked up on each request, since topics come and go. */
export interface TopicCatalog {
  /** Every topic by name: its id and partition count. */
  topics(): ReadonlyMap<string, { id: string; partitions: number }>;
}

export interface ConsumerHeartbeatRequest {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  instanceId: string | null;
  rackId: string | null;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[] | null;
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  topicPartitions: Array<{ topicId: string; partitions: number[] }> | null;
  /** From the request header and the connection, for ConsumerGroupDescribe. */
  clientId: string;
  clientHost: string;
}

export interface ConsumerHeartbeatResponse {
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: { topicPartitions: Array<{ topicId: string; partitions: number[] }> } | null;
}

export interface ConsumerMemberView {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  subscribedTopicRegex: string | null;
  memberEpoch: number;
  state: MemberState;
  /** A classic member of a converted group. */
  classic: boolean;
  assigned: PartitionKey[];
  revoking: PartitionKey[];
  target: PartitionKey[];
  subscribedTopicNames: string[];
}

export interface ConsumerGroupView {
  groupId: string;
  groupEpoch: number;
  assignmentEpoch: number;
  state: 'empty' | 'assigning' | 'reconciling' | 'stable';
  assignor: AssignorName;
  members: ConsumerMemberView[];
}

function fail(errorCode: number, errorMessage: string, memberEpoch = 0): ConsumerHeartbeatResponse {
  return { errorCode, errorMessage, memberId: null, memberEpoch, heartbeatIntervalMs: 0, assignment: null };
}

/** The member's metadata for `protocol`, or its first choice's. */
function metadataOf(protocols: readonly { name: string; metadata: Buffer }[], protocol: string): Buffer {
  return (protocols.find((p) => p.name === protocol) ?? protocols[0]!).metadata;
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

/** Records to append for one group, in one batch. */
export interface ConsumerGroupAppend {
  groupId: string;
  records: ConsumerOffsetsRecord[];
}

export class ConsumerGroupCoordinator {
  private readonly groups = new Map<string, ConsumerGroup>();
  /** What __consumer_offsets holds for each group (written here or loaded). */
  private readonly written = new Map<string, RecordSet>();
  /** Groups changed since the last drainRecords: the members whose records may differ, or all of them. */
  private readonly dirty = new Map<string, Set<string> | 'all'>();
  /**
   * Groups converted to classic ones since the last drainDowngrades, for the classic coordinator: at
   * most one entry per group, which is gone from here once handed back.
   */
  private downgraded: MigratingGroup[] = [];

  constructor(
    readonly config: ConsumerGroupConfig,
    private readonly catalog: TopicCatalog,
    /** A fresh member id for v0 joins that bring none (v1 clients make their own). */
    private readonly newMemberId: () => string,
  ) {}

  /** Whether `groupId` is a consumer group here (with or without members). */
  has(groupId: string): boolean {
    return this.groups.has(groupId);
  }

  /** Whether the group has members: a classic join for it is refused then. */
  hasMembers(groupId: string): boolean {
    return (this.groups.get(groupId)?.members.size ?? 0) > 0;
  }

  /**
   * OffsetCommit/OffsetFetch v9+ from a member of a consumer group: NONE when the member and epoch
   * are current (or the request is not from a member), else Kafka's error for it.
   */
  validateOffsetRequest(groupId: string, memberId: string, memberEpoch: number, isCommit: boolean): number {
    const group = this.groups.get(groupId);
    if (!group) return ErrorCode.NONE;
    if (memberId === '' && memberEpoch < 0) return ErrorCode.NONE;
    const member = group.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    // A classic member commits with its generation, which is its member epoch (Kafka: ILLEGAL_GENERATION otherwise).
    if (member.classic) return memberEpoch === member.memberEpoch ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
    // A commit from the previous epoch is fine while the member still reconciles (Kafka allows it for
    // the partitions it still owns; the client commits before revoking).
    if (memberEpoch === member.memberEpoch) return ErrorCode.NONE;
    if (isCommit && memberEpoch === member.previousMemberEpoch) return ErrorCode.NONE;
    return ErrorCode.STALE_MEMBER_EPOCH;
  }

  /**
   * `classic` is the classic group holding the group id with members, if any: a valid first heartbeat
   * converts it when the migration policy allows (online upgrade), else gets GROUP_ID_NOT_FOUND.
   */
  heartbeat(nowMs: number, request: ConsumerHeartbeatRequest, classic?: { group: MigratingGroup; protocolType: string | null }): ConsumerHeartbeatResponse {
    const invalid = this.validate(request);
    if (invalid) return invalid;
    if (classic && !this.groups.has(request.groupId)) {
      const why = request.memberEpoch === 0 ? this.upgradeRefusal(classic.group, classic.protocolType) : `Group ${request.groupId} is not a consumer group.`;
      if (why !== undefined) return fail(ErrorCode.GROUP_ID_NOT_FOUND, why);
      this.upgrade(nowMs, classic.group);
    }
    if (request.memberEpoch === LEAVE_EPOCH || request.memberEpoch === STATIC_LEAVE_EPOCH) return this.leave(nowMs, request);
    let group = this.groups.get(request.groupId);
    let member: Member | undefined;
    if (request.memberEpoch === 0) {
      if (!group) {
        group = { groupId: request.groupId, groupEpoch: 0, assignmentEpoch: 0, members: new Map(), target: new Map(), subscribedTopics: new Map() };
        this.groups.set(request.groupId, group);
      }
      const joined = this.join(nowMs, group, request);
      if ('errorCode' in joined) return joined;
      member = joined;
    } else {
      member = group?.members.get(request.memberId);
      if (!group || !member) return fail(ErrorCode.UNKNOWN_MEMBER_ID, `member ${request.memberId} is not in group ${request.groupId}`);
      if (member.classic) return fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${request.memberId} uses the classic protocol.`);
      if (request.memberEpoch !== member.memberEpoch) {
        // A member whose last response was lost sends the previous epoch: fine while it owns no more than it was told.
        const owned = this.ownedKeys(request.topicPartitions);
        const lostResponse = request.memberEpoch === member.previousMemberEpoch && (owned === null || [...owned].every((k) => member!.assigned.has(k) || member!.revoking.has(k)));
        if (!lostResponse) return fail(ErrorCode.FENCED_MEMBER_EPOCH, `member epoch ${request.memberEpoch} is fenced (current ${member.memberEpoch})`);
      }
    }
    member.sessionDeadline = nowMs + this.config.sessionTimeoutMs;
    member.clientId = request.clientId;
    member.clientHost = request.clientHost;
    if (request.rackId !== null) member.rackId = request.rackId;
    if (request.rebalanceTimeoutMs > 0) member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
    if (this.updateSubscription(member, request)) group!.groupEpoch++;
    this.refreshTarget(group!);
    const owned = this.ownedKeys(request.topicPartitions);
    this.reconcile(nowMs, group!, member, owned);
    // A joining member owns nothing: what it must revoke of a static predecessor's partitions is given
    // up already, and it must not be answered at epoch 0 with partitions it could not report owning.
    if (request.memberEpoch === 0 && member.state === 'unrevoked') this.reconcile(nowMs, group!, member, owned);
    this.touch(group!.groupId, member.memberId);
    return this.answer(member);
  }

  /** Removes members whose session or revocation time ran out. */
  tick(nowMs: number): void {
    for (const group of this.groups.values()) {
      for (const member of [...group.members.values()]) {
        // A downgrade hands the group over: its remaining members are the classic coordinator's now.
        if (this.groups.get(group.groupId) !== group) break;
        const revocationLate = member.revocationDeadline !== undefined && member.revocationDeadline <= nowMs;
        if (member.sessionDeadline <= nowMs || revocationLate) this.removeAndMaybeDowngrade(group, member);
      }
    }
  }

  /**
   * The groups converted to classic ones since the last call (a KIP-848 member left a group of classic
   * members): the classic coordinator takes them in, after this coordinator's tombstones for them.
   */
  drainDowngrades(): MigratingGroup[] {
    const out = this.downgraded;
    this.downgraded = [];
    return out;
  }

  /**
   * Why the classic group `classic` may not become a consumer group now (Kafka: validateOnlineUpgrade),
   * undefined when it may. Its members must speak the "consumer" embedded protocol in readable metadata.
   */
  private upgradeRefusal(classic: MigratingGroup, protocolType: string | null): string | undefined {
    const groupId = classic.groupId;
    if (!upgradeAllowed(this.config.migrationPolicy)) return `Cannot upgrade classic group ${groupId} to consumer group because the online upgrade is disabled.`;
    if (protocolType !== CONSUMER_PROTOCOL_TYPE || classic.protocolName === null) {
      return `Cannot upgrade classic group ${groupId} to consumer group because the group does not use the consumer embedded protocol.`;
    }
    if (classic.members.length > this.config.maxSize) return `Cannot upgrade classic group ${groupId} to consumer group because the group size exceeds the consumer group maximum size.`;
    try {
      for (const m of classic.members) {
        decodeConsumerSubscription(metadataOf(m.protocols, classic.protocolName));
        decodeClassicAssignment(m.assignment, this.catalog.topics());
      }
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      return `Cannot upgrade the classic group ${groupId} to consumer group because the embedded consumer protocol is malformed.`;
    }
    return undefined;
  }

  /**
   * Online upgrade (Kafka: ConsumerGroup.fromClassicGroup): the classic group's members become classic
   * members of a new consumer group at its generation, each owning and targeted at what it was last
   * assigned. The KIP-848 member whose heartbeat caused it then joins, which starts a new epoch; the
   * classic members learn of it on their next heartbeat.
   */
  private upgrade(nowMs: number, classic: MigratingGroup): void {
    const topics = this.catalog.topics();
    const group: ConsumerGroup = { groupId: classic.groupId, groupEpoch: classic.generationId, assignmentEpoch: classic.generationId, members: new Map(), target: new Map(), subscribedTopics: new Map() };
    const taken = new Set<PartitionKey>();
    for (const m of classic.members) {
      const subscription = decodeConsumerSubscription(metadataOf(m.protocols, classic.protocolName!));
      // A leader's assignment that gave a partition twice is not carried over twice: one owner each.
      const assigned = new Set([...decodeClassicAssignment(m.assignment, topics)].filter((k) => !taken.has(k)));
      for (const k of assigned) taken.add(k);
      const member = newMember(m.memberId, nowMs + m.sessionTimeoutMs, {
        instanceId: m.groupInstanceId,
        rackId: subscription.rackId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        subscribedTopicNames: [...new Set(subscription.topics)].sort(),
        memberEpoch: classic.generationId,
        previousMemberEpoch: classic.generationId,
        assigned,
        classic: { sessionTimeoutMs: m.sessionTimeoutMs, protocols: m.protocols },
      });
      group.members.set(m.memberId, member);
      group.target.set(m.memberId, new Set(assigned));
    }
    this.groups.set(group.groupId, group);
    this.touch(group.groupId);
  }

  // ---- classic members of a consumer group (Kafka: classicGroup*ToConsumerGroup)

  /**
   * JoinGroup from a classic member: it is added or updated, the group moves to a new epoch if its
   * subscription changed, and it is reconciled with what it reports owning (an eager client owns nothing
   * when it joins, a cooperative one lists what it kept). It is its own leader of nothing: the server
   * assigns, and SyncGroup hands out the result.
   */
  classicJoin(nowMs: number, request: JoinGroupRequest, client: JoinGroupClient): JoinGroupResponse {
    const refuse = (memberId: string, errorCode: number): JoinGroupResponse => ({
      errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId, members: [],
    });
    const group = this.groups.get(request.groupId);
    if (!group) return refuse(request.memberId, ErrorCode.UNKNOWN_MEMBER_ID);
    const { classic } = this.config;
    if (request.sessionTimeoutMs < classic.minSessionTimeoutMs || request.sessionTimeoutMs > classic.maxSessionTimeoutMs) return refuse(request.memberId, ErrorCode.INVALID_SESSION_TIMEOUT);
    if (request.protocolType !== CONSUMER_PROTOCOL_TYPE || request.protocols.length === 0) return refuse(request.memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    let subscription: ConsumerSubscription;
    try {
      subscription = decodeConsumerSubscription(request.protocols[0]!.metadata);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      return refuse(request.memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    let memberId = request.memberId;
    if (memberId === '') {
      memberId = `${(request.groupInstanceId ?? client.clientId).slice(0, 255)}-${this.newMemberId()}`;
      if (request.groupInstanceId === null && client.apiVersion >= MEMBER_ID_REQUIRED_MIN_VERSION) return refuse(memberId, ErrorCode.MEMBER_ID_REQUIRED);
    }
    let member = group.members.get(memberId);
    if (member && !member.classic) return refuse(memberId, ErrorCode.UNKNOWN_MEMBER_ID);
    // The static member, of either protocol, that a static member back under a new id replaces.
    let replaced: Member | undefined;
    if (request.groupInstanceId !== null) {
      const previous = [...group.members.values()].find((m) => m.instanceId === request.groupInstanceId);
      if (previous && previous.memberId !== memberId) {
        if (request.memberId !== '') return refuse(request.memberId, ErrorCode.FENCED_INSTANCE_ID);
        replaced = previous;
      }
    }
    // Its classic peers must share a protocol with it, so the group can go back to classic (Kafka: supportsClassicProtocols).
    const offered = new Set(request.protocols.map((p) => p.name));
    const peers = [...group.members.values()].filter((m) => m.classic !== null && m.memberId !== memberId);
    if (![...offered].some((name) => peers.every((m) => m.classic!.protocols.some((p) => p.name === name)))) {
      return refuse(request.memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    if (replaced) {
      // It takes its predecessor's place and partitions at epoch 0, as Kafka copies the member
      // (getOrMaybeSubscribeStaticConsumerGroupMember). A KIP-848 predecessor's regex goes: a classic
      // member subscribes by the names it lists.
      group.members.delete(replaced.memberId);
      const target = group.target.get(replaced.memberId);
      group.target.delete(replaced.memberId);
      if (target) group.target.set(memberId, target);
      member = { ...replaced, memberId, memberEpoch: 0, previousMemberEpoch: 0, subscribedTopicRegex: null, regexSource: null };
      group.members.set(memberId, member);
      this.touch(group.groupId);
    }
    if (!member) {
      // An id handed out with MEMBER_ID_REQUIRED is not remembered: Kafka creates the member on the
      // JoinGroup that brings it (getOrMaybeSubscribeDynamicConsumerGroupMember).
      if (group.members.size >= this.config.maxSize) return refuse('', ErrorCode.GROUP_MAX_SIZE_REACHED);
      member = newMember(memberId, 0, { instanceId: request.groupInstanceId });
      group.members.set(memberId, member);
    }
    member.classic = { sessionTimeoutMs: request.sessionTimeoutMs, protocols: request.protocols };
    member.sessionDeadline = nowMs + request.sessionTimeoutMs;
    member.clientId = client.clientId;
    member.clientHost = client.clientHost;
    if (subscription.rackId !== null) member.rackId = subscription.rackId;
    member.rebalanceTimeoutMs = request.rebalanceTimeoutMs === -1 ? request.sessionTimeoutMs : request.rebalanceTimeoutMs;
    const names = [...new Set(subscription.topics)].sort();
    if (names.join('\0') !== member.subscribedTopicNames.join('\0')) {
      member.subscribedTopicNames = names;
      group.groupEpoch++;
    }
    this.refreshTarget(group);
    // Rejoining is what a REBALANCE_IN_PROGRESS asked for; a revocation under way keeps its own deadline.
    if (member.state !== 'unrevoked') member.revocationDeadline = undefined;
    const owned = keysOfNamed(subscription.ownedPartitions, this.catalog.topics());
    this.reconcile(nowMs, group, member, owned);
    // What it must revoke and did not list as owned, it has already given up: it rejoined without it.
    if (member.state === 'unrevoked') this.reconcile(nowMs, group, member, owned);
    // Its SyncGroup is due within its rebalance timeout.
    member.revocationDeadline ??= nowMs + member.rebalanceTimeoutMs;
    this.touch(group.groupId, memberId);
    // The last KIP-848 member replaced by a classic one: the group may go back to classic (Kafka:
    // validateOnlineDowngradeWithReplacedMemberId). Kafka keeps it stable there with the target
    // assignment; Skein does so when every member holds its target at the group's epoch, and otherwise
    // has the classic group rebalance, so nobody is left holding what the target gave another.
    if (replaced?.classic === null) {
      const settled = [...group.members.values()].every((m) => m.state === 'stable' && m.memberEpoch === group.groupEpoch && sameSet(m.assigned, group.target.get(m.memberId) ?? new Set()));
      this.maybeDowngrade(group, group.groupEpoch, !settled);
    }
    return {
      errorCode: ErrorCode.NONE,
      generationId: member.memberEpoch,
      protocolType: CONSUMER_PROTOCOL_TYPE,
      protocolName: member.classic.protocols[0]!.name,
      leader: '',
      skipAssignment: false,
      memberId,
      members: [],
    };
  }

  /** SyncGroup from a classic member: its current partitions, in its own protocol's encoding. */
  classicSync(nowMs: number, request: SyncGroupRequest): SyncGroupResponse {
    const refuse = (errorCode: number): SyncGroupResponse => ({ errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
    const group = this.groups.get(request.groupId);
    const found = this.classicMember(group, request.memberId, request.groupInstanceId);
    if (typeof found === 'number') return refuse(found);
    const member = found;
    const protocol = member.classic!.protocols[0]!;
    if (request.generationId !== member.memberEpoch) return refuse(ErrorCode.ILLEGAL_GENERATION);
    if ((request.protocolType !== null && request.protocolType !== CONSUMER_PROTOCOL_TYPE) || (request.protocolName !== null && request.protocolName !== protocol.name)) {
      return refuse(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    // A new epoch began since it joined: it must rejoin first, unless it is still revoking (Kafka's throwIfRebalanceInProgress).
    if (group!.groupEpoch > member.memberEpoch && member.state !== 'unrevoked') return refuse(ErrorCode.REBALANCE_IN_PROGRESS);
    member.sessionDeadline = nowMs + member.classic!.sessionTimeoutMs;
    if (member.state !== 'unrevoked') member.revocationDeadline = undefined;
    return {
      errorCode: ErrorCode.NONE,
      protocolType: CONSUMER_PROTOCOL_TYPE,
      protocolName: protocol.name,
      assignment: encodeClassicAssignment(member.assigned, this.catalog.topics(), protocol.metadata),
    };
  }

  /**
   * Heartbeat from a classic member: REBALANCE_IN_PROGRESS when it must rejoin to move toward its
   * target: a new epoch, partitions to revoke, or partitions it waited for that are free now.
   */
  classicHeartbeat(nowMs: number, request: HeartbeatRequest): HeartbeatResponse {
    const group = this.groups.get(request.groupId);
    const found = this.classicMember(group, request.memberId, request.groupInstanceId);
    if (typeof found === 'number') return { errorCode: found };
    const member = found;
    if (request.generationId !== member.memberEpoch) return { errorCode: ErrorCode.ILLEGAL_GENERATION };
    member.sessionDeadline = nowMs + member.classic!.sessionTimeoutMs;
    // A subscribed topic that grew or was re-created starts a new epoch, as a KIP-848 heartbeat would
    // find: classic members may be all the group has.
    this.refreshTarget(group!);
    const released = member.state === 'unreleased' && ![...(group!.target.get(member.memberId) ?? [])].some((k) => !member.assigned.has(k) && this.heldByOthers(group!, member).has(k));
    const rejoin = member.memberEpoch < group!.groupEpoch || member.state === 'unrevoked' || released;
    if (!rejoin) return { errorCode: ErrorCode.NONE };
    // It must rejoin within its rebalance timeout (Kafka's join timeout), or it is removed and what it holds is freed.
    member.revocationDeadline ??= nowMs + member.rebalanceTimeoutMs;
    return { errorCode: ErrorCode.REBALANCE_IN_PROGRESS };
  }

  /** LeaveGroup for classic members: each leaves, and the group moves to a new epoch without it. */
  classicLeave(request: LeaveGroupRequest): LeaveGroupResponse {
    const group = this.groups.get(request.groupId);
    const members = request.members.map((identity) => {
      const found = this.classicMember(group, identity.memberId, identity.groupInstanceId, true);
      if (typeof found === 'number') return { memberId: identity.memberId, groupInstanceId: identity.groupInstanceId, errorCode: found };
      this.remove(group!, found);
      return { memberId: found.memberId, groupInstanceId: identity.groupInstanceId, errorCode: ErrorCode.NONE };
    });
    return { errorCode: ErrorCode.NONE, members };
  }

  /**
   * The classic member a request names (Kafka: validateConsumerGroupMember): by instance id when it has
   * one (whose member id must match, unless `adminRemoval` and none is given), else by member id.
   */
  private classicMember(group: ConsumerGroup | undefined, memberId: string, instanceId: string | null, adminRemoval = false): Member | number {
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    let member: Member | undefined;
    if (instanceId !== null) {
      member = [...group.members.values()].find((m) => m.instanceId === instanceId);
      if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (member.memberId !== memberId && !(adminRemoval && memberId === '')) return ErrorCode.FENCED_INSTANCE_ID;
    } else {
      member = group.members.get(memberId);
    }
    if (!member?.classic) return ErrorCode.UNKNOWN_MEMBER_ID;
    return member;
  }

  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const group of this.groups.values()) {
      for (const m of group.members.values()) {
        for (const d of [m.sessionDeadline, m.revocationDeadline]) if (d !== undefined && (next === undefined || d < next)) next = d;
      }
    }
    return next;
  }

  /**
   * Forgets the groups of a __consumer_offsets partition this broker no longer leads: their records
   * stay in the log for the next leader; changes not drained yet are dropped with them.
   */
  forget(belongsHere: (groupId: string) => boolean): void {
    forgetGroups(belongsHere, [this.groups, this.written, this.dirty]);
  }

  /** Deletes an empty group (DeleteGroups), with tombstones for its records; false when it has members. */
  delete(groupId: string): boolean {
    if (this.hasMembers(groupId)) return false;
    if (!this.groups.delete(groupId)) return false;
    this.dirty.set(groupId, 'all');
    return true;
  }

  /**
   * Takes in the groups of a __consumer_offsets partition this broker now leads, as its records hold
   * them (ConsumerOffsetsReplay.consumerGroups). Members' sessions run from `nowMs`. Returns how many
   * records could not be read.
   */
  load(nowMs: number, groups: ReadonlyMap<string, ConsumerGroupRecords>): number {
    let malformed = 0;
    for (const [groupId, records] of groups) {
      const loaded = groupFromRecords(groupId, records, nowMs, this.config.sessionTimeoutMs);
      malformed += loaded.malformed;
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
    for (const [groupId, members] of this.dirty) {
      const group = this.groups.get(groupId);
      const all = members === 'all' || !group;
      const wanted = group ? groupRecords(group, all ? undefined : members) : new Map();
      const scope = all ? undefined : [...groupRecordKeys(groupId), ...[...members].flatMap((m) => memberRecordKeys(groupId, m))];
      const records = groupRecordChanges(this.written, groupId, wanted, scope);
      if (records.length > 0) out.push({ groupId, records });
    }
    this.dirty.clear();
    return out;
  }

  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  describe(groupId: string): ConsumerGroupView | undefined {
    const group = this.groups.get(groupId);
    if (!group) return undefined;
    const members = [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      instanceId: m.instanceId,
      rackId: m.rackId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscribedTopicRegex: m.regexSource,
      memberEpoch: m.memberEpoch,
      state: m.state,
      classic: m.classic !== null,
      assigned: [...m.assigned].sort(),
      revoking: [...m.revoking].sort(),
      target: [...(group.target.get(m.memberId) ?? [])].sort(),
      subscribedTopicNames: m.subscribedTopicNames,
    }));
    const state =
      members.length === 0
        ? 'empty'
        : group.assignmentEpoch < group.groupEpoch
          ? 'assigning'
          : members.some((m) => m.memberEpoch !== group.assignmentEpoch || m.state !== 'stable')
            ? 'reconciling'
            : 'stable';
    return { groupId, groupEpoch: group.groupEpoch, assignmentEpoch: group.assignmentEpoch, state, assignor: this.assignorOf(group), members };
  }

  // ---- steps of a heartbeat

  private validate(request: ConsumerHeartbeatRequest): ConsumerHeartbeatResponse | undefined {
    if (request.groupId === '') return fail(ErrorCode.INVALID_REQUEST, 'GroupId can not be empty.');
    if (request.memberEpoch < STATIC_LEAVE_EPOCH) return fail(ErrorCode.INVALID_REQUEST, 'MemberEpoch is invalid.');
    if (request.memberEpoch !== 0 && request.memberId === '') return fail(ErrorCode.INVALID_REQUEST, 'MemberId can not be empty.');
    if (request.memberEpoch === 0) {
      if (request.rebalanceTimeoutMs === -1) return fail(ErrorCode.INVALID_REQUEST, 'RebalanceTimeoutMs must be provided in first request.');
      if (request.topicPartitions === null) return fail(ErrorCode.INVALID_REQUEST, 'TopicPartitions must be empty when (re-)joining.');
      if (request.topicPartitions.length > 0) return fail(ErrorCode.INVALID_REQUEST, 'TopicPartitions must be empty when (re-)joining.');
      if (request.subscribedTopicNames === null && request.subscribedTopicRegex === null) {
        return fail(ErrorCode.INVALID_REQUEST, 'SubscribedTopicNames or SubscribedTopicRegex must be set in first request.');
      }
    }
    if (request.memberEpoch === STATIC_LEAVE_EPOCH && request.instanceId === null) return fail(ErrorCode.INVALID_REQUEST, 'InstanceId can not be null.');
    if (request.serverAssignor !== null && !this.config.assignors.includes(request.serverAssignor as AssignorName)) {
      return fail(ErrorCode.UNSUPPORTED_ASSIGNOR, `ServerAssignor ${request.serverAssignor} is not supported.`);
    }
    if (request.subscribedTopicRegex !== null) {
      if (request.subscribedTopicRegex.length > this.config.maxRegexLength) return fail(ErrorCode.INVALID_REGULAR_EXPRESSION, 'SubscribedTopicRegex is too long.');
      if (compileRegex(request.subscribedTopicRegex) === null) return fail(ErrorCode.INVALID_REGULAR_EXPRESSION, `SubscribedTopicRegex ${request.subscribedTopicRegex} is invalid.`);
    }
    return undefined;
  }

  private join(nowMs: number, group: ConsumerGroup, request: ConsumerHeartbeatRequest): Member | ConsumerHeartbeatResponse {
    const memberId = request.memberId === '' ? this.newMemberId() : request.memberId;
    if (request.instanceId !== null) {
      const previous = [...group.members.values()].find((m) => m.instanceId === request.instanceId);
      if (previous && previous.memberId !== memberId) {
        // Kafka (getOrMaybeSubscribeStaticConsumerGroupMember) waits for a KIP-848 predecessor to release
        // the instance id; a classic one is replaced at once, as a classic member replaces either kind.
        if (previous.classic === null && previous.memberEpoch !== STATIC_LEAVE_EPOCH) {
          return fail(ErrorCode.UNRELEASED_INSTANCE_ID, `Static member ${request.instanceId} is still in use by ${previous.memberId}.`);
        }
        // The static member is back under a new member id: it takes over its predecessor's place and assignment.
        group.members.delete(previous.memberId);
        const target = group.target.get(previous.memberId);
        group.target.delete(previous.memberId);
        if (target) group.target.set(memberId, target);
        const sessionDeadline = nowMs + this.config.sessionTimeoutMs;
        const member: Member =
          previous.classic === null
            ? { ...previous, memberId, memberEpoch: previous.previousMemberEpoch, sessionDeadline }
            : { ...previous, memberId, memberEpoch: 0, previousMemberEpoch: 0, sessionDeadline, revocationDeadline: undefined, classic: null };
        group.members.set(memberId, member);
        this.touch(group.groupId);
        return member;
      }
    }
    const existing = group.members.get(memberId);
    if (existing) {
      // A member rejoining with epoch 0 has dropped everything it owned: it starts over.
      existing.assigned.clear();
      existing.revoking.clear();
      existing.revocationDeadline = undefined;
      existing.state = 'stable';
      existing.memberEpoch = 0;
      existing.previousMemberEpoch = 0;
      // A classic member that comes back over ConsumerGroupHeartbeat speaks KIP-848 from now on.
      existing.classic = null;
      return existing;
    }
    if (group.members.size >= this.config.maxSize) return fail(ErrorCode.GROUP_MAX_SIZE_REACHED, `The consumer group has reached its maximum capacity of ${this.config.maxSize} members.`);
    const member = newMember(memberId, nowMs + this.config.sessionTimeoutMs, {
      instanceId: request.instanceId,
      rackId: request.rackId,
      clientId: request.clientId,
      clientHost: request.clientHost,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs,
    });
    group.members.set(memberId, member);
    // Its subscription, set next, moves the group epoch: a join is one new epoch.
    return member;
  }

  private leave(nowMs: number, request: ConsumerHeartbeatRequest): ConsumerHeartbeatResponse {
    const group = this.groups.get(request.groupId);
    const member = group?.members.get(request.memberId);
    if (!group || !member) return fail(ErrorCode.UNKNOWN_MEMBER_ID, `member ${request.memberId} is not in group ${request.groupId}`, request.memberEpoch);
    if (request.memberEpoch === STATIC_LEAVE_EPOCH && member.instanceId !== null) {
      // A static member keeps its place and partitions for a session timeout, waiting for its return.
      member.previousMemberEpoch = member.memberEpoch;
      member.memberEpoch = STATIC_LEAVE_EPOCH;
      member.sessionDeadline = nowMs + this.config.sessionTimeoutMs;
      this.touch(group.groupId, member.memberId);
    } else {
      this.removeAndMaybeDowngrade(group, member);
    }
    return { errorCode: ErrorCode.NONE, errorMessage: null, memberId: request.memberId, memberEpoch: request.memberEpoch, heartbeatIntervalMs: 0, assignment: null };
  }

  private remove(group: ConsumerGroup, member: Member): void {
    group.members.delete(member.memberId);
    group.target.delete(member.memberId);
    group.groupEpoch++;
    this.refreshTarget(group);
    this.touch(group.groupId);
  }

  /**
   * Removes a member; when it was the last KIP-848 one and classic members remain, the group becomes a
   * classic group again if the policy allows (Kafka: validateOnlineDowngradeWithFencedMember,
   * convertToClassicGroup): its records are tombstoned and the classic members go to the classic
   * coordinator with what they own, to rebalance there.
   */
  private removeAndMaybeDowngrade(group: ConsumerGroup, member: Member): void {
    // The classic group continues from the epoch its members know, the one before this removal.
    const epoch = group.groupEpoch;
    this.remove(group, member);
    if (member.classic !== null || group.members.size === 0) return;
    this.maybeDowngrade(group, epoch, true);
  }

  /**
   * Hands the group to the classic coordinator when all its members speak the classic protocol and the
   * policy and the classic group size allow it, at `generationId`, rebalancing there or not.
   */
  private maybeDowngrade(group: ConsumerGroup, generationId: number, rebalance: boolean): void {
    if ([...group.members.values()].some((m) => m.classic === null)) return;
    if (!downgradeAllowed(this.config.migrationPolicy) || group.members.size > this.config.classic.maxSize) return;
    const topics = this.catalog.topics();
    this.downgraded.push({
      groupId: group.groupId,
      generationId,
      rebalance,
      protocolName: null,
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.instanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        sessionTimeoutMs: m.classic!.sessionTimeoutMs,
        protocols: m.classic!.protocols,
        // What it still revokes it still owns until it rejoins the classic group.
        assignment: encodeClassicAssignment([...m.assigned, ...m.revoking], topics, m.classic!.protocols[0]!.metadata),
      })),
    });
    this.groups.delete(group.groupId);
    this.dirty.set(group.groupId, 'all');
  }

  /** Marks a member's records (or, without one, the whole group's) for the next drainRecords. */
  private touch(groupId: string, memberId?: string): void {
    const dirty = this.dirty.get(groupId);
    if (dirty === 'all') return;
    if (memberId === undefined) this.dirty.set(groupId, 'all');
    else if (dirty) dirty.add(memberId);
    else this.dirty.set(groupId, new Set([memberId]));
  }

  /** Whether the member's subscription changed. */
  private updateSubscription(member: Member, request: ConsumerHeartbeatRequest): boolean {
    let changed = false;
    if (request.subscribedTopicNames !== null) {
      const names = [...new Set(request.subscribedTopicNames)].sort();
      if (names.join('\0') !== member.subscribedTopicNames.join('\0')) changed = true;
      member.subscribedTopicNames = names;
    }
    if (request.subscribedTopicRegex !== null && request.subscribedTopicRegex !== member.regexSource) {
      member.regexSource = request.subscribedTopicRegex === '' ? null : request.subscribedTopicRegex;
      member.subscribedTopicRegex = member.regexSource === null ? null : compileRegex(member.regexSource);
      changed = true;
    }
    if (request.serverAssignor !== null && request.serverAssignor !== member.serverAssignor) {
      member.serverAssignor = request.serverAssignor;
      changed = true;
    }
    return changed;
  }

  private assignorOf(group: ConsumerGroup): AssignorName {
    // Kafka picks the assignor most members ask for; ties and no preference go to the configured default.
    const votes = new Map<string, number>();
    for (const m of group.members.values()) if (m.serverAssignor !== null) votes.set(m.serverAssignor, (votes.get(m.serverAssignor) ?? 0) + 1);
    let best: AssignorName = this.config.assignors[0]!;
    let bestVotes = 0;
    for (const [name, n] of votes) if (n > bestVotes && isAssignorName(name)) [best, bestVotes] = [name, n];
    return best;
  }

  /** The member's subscribed topic names that exist, by explicit name and by regex. */
  private subscribedTopics(member: Member, topics: ReadonlyMap<string, { id: string; partitions: number }>): string[] {
    const names = new Set(member.subscribedTopicNames.filter((n) => topics.has(n)));
    const regex = member.subscribedTopicRegex;
    if (regex) for (const name of topics.keys()) if (!name.startsWith('__') && regex.test(name)) names.add(name);
    return [...names];
  }

  /** Recomputes the target when the group epoch moved or a subscribed topic changed size or id. */
  private refreshTarget(group: ConsumerGroup): void {
    const topics = this.catalog.topics();
    const subscriptions = new Map<string, Set<string>>();
    const used = new Map<string, SubscribedTopic>();
    for (const m of group.members.values()) {
      const names = this.subscribedTopics(m, topics);
      subscriptions.set(m.memberId, new Set(names.map((n) => topics.get(n)!.id)));
      for (const name of names) {
        const { id, partitions } = topics.get(name)!;
        used.set(id, { id, name, partitions });
      }
    }
    if (subscribedTopicsChanged(group, used)) {
      group.subscribedTopics = used;
      if (group.assignmentEpoch === group.groupEpoch) group.groupEpoch++;
    }
    if (group.assignmentEpoch === group.groupEpoch) return;
    group.target = assign(this.assignorOf(group), { subscriptions, topics: used, previous: group.target });
    group.assignmentEpoch = group.groupEpoch;
    // Every member's target may have moved.
    this.touch(group.groupId);
  }

  /** Partitions another member of the group still holds (assigned or being revoked). */
  private heldByOthers(group: ConsumerGroup, member: Member): Set<PartitionKey> {
    const held = new Set<PartitionKey>();
    for (const other of group.members.values()) {
      if (other === member) continue;
      for (const k of other.assigned) held.add(k);
      for (const k of other.revoking) held.add(k);
    }
    return held;
  }

  /**
   * Moves the member one step toward its target (Kafka's CurrentAssignmentBuilder): revocations are
   * confirmed by the partitions the member reports owning; then it gets what is free of its target.
   */
  private reconcile(nowMs: number, group: ConsumerGroup, member: Member, owned: Set<PartitionKey> | null): void {
    if (member.state === 'unrevoked') {
      const stillOwned = owned === null ? member.revoking : new Set([...member.revoking].filter((k) => owned.has(k)));
      if (stillOwned.size > 0) return;
      member.revoking.clear();
      member.revocationDeadline = undefined;
      member.state = 'stable';
    }
    const target = group.target.get(member.memberId) ?? new Set<PartitionKey>();
    const toRevoke = [...member.assigned].filter((k) => !target.has(k));
    if (toRevoke.length > 0) {
      for (const k of toRevoke) {
        member.assigned.delete(k);
        member.revoking.add(k);
      }
      member.state = 'unrevoked';
      member.revocationDeadline = nowMs + member.rebalanceTimeoutMs;
      return;
    }
    const held = this.heldByOthers(group, member);
    let withheld = false;
    for (const k of target) {
      if (member.assigned.has(k)) continue;
      if (held.has(k)) withheld = true;
      else member.assigned.add(k);
    }
    if (member.memberEpoch !== group.assignmentEpoch) {
      member.previousMemberEpoch = member.memberEpoch;
      member.memberEpoch = group.assignmentEpoch;
    }
    member.state = withheld ? 'unreleased' : 'stable';
  }

  private ownedKeys(topicPartitions: ConsumerHeartbeatRequest['topicPartitions']): Set<PartitionKey> | null {
    if (topicPartitions === null) return null;
    return new Set(topicPartitions.flatMap((t) => t.partitions.map((p) => partitionKey(t.topicId, p))));
  }

  private answer(member: Member): ConsumerHeartbeatResponse {
    const byTopic = new Map<string, number[]>();
    for (const key of [...member.assigned].sort()) {
      const { topicId, partition } = parsePartitionKey(key);
      byTopic.set(topicId, [...(byTopic.get(topicId) ?? []), partition]);
    }
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: member.memberId,
      memberEpoch: member.memberEpoch,
      heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      assignment: { topicPartitions: [...byTopic].map(([topicId, partitions]) => ({ topicId, partitions: partitions.sort((a, b) => a - b) })) },
    };
  }
}
