// The internal topic __consumer_offsets: how it is created on first need, as Kafka's auto topic creation
// makes it when the first FindCoordinator for a group arrives.
import { CONSUMER_OFFSETS_TOPIC } from '../../../protocol/kafka/consumer-offsets/group-partition.js';
import type { BrokerConfigValues } from '../broker-config.js';
import type { TopicRecord } from '../metadata/topic-store.js';
import type { NewTopic } from '../topics/topic-manager.js';

/** Where __consumer_offsets is looked up and created. */
export interface ConsumerOffsetsTopics {
  get(name: string): TopicRecord | undefined;
  /** Creates a topic durably and opens its partitions. */
  create(t: NewTopic): Promise<TopicRecord>;
}

/**
 * Creates __consumer_offsets with offsets.topic.num.partitions partitions and a replication factor of
 * offsets.topic.replication.factor, capped by the live brokers as Kafka caps it, and Kafka's overrides:
 * compacted (the log cleaner keeps each group's and each partition's latest record and drops
 * tombstones in time, and retention never deletes a commit still in force) with the offsets segment
 * size. Settles once the topic is durable and its partition logs are open.
 */
export function createConsumerOffsetsTopic(topics: ConsumerOffsetsTopics, values: BrokerConfigValues, liveBrokers: number): Promise<TopicRecord> {
  return topics.create({
    name: CONSUMER_OFFSETS_TOPIC,
    numPartitions: values['offsets.topic.num.partitions'],
    replicationFactor: Math.min(values['offsets.topic.replication.factor'], liveBrokers),
    configs: { 'cleanup.policy': 'compact', 'segment.bytes': String(values['offsets.topic.segment.bytes']) },
  });
}
