// DescribeLogDirs (35) and DescribeTopicPartitions (75) in golden bytes written by hand from Kafka 4.x's
// message JSON, oldest and newest versions. The captured clients predate them; @platformatic/kafka's
// admin sends DescribeLogDirs v4 in compat/kafka/platformatic.test.ts, the Java Admin sends both.
import { describe, expect, test } from 'vitest';
import { decodeMessage, encodeMessage, ZERO_UUID, type MessageSpec } from '../../../../protocol/kafka/index.js';
import { DescribeLogDirsRequestSpec, DescribeLogDirsResponseSpec } from '../../../../protocol/kafka/messages/35-describe-log-dirs.js';
import {
  DescribeTopicPartitionsRequestSpec,
  DescribeTopicPartitionsResponseSpec,
} from '../../../../protocol/kafka/messages/75-describe-topic-partitions.js';

const str = (s: string) => Buffer.from(s).toString('hex');
const s16 = (s: string) => s.length.toString(16).padStart(4, '0') + str(s);
const sc = (s: string) => (s.length + 1).toString(16).padStart(2, '0') + str(s);
const int16 = (n: number) => (n & 0xffff).toString(16).padStart(4, '0');
const int32 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
const int64 = (n: number) => BigInt.asUintN(64, BigInt(n)).toString(16).padStart(16, '0');
const TAGS = '00';
const TOPIC_ID = '1b2c3d4e5f6041728394a5b6c7d8e9f0';

function expectGolden(spec: MessageSpec, version: number, value: object, golden: string): void {
  expect(Buffer.concat(encodeMessage(spec, version, value as never)).toString('hex')).toBe(golden);
  const decoded = decodeMessage(spec, version, Buffer.from(golden, 'hex'));
  expect(Buffer.concat(encodeMessage(spec, version, decoded as never)).toString('hex')).toBe(golden);
}

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
