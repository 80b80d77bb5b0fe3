import { describe, expect, test } from 'vitest';
import { brokerConfigFromText } from '../../../src/kafka/broker-config.js';
import { consumerGroupConfigFrom, DEFAULT_GROUP_COORDINATOR_CONFIG, groupCoordinatorConfigFrom } from '../../../src/kafka/groups/config.js';
import { DEFAULT_CONSUMER_GROUP_CONFIG } from '../../../src/kafka/groups/consumer/coordinator.js';

describe('group coordinator config', () => {
  test("Kafka's defaults when server.properties says nothing", () => {
    expect(groupCoordinatorConfigFrom(brokerConfigFromText('').values)).toEqual(DEFAULT_GROUP_COORDINATOR_CONFIG);
  });

  test('the group.* and offsets.* keys of server.properties', () => {
    const text = [
      'group.min.session.timeout.ms=1000',
      'group.max.session.timeout.ms=60000',
      'group.initial.rebalance.delay.ms=0',
      'group.max.size=10',
      'offsets.retention.minutes=60',
      'offsets.retention.check.interval.ms=5000',
      'offsets.topic.num.partitions=3',
    ].join('\n');
    expect(groupCoordinatorConfigFrom(brokerConfigFromText(text).values)).toEqual({
      ...DEFAULT_GROUP_COORDINATOR_CONFIG,
      groupMinSessionTimeoutMs: 1000,
      groupMaxSessionTimeoutMs: 60_000,
      groupInitialRebalanceDelayMs: 0,
      groupMaxSize: 10,
      offsetsRetentionMs: 3_600_000,
      offsetsRetentionCheckIntervalMs: 5000,
      offsetsTopicNumPartitions: 3,
    });
  });

  test('group.consumer.migration.policy: bidirectional by default (Kafka 4.0), the classic limits its classic members keep', () => {
    expect(consumerGroupConfigFrom(brokerConfigFromText('').values)).toEqual(DEFAULT_CONSUMER_GROUP_CONFIG);
    const text = ['group.consumer.migration.policy=UPGRADE', 'group.max.size=7', 'group.min.session.timeout.ms=1000'].join('\n');
    expect(consumerGroupConfigFrom(brokerConfigFromText(text).values)).toMatchObject({ migrationPolicy: 'upgrade', classic: { maxSize: 7, minSessionTimeoutMs: 1000, maxSessionTimeoutMs: 1_800_000 } });
    expect(() => brokerConfigFromText('group.consumer.migration.policy=sideways')).toThrow(/group.consumer.migration.policy/);
  });
});
