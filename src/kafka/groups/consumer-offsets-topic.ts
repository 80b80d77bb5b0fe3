// The internal topic __consumer_offsets: how it is created on first need, as Kafka's auto topic creation
// makes it when the first FindCoordinator for a group arrives.
import { CONSUMER_OFFSETS_TOPIC } from '../../../protocol/kafka/consumer-offsets/group-partition.js';
import type { BrokerConfigValues } from '../broker-config.js';
import type { TopicRecord } from '../metadata/topic-store.js';
import type { TopicManager } from '../topics/topic-manager.js';

/**
 * The topic's config overrides. Kafka's are cleanup.policy=compact and the offsets segment size. No
 * log cleaner exists yet, so compaction does not run and the log only grows; retention by time or size
 * is switched off explicitly, since this log ignores cleanup.policy and would otherwise delete the only
 * copy of commits older than retention.ms.
 */
export function consumerOffsetsTopicConfigs(values: BrokerConfigValues): Record<string, string> {
  return {
    'cleanup.policy': 'compact',
    'segment.bytes': String(values['offsets.topic.segment.bytes']),
    'retention.ms': '-1',
    'retention.bytes': '-1',
  };
}

/**
 * Creates __consumer_offsets with offsets.topic.num.partitions partitions and a replication factor of
 * offsets.topic.replication.factor, capped by the live brokers as Kafka caps it. TopicManager refuses
 * cleanup.policy=compact for user topics (no cleaner yet), so the topic is validated without it and the
 * policy is added to the record it returned: the internal path. Settles once the topic is durable and
 * its partition logs are open.
 */
export async function createConsumerOffsetsTopic(topics: TopicManager, values: BrokerConfigValues, liveBrokers: number): Promise<TopicRecord> {
  const { 'cleanup.policy': cleanupPolicy, ...checkable } = consumerOffsetsTopicConfigs(values);
  const record = topics.validateNew({
    name: CONSUMER_OFFSETS_TOPIC,
    numPartitions: values['offsets.topic.num.partitions'],
    replicationFactor: Math.min(values['offsets.topic.replication.factor'], liveBrokers),
    configs: checkable,
  });
  record.configs['cleanup.policy'] = cleanupPolicy!;
  await topics.commitNew(record);
  return record;
}
