// What the KIP-848 coordinator holds per consumer group and member: the state its heartbeats move,
// which __consumer_offsets records describe (group-records.ts) and a new coordinator reads back.
import type { JoinGroupProtocol } from '../api.js';
import type { PartitionKey, TargetAssignment } from './assignors.js';

export type MemberState = 'stable' | 'unrevoked' | 'unreleased';

/**
 * What a member that speaks the classic protocol (JoinGroup/SyncGroup/Heartbeat) inside a consumer
 * group brought (Kafka's ClassicMemberMetadata): its session timeout and its JoinGroup protocols, the
 * first of which names the assignment it is handed.
 */
export interface ClassicMembership {
  sessionTimeoutMs: number;
  protocols: JoinGroupProtocol[];
}

export interface Member {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  memberEpoch: number;
  previousMemberEpoch: number;
  state: MemberState;
  subscribedTopicNames: string[];
  subscribedTopicRegex: RegExp | null;
  regexSource: string | null;
  serverAssignor: string | null;
  rebalanceTimeoutMs: number;
  /** What the member has been told it owns. */
  assigned: Set<PartitionKey>;
  /** What it must give up before it gets more. */
  revoking: Set<PartitionKey>;
  /** Not persisted: a loaded member's session runs from the load, as after a Kafka failover. */
  sessionDeadline: number;
  /**
   * Set while the member owes the coordinator a step: revoking, or for a classic member a rejoin it was
   * asked for or the SyncGroup after its JoinGroup (Kafka's join and sync timeouts). A member that does
   * not take it within its rebalance timeout is removed.
   */
  revocationDeadline: number | undefined;
  /** Set for a classic member of a converted group; null for a KIP-848 member. */
  classic: ClassicMembership | null;
}

/** A member that owns nothing yet, at epoch 0, with `facts` from its heartbeat or its records. */
export function newMember(memberId: string, sessionDeadline: number, facts: Partial<Member>): Member {
  return {
    memberId,
    instanceId: null,
    rackId: null,
    clientId: '',
    clientHost: '',
    memberEpoch: 0,
    previousMemberEpoch: 0,
    state: 'stable',
    subscribedTopicNames: [],
    subscribedTopicRegex: null,
    regexSource: null,
    serverAssignor: null,
    rebalanceTimeoutMs: -1,
    assigned: new Set(),
    revoking: new Set(),
    sessionDeadline,
    revocationDeadline: undefined,
    classic: null,
    ...facts,
  };
}

/** A subscribed topic as the target assignment saw it. */
export interface SubscribedTopic {
  id: string;
  name: string;
  partitions: number;
}

export interface ConsumerGroup {
  groupId: string;
  groupEpoch: number;
  assignmentEpoch: number;
  members: Map<string, Member>;
  target: TargetAssignment;
  /** The subscribed topics when the target was computed, by id: a change of id or size means a new epoch. */
  subscribedTopics: Map<string, SubscribedTopic>;
}

/** Whether `topics` differ from what the group's target was computed from. */
export function subscribedTopicsChanged(group: ConsumerGroup, topics: ReadonlyMap<string, SubscribedTopic>): boolean {
  if (topics.size !== group.subscribedTopics.size) return true;
  for (const [id, t] of topics) if (group.subscribedTopics.get(id)?.partitions !== t.partitions) return true;
  return false;
}

/**
 * KIP-848's regexes are RE2's; JavaScript's engine backtracks, so only the RE2-safe subset is taken:
 * no backreferences or lookaround, and the length is bounded by the caller. Null when invalid.
 */
export function compileRegex(source: string): RegExp | null {
  if (/\\[1-9]|\(\?[=!<]/.test(source)) return null;
  try {
    return new RegExp(`^(?:${source})$`);
  } catch {
    return null;
  }
}
