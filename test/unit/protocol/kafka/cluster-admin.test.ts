// ElectLeaders (43) and DescribeCluster (60) in golden bytes written by hand from Kafka 3.9's message
// JSON, oldest and newest versions. None of the captured clients sends them (the Java Admin does).
import { describe, expect, test } from 'vitest';
import { encodeMessage, decodeMessage, type MessageSpec } from '../../../../protocol/kafka/index.js';
import { DescribeClusterRequestSpec, DescribeClusterResponseSpec } from '../../../../protocol/kafka/messages/60-describe-cluster.js';
import { ElectLeadersRequestSpec, ElectLeadersResponseSpec } from '../../../../protocol/kafka/messages/43-elect-leaders.js';

const str = (s: string) => Buffer.from(s).toString('hex');
const s16 = (s: string) => s.length.toString(16).padStart(4, '0') + str(s);
const sc = (s: string) => (s.length + 1).toString(16).padStart(2, '0') + str(s);
const int16 = (n: number) => (n & 0xffff).toString(16).padStart(4, '0');
const int32 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
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
