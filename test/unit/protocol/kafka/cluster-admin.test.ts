// ElectLeaders (43) and DescribeCluster (60) in golden bytes written by hand from Kafka 3.9's message
// JSON, DescribeLogDirs (35) and DescribeTopicPartitions (75) from Kafka 4.x's, oldest and newest versions.
// None of the captured clients sends them (the Java Admin does; @platformatic/kafka's admin sends
// DescribeLogDirs v4 in compat/kafka/platformatic.test.ts).
import { describe, expect, test } from 'vitest';
import { encodeMessage, decodeMessage, ZERO_UUID, type MessageSpec } from '../../../../protocol/kafka/index.js';
import { DescribeLogDirsRequestSpec, DescribeLogDirsResponseSpec } from '../../../../protocol/kafka/messages/35-describe-log-dirs.js';
import {
  DescribeTopicPartitionsRequestSpec,
  DescribeTopicPartitionsResponseSpec,
} from '../../../../protocol/kafka/messages/75-describe-topic-partitions.js';
import { DescribeClusterRequestSpec, DescribeClusterResponseSpec } from '../../../../protocol/kafka/messages/60-describe-cluster.js';
import { ElectLeadersRequestSpec, ElectLeadersResponseSpec } from '../../../../protocol/kafka/messages/43-elect-leaders.js';

const str = (s: string) => Buffer.from(s).toString('hex');
const s16 = (s: string) => s.length.toString(16).padStart(4, '0') + str(s);
const sc = (s: string) => (s.length + 1).toString(16).padStart(2, '0') + str(s);
const int16 = (n: number) => (n & 0xffff).toString(16).padStart(4, '0');
const int32 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
const int64 = (n: number) => BigInt.asUintN(64, BigInt(n)).toString(16).padStart(16, '0');
const TAGS = '00';

function expectGolden(spec: MessageSpec, version: number, value: object, golden: string): void {
  expect(Buffer.concat(encodeMessage(spec, version, value as never)).toString('hex')).toBe(golden);
  const decoded = decodeMessage(spec, version, Buffer.from(golden, 'hex'));
  expect(Buffer.concat(encodeMessage(spec, version, decoded as never)).toString('hex')).toBe(golden);
}

describe('ElectLeaders', () => {
  test('request v0: named partitions, and null for all', () => {
    expectGolden(ElectLeadersRequestSpec, 0, { topicPartitions: [{ topic: 't', partitions: [0, 2] }], timeoutMs: 1000 },
      int32(1) + s16('t') + int32(2) + int32(0) + int32(2) + int32(1000));
    expectGolden(ElectLeadersRequestSpec, 0, { topicPartitions: null, timeoutMs: 1000 }, int32(-1) + int32(1000));
  });

  test('request v2: the election type first, compact and tagged', () => {
    expectGolden(ElectLeadersRequestSpec, 2, { electionType: 1, topicPartitions: [{ topic: 't', partitions: [3] }], timeoutMs: 500 },
      '01' + '02' + sc('t') + '02' + int32(3) + TAGS + int32(500) + TAGS);
    expectGolden(ElectLeadersRequestSpec, 2, { electionType: 0, topicPartitions: null, timeoutMs: 500 }, '00' + '00' + int32(500) + TAGS);
  });

  test('response v0 and v2: per partition error and message', () => {
    const results = [{ topic: 't', partitionResult: [{ partitionId: 1, errorCode: 84, errorMessage: null }] }];
    expectGolden(ElectLeadersResponseSpec, 0, { throttleTimeMs: 0, replicaElectionResults: results },
      int32(0) + int32(1) + s16('t') + int32(1) + int32(1) + int16(84) + int16(-1));
    expectGolden(ElectLeadersResponseSpec, 2, { throttleTimeMs: 0, errorCode: 0, replicaElectionResults: [{ topic: 't', partitionResult: [{ partitionId: 1, errorCode: 80, errorMessage: 'x' }] }] },
      int32(0) + int16(0) + '02' + sc('t') + '02' + int32(1) + int16(80) + sc('x') + TAGS + TAGS + TAGS);
  });
});

describe('DescribeCluster', () => {
  test('request v0 and v1', () => {
    expectGolden(DescribeClusterRequestSpec, 0, { includeClusterAuthorizedOperations: true }, '01' + TAGS);
    expectGolden(DescribeClusterRequestSpec, 1, { includeClusterAuthorizedOperations: false, endpointType: 1 }, '00' + '01' + TAGS);
  });

  test('response v0 and v1: brokers with racks, the controller, the endpoint type from v1', () => {
    const brokers = [{ brokerId: 2, host: 'h', port: 9092, rack: 'r' }, { brokerId: 3, host: 'h', port: 9093, rack: null }];
    const body = (endpointType: string) =>
      int32(0) + int16(0) + '00' + endpointType + sc('c') + int32(2) +
      '03' + int32(2) + sc('h') + int32(9092) + sc('r') + TAGS + int32(3) + sc('h') + int32(9093) + '00' + TAGS +
      int32(-2147483648) + TAGS;
    expectGolden(DescribeClusterResponseSpec, 0, { throttleTimeMs: 0, errorCode: 0, errorMessage: null, clusterId: 'c', controllerId: 2, brokers }, body(''));
    expectGolden(DescribeClusterResponseSpec, 1, { throttleTimeMs: 0, errorCode: 0, errorMessage: null, endpointType: 1, clusterId: 'c', controllerId: 2, brokers }, body('01'));
  });
});

