// A consumer group as __consumer_offsets records, and back (Kafka: GroupCoordinatorRecordHelpers and
// GroupMetadataManager.replay). The coordinator keeps what it last wrote per record key and writes only
// the records whose bytes changed, and tombstones for those that no longer describe anything; a
// coordinator that loads the records rebuilds the same group, with sessions (never persisted) running
// from the load.
import { DecodeError } from '../../../../protocol/bytes.js';
import {
  ConsumerGroupRecordType as Type,
  MemberStateByte,
  decodeConsumerGroupRecordValue,
  encodeConsumerGroupRecordKey,
  encodeConsumerGroupRecordValue,
  type ConsumerGroupRecordTypeId,
} from '../../../../protocol/kafka/consumer-offsets/consumer-group.js';
import type { ConsumerOffsetsRecord } from '../api.js';
import type { ConsumerGroupRecords } from '../replay.js';
import { parsePartitionKey, partitionKey, type PartitionKey } from './assignors.js';
import { compileRegex, newMember, type ConsumerGroup, type Member, type MemberState } from './group-state.js';

/** Record bytes by the hex of their key: what describes a group, or what was last written for it. */
export type RecordSet = Map<string, ConsumerOffsetsRecord & { value: Buffer }>;

const GROUP_RECORD_TYPES = [Type.Metadata, Type.PartitionMetadata, Type.TargetAssignmentMetadata] as const;
const MEMBER_RECORD_TYPES = [Type.MemberMetadata, Type.TargetAssignmentMember, Type.CurrentMemberAssignment] as const;

const STATE_OF_BYTE = new Map<number, MemberState>(Object.entries(MemberStateByte).map(([state, byte]) => [byte, state as MemberState]));

function keyOf(recordType: ConsumerGroupRecordTypeId, group: string, memberId = ''): Buffer {
  return encodeConsumerGroupRecordKey({ recordType, group, memberId });
}

/** The hex keys of the records that may describe a member. */
export function memberRecordKeys(groupId: string, memberId: string): string[] {
  return MEMBER_RECORD_TYPES.map((t) => keyOf(t, groupId, memberId).toString('hex'));
}

/** The hex keys of the group-wide records. */
export function groupRecordKeys(groupId: string): string[] {
  return GROUP_RECORD_TYPES.map((t) => keyOf(t, groupId).toString('hex'));
}

/** Kafka's TopicPartitions arrays: one entry per topic, partitions ascending. */
function topicPartitions(keys: Iterable<PartitionKey>): Array<{ topicId: string; partitions: number[] }> {
  const byTopic = new Map<string, number[]>();
  for (const key of keys) {
    const { topicId, partition } = parsePartitionKey(key);
    byTopic.set(topicId, [...(byTopic.get(topicId) ?? []), partition]);
  }
  return [...byTopic].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([topicId, partitions]) => ({ topicId, partitions: partitions.sort((x, y) => x - y) }));
}

function partitionKeys(list: ReadonlyArray<{ topicId: string; partitions: readonly number[] }>): Set<PartitionKey> {
  return new Set(list.flatMap((t) => t.partitions.map((p) => partitionKey(t.topicId, p))));
}

function put(set: RecordSet, key: Buffer, value: Buffer): void {
  set.set(key.toString('hex'), { key, value });
}

/**
 * The records describing the group: the group-wide ones and those of `memberIds` (every member when
 * absent) that are still in it.
 */
