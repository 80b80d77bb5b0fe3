// The __consumer_offsets records the coordinator writes, built from its in-memory state.
import { encodeGroupMetadataKey, encodeGroupMetadataValue } from '../../../protocol/kafka/consumer-offsets/group-metadata.js';
import { encodeOffsetCommitKey, encodeOffsetCommitValue } from '../../../protocol/kafka/consumer-offsets/offset-commit.js';
import type { ConsumerOffsetsRecord } from './api.js';
import type { ClassicGroup } from './group.js';
import type { OffsetAndMetadata, TopicPartition } from './group-offsets.js';

const EMPTY = Buffer.alloc(0);

/** The group as it stands, with each member's assignment taken from `assignment` (empty if absent). */
export function groupMetadataRecord<T>(group: ClassicGroup<T>, assignment: ReadonlyMap<string, Buffer>): ConsumerOffsetsRecord {
  const protocol = group.protocolName;
  return {
    key: encodeGroupMetadataKey(group.groupId),
    value: encodeGroupMetadataValue({
      protocolType: group.protocolType ?? '',
      generation: group.generationId,
      protocol,
      leader: group.leaderId,
      currentStateTimestamp: group.stateTimestampMs,
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs,
        sessionTimeout: m.sessionTimeoutMs,
        subscription: protocol === null ? EMPTY : m.metadataFor(protocol),
        assignment: assignment.get(m.memberId) ?? EMPTY,
      })),
    }),
  };
}

export function groupTombstone(groupId: string): ConsumerOffsetsRecord {
  return { key: encodeGroupMetadataKey(groupId), value: null };
}

export function offsetCommitRecord(groupId: string, tp: TopicPartition, offset: OffsetAndMetadata): ConsumerOffsetsRecord {
  return {
    key: encodeOffsetCommitKey({ group: groupId, topic: tp.topic, partition: tp.partition }),
    value: encodeOffsetCommitValue({
      offset: offset.offset,
      leaderEpoch: offset.leaderEpoch,
      metadata: offset.metadata,
      commitTimestamp: offset.commitTimestampMs,
      expireTimestamp: offset.expireTimestampMs,
    }),
  };
}

export function offsetTombstone(groupId: string, tp: TopicPartition): ConsumerOffsetsRecord {
  return { key: encodeOffsetCommitKey({ group: groupId, topic: tp.topic, partition: tp.partition }), value: null };
}
