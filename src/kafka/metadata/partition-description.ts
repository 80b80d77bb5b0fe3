// A topic's partitions as clients are told of them, shared by Metadata and DescribeTopicPartitions so
// the two never disagree: leader, epoch, replicas, ISR and offline replicas from the metadata view, and
// no leader (-1) where the partition is still being created or its leader is not alive.
import type { MetadataView } from './metadata-view.js';
import type { TopicRecord } from './topic-store.js';

export interface PartitionDescription {
  partitionIndex: number;
  /** Whether the partition has a live leader; leaderId is -1 when not. */
  led: boolean;
  leaderId: number;
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas: number[];
}

/** Partitions `from` (inclusive) to `to` (exclusive) of `topic`, by default all of them. */
export function describePartitions(metadata: MetadataView, topic: TopicRecord, from = 0, to = topic.replicas.length): PartitionDescription[] {
  const live = new Set(metadata.liveBrokers().map((b) => b.nodeId));
  return topic.replicas.slice(from, to).map((replicas, i) => {
    const partitionIndex = from + i;
    const p = metadata.partition(topic.name, partitionIndex);
    const led = p !== undefined && live.has(p.leader);
    return {
      partitionIndex,
      led,
      leaderId: led ? p.leader : -1,
      leaderEpoch: p?.leaderEpoch ?? -1,
      replicaNodes: p?.replicas ?? replicas,
      isrNodes: p?.isr ?? [],
      offlineReplicas: p?.offlineReplicas ?? [],
    };
  });
}