const TOPIC_ID = '1b2c3d4e5f6041728394a5b6c7d8e9f0';

describe('DescribeLogDirs', () => {
  test('request v0 and v4: named partitions, and null for all', () => {
    expectGolden(DescribeLogDirsRequestSpec, 0, { topics: [{ topic: 't', partitions: [0, 2] }] }, int32(1) + s16('t') + int32(2) + int32(0) + int32(2));
    expectGolden(DescribeLogDirsRequestSpec, 0, { topics: null }, int32(-1));
    expectGolden(DescribeLogDirsRequestSpec, 4, { topics: [{ topic: 't', partitions: [1] }] }, '02' + sc('t') + '02' + int32(1) + TAGS + TAGS);
    expectGolden(DescribeLogDirsRequestSpec, 4, { topics: null }, '00' + TAGS);
  });

  test('response v0, v3 (top-level error) and v4 (the volume\'s total and usable bytes)', () => {
    const partition = { partitionIndex: 1, partitionSize: 5529, offsetLag: 0, isFutureKey: false };
    const result = { errorCode: 0, logDir: '/d', topics: [{ name: 't', partitions: [partition] }], totalBytes: 2 ** 40, usableBytes: 2 ** 33 };
    const p0 = int32(1) + int64(5529) + int64(0) + '00';
    expectGolden(DescribeLogDirsResponseSpec, 0, { throttleTimeMs: 0, results: [result] },
      int32(0) + int32(1) + int16(0) + s16('/d') + int32(1) + s16('t') + int32(1) + p0);
    const flexible = (extra: string) => '02' + int16(0) + sc('/d') + '02' + sc('t') + '02' + p0 + TAGS + TAGS + extra + TAGS;
    expectGolden(DescribeLogDirsResponseSpec, 3, { throttleTimeMs: 0, errorCode: 31, results: [result] }, int32(0) + int16(31) + flexible('') + TAGS);
    expectGolden(DescribeLogDirsResponseSpec, 4, { throttleTimeMs: 0, errorCode: 0, results: [result] },
      int32(0) + int16(0) + flexible(int64(2 ** 40) + int64(2 ** 33)) + TAGS);
  });
});

describe('DescribeTopicPartitions', () => {
  test('request v0: topics, the partition limit and a cursor, or none', () => {
    expectGolden(DescribeTopicPartitionsRequestSpec, 0, { topics: [{ name: 't' }], responsePartitionLimit: 2, cursor: { topicName: 't', partitionIndex: 1 } },
      '02' + sc('t') + TAGS + int32(2) + '01' + sc('t') + int32(1) + TAGS + TAGS);
    expectGolden(DescribeTopicPartitionsRequestSpec, 0, { topics: [], responsePartitionLimit: 2000, cursor: null }, '01' + int32(2000) + 'ff' + TAGS);
  });

  test('response v0: a described topic with empty ELR lists, an unknown one, and the next cursor', () => {
    const described = {
      errorCode: 0,
      name: 't',
      topicId: TOPIC_ID,
      isInternal: false,
      partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 3, replicaNodes: [1, 2], isrNodes: [1], eligibleLeaderReplicas: [], lastKnownELR: [], offlineReplicas: [2] }],
      topicAuthorizedOperations: 3576,
    };
    const unknown = { errorCode: 3, name: 'u', topicId: ZERO_UUID, isInternal: false, partitions: [], topicAuthorizedOperations: -2147483648 };
    expectGolden(DescribeTopicPartitionsResponseSpec, 0, { throttleTimeMs: 0, topics: [described, unknown], nextCursor: { topicName: 'v', partitionIndex: 0 } },
      int32(0) + '03' +
      int16(0) + sc('t') + TOPIC_ID + '00' +
      '02' + int16(0) + int32(0) + int32(1) + int32(3) + '03' + int32(1) + int32(2) + '02' + int32(1) + '01' + '01' + '02' + int32(2) + TAGS +
      int32(3576) + TAGS +
      int16(3) + sc('u') + '00'.repeat(16) + '00' + '01' + int32(-2147483648) + TAGS +
      '01' + sc('v') + int32(0) + TAGS + TAGS);
    expectGolden(DescribeTopicPartitionsResponseSpec, 0, { throttleTimeMs: 0, topics: [], nextCursor: null }, int32(0) + '01' + 'ff' + TAGS);
  });
});