export function groupRecords(group: ConsumerGroup, memberIds?: Iterable<string>): RecordSet {
  const set: RecordSet = new Map();
  const id = group.groupId;
  for (const memberId of memberIds ?? group.members.keys()) {
    const m = group.members.get(memberId);
    if (!m) continue;
    put(
      set,
      keyOf(Type.MemberMetadata, id, memberId),
      encodeConsumerGroupRecordValue(Type.MemberMetadata, {
        instanceId: m.instanceId,
        rackId: m.rackId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        subscribedTopicNames: m.subscribedTopicNames,
        subscribedTopicRegex: m.regexSource,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        serverAssignor: m.serverAssignor,
        classicMemberMetadata: m.classic && {
          sessionTimeoutMs: m.classic.sessionTimeoutMs,
          supportedProtocols: m.classic.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
        },
      }),
    );
    const target = group.target.get(memberId);
    if (target) {
      put(set, keyOf(Type.TargetAssignmentMember, id, memberId), encodeConsumerGroupRecordValue(Type.TargetAssignmentMember, { topicPartitions: topicPartitions(target) }));
    }
    put(
      set,
      keyOf(Type.CurrentMemberAssignment, id, memberId),
      encodeConsumerGroupRecordValue(Type.CurrentMemberAssignment, {
        memberEpoch: m.memberEpoch,
        previousMemberEpoch: m.previousMemberEpoch,
        state: MemberStateByte[m.state],
        assignedPartitions: topicPartitions(m.assigned),
        partitionsPendingRevocation: topicPartitions(m.revoking),
      }),
    );
  }
  const topics = [...group.subscribedTopics.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  put(
    set,
    keyOf(Type.PartitionMetadata, id),
    encodeConsumerGroupRecordValue(Type.PartitionMetadata, {
      topics: topics.map((t) => ({ topicId: t.id, topicName: t.name, numPartitions: t.partitions, partitionMetadata: [] })),
    }),
  );
  put(set, keyOf(Type.Metadata, id), encodeConsumerGroupRecordValue(Type.Metadata, { epoch: group.groupEpoch }));
  put(set, keyOf(Type.TargetAssignmentMetadata, id), encodeConsumerGroupRecordValue(Type.TargetAssignmentMetadata, { assignmentEpoch: group.assignmentEpoch }));
  return set;
}

/**
 * What to append to bring the log from `written` to `wanted` over the keys in `scope`: the records
 * whose bytes changed, then tombstones for keys no longer described. `written` is updated to match.
 */
export function recordChanges(written: RecordSet, wanted: RecordSet, scope: Iterable<string>): ConsumerOffsetsRecord[] {
  const writes: ConsumerOffsetsRecord[] = [];
  const tombstones: ConsumerOffsetsRecord[] = [];
  for (const hex of new Set(scope)) {
    const now = wanted.get(hex);
    const before = written.get(hex);
    if (now) {
      if (before && before.value.equals(now.value)) continue;
      written.set(hex, now);
      writes.push(now);
    } else if (before) {
      written.delete(hex);
      tombstones.push({ key: before.key, value: null });
    }
  }
  return [...writes, ...tombstones];
}

/**
 * recordChanges for one group of a coordinator's record of what is written, by group id; the group's
 * entry goes once nothing of it is written. `scope` defaults to every key written or wanted.
 */
export function groupRecordChanges(written: Map<string, RecordSet>, groupId: string, wanted: RecordSet, scope?: Iterable<string>): ConsumerOffsetsRecord[] {
  const set = written.get(groupId) ?? new Map();
  const records = recordChanges(set, wanted, scope ?? [...set.keys(), ...wanted.keys()]);
  if (set.size === 0) written.delete(groupId);
  else written.set(groupId, set);
  return records;
}

/** Drops the groups `belongsHere` rejects from each of a coordinator's maps (or sets) keyed by group id. */
export function forgetGroups(belongsHere: (groupId: string) => boolean, byGroup: ReadonlyArray<Map<string, unknown> | Set<string>>): void {
  for (const groups of byGroup) for (const groupId of [...groups.keys()]) if (!belongsHere(groupId)) groups.delete(groupId);
}

export interface LoadedConsumerGroup {
  group: ConsumerGroup;
  /** The records it was built from, as the coordinator's record of what is written. */
  written: RecordSet;
  /** Records whose value could not be read, left out as a torn write would be. */
  malformed: number;
}

/**
 * Rebuilds a group from its live records. A member exists by its MemberMetadata record (Kafka creates
 * it on any of its records, but never writes the others without it); its session, and its revocation
 * deadline while it revokes, run from `nowMs`.
 */
export function groupFromRecords(groupId: string, records: ConsumerGroupRecords, nowMs: number, sessionTimeoutMs: number): LoadedConsumerGroup {
  const group: ConsumerGroup = { groupId, groupEpoch: 0, assignmentEpoch: 0, members: new Map(), target: new Map(), subscribedTopics: new Map() };
  const written: RecordSet = new Map();
  const perMember: Array<{ memberId: string; apply: (m: Member) => void }> = [];
  let malformed = 0;
  for (const [hex, { key, value }] of records) {
    try {
      const keyBytes = encodeConsumerGroupRecordKey(key);
      switch (key.recordType) {
        case Type.Metadata:
          group.groupEpoch = decodeConsumerGroupRecordValue(key.recordType, value).epoch;
          break;
        case Type.TargetAssignmentMetadata:
          group.assignmentEpoch = decodeConsumerGroupRecordValue(key.recordType, value).assignmentEpoch;
          break;
        case Type.PartitionMetadata:
          for (const t of decodeConsumerGroupRecordValue(key.recordType, value).topics) {
            group.subscribedTopics.set(t.topicId, { id: t.topicId, name: t.topicName, partitions: t.numPartitions });
          }
          break;
        case Type.MemberMetadata: {
          const v = decodeConsumerGroupRecordValue(key.recordType, value);
          const m = newMember(key.memberId, nowMs + (v.classicMemberMetadata?.sessionTimeoutMs ?? sessionTimeoutMs), {
            instanceId: v.instanceId,
            rackId: v.rackId,
            clientId: v.clientId,
            clientHost: v.clientHost,
            subscribedTopicNames: v.subscribedTopicNames,
            regexSource: v.subscribedTopicRegex,
            subscribedTopicRegex: v.subscribedTopicRegex === null ? null : compileRegex(v.subscribedTopicRegex),
            rebalanceTimeoutMs: v.rebalanceTimeoutMs,
            serverAssignor: v.serverAssignor,
            classic: v.classicMemberMetadata && {
              sessionTimeoutMs: v.classicMemberMetadata.sessionTimeoutMs,
              protocols: v.classicMemberMetadata.supportedProtocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
            },
          });
          group.members.set(key.memberId, m);
          break;
        }
        case Type.TargetAssignmentMember: {
          const target = partitionKeys(decodeConsumerGroupRecordValue(key.recordType, value).topicPartitions);
          group.target.set(key.memberId, target);
          break;
        }
        case Type.CurrentMemberAssignment: {
          const v = decodeConsumerGroupRecordValue(key.recordType, value);
          const state = STATE_OF_BYTE.get(v.state);
          if (state === undefined) throw new DecodeError(`unknown member state ${v.state}`);
          perMember.push({
            memberId: key.memberId,
            apply: (m) => {
              m.memberEpoch = v.memberEpoch;
              m.previousMemberEpoch = v.previousMemberEpoch;
              m.state = state;
              m.assigned = partitionKeys(v.assignedPartitions);
              m.revoking = partitionKeys(v.partitionsPendingRevocation);
              m.revocationDeadline = state === 'unrevoked' ? nowMs + m.rebalanceTimeoutMs : undefined;
            },
          });
          break;
        }
      }
      written.set(hex, { key: keyBytes, value });
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      malformed++;
    }
  }
  // Assignments apply once every subscription is in, whatever order the records came in.
  for (const { memberId, apply } of perMember) {
    const m = group.members.get(memberId);
    if (m) apply(m);
  }
  return { group, written, malformed };
}
