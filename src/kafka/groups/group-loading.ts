// A group as __consumer_offsets remembers it: its last metadata record (members with their chosen
// protocol's metadata and assignment) and its offsets. A group with members comes back Stable, one
// without comes back Empty (Kafka: GroupMetadataManager.readGroupMessageValue and loadGroup).
import type { OffsetCommitValue } from '../../../protocol/kafka/consumer-offsets/offset-commit.js';
import { ClassicGroup } from './group.js';
import { GroupMember } from './member.js';
import type { OffsetAndMetadata } from './group-offsets.js';
import type { ReplayedGroup } from './replay.js';

function offsetOf(v: OffsetCommitValue): OffsetAndMetadata {
  return { offset: v.offset, leaderEpoch: v.leaderEpoch, metadata: v.metadata, commitTimestampMs: v.commitTimestamp, expireTimestampMs: v.expireTimestamp };
}

export function groupFromReplay<T>(replayed: ReplayedGroup, nowMs: number): ClassicGroup<T> {
  const group = new ClassicGroup<T>(replayed.groupId, nowMs);
  const meta = replayed.metadata;
  if (meta !== null) {
    group.generationId = meta.generation;
    group.protocolType = meta.protocolType === '' ? null : meta.protocolType;
    group.protocolName = meta.protocol;
    // Members can only be kept under the protocol they were assigned with; a record without one
    // (which Kafka never writes for a group with members) is read as an empty group.
    const protocol = meta.protocol;
    for (const m of protocol === null ? [] : meta.members) {
      group.add(
        new GroupMember<T>({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          rebalanceTimeoutMs: m.rebalanceTimeout,
          sessionTimeoutMs: m.sessionTimeout,
          protocolType: meta.protocolType,
          protocols: [{ name: protocol!, metadata: m.subscription }],
          assignment: m.assignment,
        }),
      );
    }
    if (meta.leader !== null && group.members.has(meta.leader)) group.leaderId = meta.leader;
    group.restoreState(group.size > 0 ? 'Stable' : 'Empty', meta.currentStateTimestamp);
    group.subscribedTopics = group.computeSubscribedTopics();
  }
  for (const [topic, partitions] of replayed.offsets) {
    for (const [partition, v] of partitions) group.offsets.load(topic, partition, offsetOf(v));
  }
  for (const [producerId, topics] of replayed.pendingTxnOffsets) {
    for (const [topic, partitions] of topics) {
      for (const [partition, v] of partitions) group.offsets.addPendingTxn(producerId, topic, partition, offsetOf(v));
    }
  }
  return group;
}
