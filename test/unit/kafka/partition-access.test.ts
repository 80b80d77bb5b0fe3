// HostedPartitions.leader alone: the order of Kafka's checks before a data-path request touches a log,
// with the topic id a request names (Fetch v13+, Produce v13+) checked against the log's.
import { describe, expect, test } from 'vitest';
import { ErrorCode, ZERO_UUID } from '../../../protocol/kafka/index.js';
import type { BrokerConfig } from '../../../src/kafka/broker-config.js';
import { HostedPartitions } from '../../../src/kafka/fetch/partition-access.js';
import { Partition } from '../../../src/kafka/partitions/partition.js';
import { TopicTraffic } from '../../../src/metrics/topic-traffic.js';
import type { PartitionLog } from '../../../src/log/partition-log.js';

const ID = '11111111111111111111111111111111';
const OTHER = '22222222222222222222222222222222';

function hosted(partition: Partition | undefined, inCluster = false): HostedPartitions {
  return new HostedPartitions(
    { partition: (topic, index) => (topic === 't' && index === 0 ? partition : undefined) },
    { brokerId: 1 } as BrokerConfig,
    { get: () => undefined },
    { partition: () => (inCluster ? {} : undefined) },
    new TopicTraffic(),
  );
}

function leading(topicId: string | undefined, leaderEpoch = 4): Partition {
  const p = new Partition('t', 0, {} as PartitionLog, [1], [1], 1);
  p.leaderEpoch = leaderEpoch;
  p.topicId = topicId;
  return p;
}

describe('the topic id a request names', () => {
  test('the log id, or none named (the zero id): the partition', () => {
    const p = leading(ID);
    expect(hosted(p).leader('t', 0, -1, ID)).toBe(p);
    expect(hosted(p).leader('t', 0, -1, ZERO_UUID)).toBe(p);
    expect(hosted(p).leader('t', 0)).toBe(p);
  });

  test('another id is another life of the topic: INCONSISTENT_TOPIC_ID, before the epoch and leadership checks', () => {
    expect(hosted(leading(ID)).leader('t', 0, -1, OTHER)).toBe(ErrorCode.INCONSISTENT_TOPIC_ID);
    expect(hosted(leading(ID, 4)).leader('t', 0, 2, OTHER)).toBe(ErrorCode.INCONSISTENT_TOPIC_ID);
  });

  test('a log whose id nobody gave is not checked', () => {
    const p = leading(undefined);
    expect(hosted(p).leader('t', 0, -1, OTHER)).toBe(p);
  });

  test('a partition not hosted is checked as before: NOT_LEADER_OR_FOLLOWER in a cluster that has it, else unknown', () => {
    expect(hosted(undefined, true).leader('t', 0, -1, ID)).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(hosted(undefined).leader('t', 0, -1, ID)).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});
