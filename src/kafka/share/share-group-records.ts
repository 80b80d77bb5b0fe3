// A share group as __consumer_offsets records, and back (Kafka: GroupCoordinatorRecordHelpers'
// newShareGroup* records and GroupMetadataManager.replay). The coordinator writes, per group, only the
// records whose bytes changed since it last wrote them, and tombstones for members gone; a coordinator
// that loads the records (after a move or a restart) rebuilds the same epochs and assignments, the
// members' sessions running from the load, so members that never come back are expired as usual.
import { DecodeError } from '../../../protocol/bytes.js';
import {
  decodeShareGroupRecordValue,
  encodeShareGroupRecordKey,
  encodeShareGroupRecordValue,
  SHARE_MEMBER_STABLE,
  ShareGroupRecordType as Type,
  type ShareGroupRecordTypeId,
} from '../../../protocol/kafka/consumer-offsets/share-group.js';
import type { RecordSet } from '../groups/consumer/group-records.js';
import type { ShareGroupRecords } from '../groups/replay.js';

/** A topic id's partitions, as the members hold them. */
export type ShareAssignmentMap = Map<string, number[]>;

export interface ShareMember {
  memberId: string;
  memberEpoch: number;
  previousMemberEpoch: number;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  /** The target: topic id -> partitions, as last computed for the group epoch. */
  assignment: ShareAssignmentMap;
  /** What the member was last told it has (at its member epoch). */
  current: ShareAssignmentMap;
  sessionDeadline: number;
}

/** A topic's share-partitions in ShareGroupStatePartitionMetadata: its name (as Kafka records it) and partitions. */
export interface StateTopic {
  topicName: string;
  partitions: Set<number>;
}

/**
 * Kafka's ShareGroupStatePartitionMetadata (record 15): the share-partitions whose state the group may
 * have in __share_group_state, so DeleteGroups knows what to delete once the group is empty and its
 * subscriptions are gone. `initializing` is only ever read here (Kafka writes it around
 * InitializeShareGroupState); `deleting` holds topics whose state is being deleted, by id, with names.
 */
export interface ShareStatePartitions {
  initializing: Map<string, StateTopic>;
  initialized: Map<string, StateTopic>;
  deleting: Map<string, string>;
}

export interface ShareGroup {
  groupId: string;
  groupEpoch: number;
  assignmentEpoch: number;
  members: Map<string, ShareMember>;
  /** The hash of the subscribed topics' ids and partition counts the assignment was computed from. */
  metadataHash: number;
  /** Record 15, once the group has had share-partitions; undefined while it never had any. */
  statePartitions: ShareStatePartitions | undefined;
}

function keyOf(recordType: ShareGroupRecordTypeId, group: string, memberId = ''): Buffer {
  return encodeShareGroupRecordKey({ recordType, group, memberId });
}

function put(set: RecordSet, key: Buffer, value: Buffer): void {
  set.set(key.toString('hex'), { key, value });
}

/** Kafka's TopicPartitions arrays: topics and partitions ascending, so equal assignments have equal bytes. */
function topicPartitions(assignment: ShareAssignmentMap): Array<{ topicId: string; partitions: number[] }> {
  return [...assignment]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([topicId, partitions]) => ({ topicId, partitions: [...partitions].sort((x, y) => x - y) }));
}

function stateTopics(topics: ReadonlyMap<string, StateTopic>): Array<{ topicId: string; topicName: string; partitions: number[] }> {
  return [...topics]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([topicId, t]) => ({ topicId, topicName: t.topicName, partitions: [...t.partitions].sort((x, y) => x - y) }));
}

function stateTopicsOf(list: ReadonlyArray<{ topicId: string; topicName: string; partitions: readonly number[] }>): Map<string, StateTopic> {
  return new Map(list.map((t) => [t.topicId, { topicName: t.topicName, partitions: new Set(t.partitions) }]));
}

function assignmentOf(list: ReadonlyArray<{ topicId: string; partitions: readonly number[] }>): ShareAssignmentMap {
  return new Map(list.map((t) => [t.topicId, [...t.partitions]]));
}

