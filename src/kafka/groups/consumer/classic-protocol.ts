// The "consumer" embedded protocol seen from a consumer group: classic members subscribe and report what
// they own by topic name in their JoinGroup metadata and are handed their partitions by name in
// SyncGroup, while the consumer group knows partitions by topic id.
import {
  CONSUMER_PROTOCOL_MAX_VERSION,
  decodeConsumerAssignment,
  encodeConsumerAssignment,
  type TopicPartitions,
} from '../../../../protocol/kafka/consumer-offsets/consumer-protocol.js';
import { parsePartitionKey, partitionKey, type PartitionKey } from './assignors.js';

type Topics = ReadonlyMap<string, { id: string; partitions: number }>;

/** Partitions named by topic as keys; topics that do not exist (any more) and bad partitions are left out. */
export function keysOfNamed(list: readonly TopicPartitions[], topics: Topics): Set<PartitionKey> {
  const keys = new Set<PartitionKey>();
  for (const { topic, partitions } of list) {
    const t = topics.get(topic);
    if (!t) continue;
    for (const p of partitions) if (p >= 0 && p < t.partitions) keys.add(partitionKey(t.id, p));
  }
  return keys;
}

/** Partition keys back to topic names, ascending, for the embedded protocol. */
export function namedPartitions(keys: Iterable<PartitionKey>, topics: Topics): TopicPartitions[] {
  const names = new Map([...topics].map(([name, t]) => [t.id, name]));
  const byTopic = new Map<string, number[]>();
  for (const key of keys) {
    const { topicId, partition } = parsePartitionKey(key);
    const name = names.get(topicId);
    if (name !== undefined) byTopic.set(name, [...(byTopic.get(name) ?? []), partition]);
  }
  return [...byTopic].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([topic, partitions]) => ({ topic, partitions: partitions.sort((x, y) => x - y) }));
}

/**
 * A classic member's assignment bytes, in the version of the subscription it sent (Kafka:
 * prepareAssignment): a client reads the assignment version it knows.
 */
export function encodeClassicAssignment(keys: Iterable<PartitionKey>, topics: Topics, subscription: Buffer): Buffer {
  const version = subscription.length >= 2 ? Math.min(Math.max(subscription.readInt16BE(0), 0), CONSUMER_PROTOCOL_MAX_VERSION) : 0;
  return encodeConsumerAssignment({ version, assignedPartitions: namedPartitions(keys, topics) });
}

/** The partitions a classic member was assigned (empty bytes: none yet); throws DecodeError on malformed bytes. */
export function decodeClassicAssignment(assignment: Buffer, topics: Topics): Set<PartitionKey> {
  if (assignment.length === 0) return new Set();
  return keysOfNamed(decodeConsumerAssignment(assignment).assignedPartitions, topics);
}