/** Every record describing the group as it stands. */
export function shareGroupRecords(group: ShareGroup): RecordSet {
  const set: RecordSet = new Map();
  const id = group.groupId;
  for (const m of group.members.values()) {
    put(set, keyOf(Type.MemberMetadata, id, m.memberId), encodeShareGroupRecordValue(Type.MemberMetadata, {
      rackId: m.rackId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscribedTopicNames: m.subscribedTopicNames,
    }));
    put(set, keyOf(Type.TargetAssignmentMember, id, m.memberId), encodeShareGroupRecordValue(Type.TargetAssignmentMember, { topicPartitions: topicPartitions(m.assignment) }));
    put(set, keyOf(Type.CurrentMemberAssignment, id, m.memberId), encodeShareGroupRecordValue(Type.CurrentMemberAssignment, {
      memberEpoch: m.memberEpoch,
      previousMemberEpoch: m.previousMemberEpoch,
      state: SHARE_MEMBER_STABLE,
      assignedPartitions: topicPartitions(m.current),
    }));
  }
  put(set, keyOf(Type.Metadata, id), encodeShareGroupRecordValue(Type.Metadata, { epoch: group.groupEpoch, metadataHash: group.metadataHash }));
  put(set, keyOf(Type.TargetAssignmentMetadata, id), encodeShareGroupRecordValue(Type.TargetAssignmentMetadata, { assignmentEpoch: group.assignmentEpoch }));
  const state = group.statePartitions;
  if (state) {
    put(set, keyOf(Type.StatePartitionMetadata, id), encodeShareGroupRecordValue(Type.StatePartitionMetadata, {
      initializingTopics: stateTopics(state.initializing),
      initializedTopics: stateTopics(state.initialized),
      deletingTopics: [...state.deleting].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([topicId, topicName]) => ({ topicId, topicName })),
    }));
  }
  return set;
}

export interface LoadedShareGroup {
  group: ShareGroup;
  /** The records it was built from that this broker writes, as the coordinator's record of what is written. */
  written: RecordSet;
  /** Records whose value could not be read, left out as a torn write would be. */
  malformed: number;
}

/**
 * Rebuilds a group from its live records. A member exists by its MemberMetadata record (Kafka never
 * writes its other records without it); its session runs from `nowMs`. Kafka 4.0's
 * ShareGroupPartitionMetadata records are left as they are.
 */
export function shareGroupFromRecords(groupId: string, records: ShareGroupRecords, nowMs: number, sessionTimeoutMs: number): LoadedShareGroup {
  const group: ShareGroup = { groupId, groupEpoch: 0, assignmentEpoch: 0, members: new Map(), metadataHash: 0, statePartitions: undefined };
  const written: RecordSet = new Map();
  const later: Array<{ memberId: string; apply: (m: ShareMember) => void }> = [];
  let malformed = 0;
  for (const [hex, { key, value }] of records) {
    try {
      switch (key.recordType) {
        case Type.Metadata: {
          const v = decodeShareGroupRecordValue(key.recordType, value);
          group.groupEpoch = v.epoch;
          group.metadataHash = v.metadataHash;
          break;
        }
        case Type.TargetAssignmentMetadata:
          group.assignmentEpoch = decodeShareGroupRecordValue(key.recordType, value).assignmentEpoch;
          break;
        case Type.MemberMetadata: {
          const v = decodeShareGroupRecordValue(key.recordType, value);
          group.members.set(key.memberId, {
            memberId: key.memberId,
            memberEpoch: 0,
            previousMemberEpoch: 0,
            rackId: v.rackId,
            clientId: v.clientId,
            clientHost: v.clientHost,
            subscribedTopicNames: [...v.subscribedTopicNames],
            assignment: new Map(),
            current: new Map(),
            sessionDeadline: nowMs + sessionTimeoutMs,
          });
          break;
        }
        case Type.TargetAssignmentMember: {
          const target = assignmentOf(decodeShareGroupRecordValue(key.recordType, value).topicPartitions);
          later.push({ memberId: key.memberId, apply: (m) => (m.assignment = target) });
          break;
        }
        case Type.CurrentMemberAssignment: {
          const v = decodeShareGroupRecordValue(key.recordType, value);
          later.push({
            memberId: key.memberId,
            apply: (m) => {
              m.memberEpoch = v.memberEpoch;
              m.previousMemberEpoch = v.previousMemberEpoch;
              m.current = assignmentOf(v.assignedPartitions);
            },
          });
          break;
        }
        case Type.StatePartitionMetadata: {
          const v = decodeShareGroupRecordValue(key.recordType, value);
          group.statePartitions = {
            initializing: stateTopicsOf(v.initializingTopics),
            initialized: stateTopicsOf(v.initializedTopics),
            deleting: new Map(v.deletingTopics.map((t) => [t.topicId, t.topicName])),
          };
          break;
        }
        default:
          // Not written by this broker: kept in the log, never rewritten or tombstoned from here.
          continue;
      }
      written.set(hex, { key: encodeShareGroupRecordKey(key), value });
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      malformed++;
    }
  }
  // Assignments apply once every member is in, whatever order the records came in.
  for (const { memberId, apply } of later) {
    const m = group.members.get(memberId);
    if (m) apply(m);
  }
  return { group, written, malformed };
}
