// The controller-to-broker APIs (LeaderAndIsr 4, StopReplica 5, UpdateMetadata 6, ControlledShutdown 7)
// in golden bytes written by hand from Kafka 3.9's message JSON, oldest and newest versions. No client
// sends them and no handler serves them yet; all-versions.test.ts round-trips every other version.
import { describe, expect, test } from 'vitest';
import {
  ApiKey,
  decodeMessage,
  decodeRequestFrame,
  encodeMessage,
  encodeRequestFrame,
  requestHeaderVersion,
  type MessageSpec,
} from '../../../../protocol/kafka/index.js';
import { ControlledShutdownRequestSpec, ControlledShutdownResponseSpec } from '../../../../protocol/kafka/messages/7-controlled-shutdown.js';
import { LeaderAndIsrRequestSpec, LeaderAndIsrResponseSpec } from '../../../../protocol/kafka/messages/4-leader-and-isr.js';
import { StopReplicaRequestSpec, StopReplicaResponseSpec } from '../../../../protocol/kafka/messages/5-stop-replica.js';
import { UpdateMetadataRequestSpec, UpdateMetadataResponseSpec } from '../../../../protocol/kafka/messages/6-update-metadata.js';

const hex = (chunks: Buffer[]) => Buffer.concat(chunks).toString('hex');
const str = (s: string) => Buffer.from(s).toString('hex');
/** A classic string (int16 length) and a compact one (length + 1 as a varint, short strings only). */
const s16 = (s: string) => s.length.toString(16).padStart(4, '0') + str(s);
const sc = (s: string) => (s.length + 1).toString(16).padStart(2, '0') + str(s);
const int32 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
const int64 = (n: number) => n.toString(16).padStart(16, '0');
const TOPIC_ID = '0123456789abcdef0123456789abcdef';
const TAGS = '00';

/** Encodes `value` to exactly `golden`, and decoding `golden` encodes back to it. */
function expectGolden(spec: MessageSpec, version: number, value: object, golden: string): void {
  expect(hex(encodeMessage(spec, version, value as never))).toBe(golden);
  const decoded = decodeMessage(spec, version, Buffer.from(golden, 'hex'));
  expect(hex(encodeMessage(spec, version, decoded as never))).toBe(golden);
}

describe('LeaderAndIsr', () => {
  const state = { topicName: 't', partitionIndex: 0, controllerEpoch: 2, leader: 1, leaderEpoch: 3, isr: [1], partitionEpoch: 4, replicas: [1] };
  const leader = { brokerId: 1, hostName: 'h', port: 9092 };

  test('request v0: partition states listed with their topic', () => {
    expectGolden(LeaderAndIsrRequestSpec, 0, { controllerId: 1, controllerEpoch: 2, ungroupedPartitionStates: [state], liveLeaders: [leader] },
      int32(1) + int32(2) +
      int32(1) + s16('t') + int32(0) + int32(2) + int32(1) + int32(3) + int32(1) + int32(1) + int32(4) + int32(1) + int32(1) +
      int32(1) + int32(1) + s16('h') + int32(9092));
  });

  test('request v7: by topic with its id, recovery state, a KRaft flag, compact and tagged', () => {
    const value = {
      controllerId: 1,
      isKRaftController: false,
      controllerEpoch: 2,
      brokerEpoch: 5,
      type: 1,
      topicStates: [{ topicName: 't', topicId: TOPIC_ID, partitionStates: [{ ...state, addingReplicas: [], removingReplicas: [], isNew: false, leaderRecoveryState: 0 }] }],
      liveLeaders: [leader],
    };
    const partition = int32(0) + int32(2) + int32(1) + int32(3) + '02' + int32(1) + int32(4) + '02' + int32(1) + '01' + '01' + '00' + '00' + TAGS;
    expectGolden(LeaderAndIsrRequestSpec, 7, value,
      int32(1) + '00' + int32(2) + int64(5) + '01' +
      '02' + sc('t') + TOPIC_ID + '02' + partition + TAGS +
      '02' + int32(1) + sc('h') + int32(9092) + TAGS + TAGS);
  });

  test('response v0 by topic name, v5 by topic id', () => {
    expectGolden(LeaderAndIsrResponseSpec, 0, { errorCode: 0, partitionErrors: [{ topicName: 't', partitionIndex: 0, errorCode: 0 }] },
      '0000' + int32(1) + s16('t') + int32(0) + '0000');
    expectGolden(LeaderAndIsrResponseSpec, 5, { errorCode: 0, topics: [{ topicId: TOPIC_ID, partitionErrors: [{ partitionIndex: 0, errorCode: 0 }] }] },
      '0000' + '02' + TOPIC_ID + '02' + int32(0) + '0000' + TAGS + TAGS + TAGS);
  });
});

describe('StopReplica', () => {
  test('request v0: one delete flag for all partitions', () => {
    expectGolden(StopReplicaRequestSpec, 0, { controllerId: 1, controllerEpoch: 2, deletePartitions: true, ungroupedPartitions: [{ topicName: 't', partitionIndex: 0 }] },
      int32(1) + int32(2) + '01' + int32(1) + s16('t') + int32(0));
  });

  test('request v4: per-partition leader epoch and delete flag', () => {
    const value = { controllerId: 1, isKRaftController: false, controllerEpoch: 2, brokerEpoch: 5, topicStates: [{ topicName: 't', partitionStates: [{ partitionIndex: 0, leaderEpoch: 3, deletePartition: true }] }] };
    expectGolden(StopReplicaRequestSpec, 4, value,
      int32(1) + '00' + int32(2) + int64(5) + '02' + sc('t') + '02' + int32(0) + int32(3) + '01' + TAGS + TAGS + TAGS);
  });

  test('response v2', () => {
    expectGolden(StopReplicaResponseSpec, 2, { errorCode: 0, partitionErrors: [{ topicName: 't', partitionIndex: 0, errorCode: 0 }] },
      '0000' + '02' + sc('t') + int32(0) + '0000' + TAGS + TAGS);
  });
});

describe('UpdateMetadata', () => {
  const state = { topicName: 't', partitionIndex: 0, controllerEpoch: 2, leader: 1, leaderEpoch: 3, isr: [1], zkVersion: 4, replicas: [1] };

  test('request v0: one host and port per broker', () => {
    expectGolden(UpdateMetadataRequestSpec, 0, { controllerId: 1, controllerEpoch: 2, ungroupedPartitionStates: [state], liveBrokers: [{ id: 1, v0Host: 'h', v0Port: 9092 }] },
      int32(1) + int32(2) +
      int32(1) + s16('t') + int32(0) + int32(2) + int32(1) + int32(3) + int32(1) + int32(1) + int32(4) + int32(1) + int32(1) +
      int32(1) + int32(1) + s16('h') + int32(9092));
  });

  test('request v8: endpoints with listeners, a null rack, and the tagged Type', () => {
    const value = {
      controllerId: 1,
      isKRaftController: false,
      type: 1,
      controllerEpoch: 2,
      brokerEpoch: 5,
      topicStates: [{ topicName: 't', topicId: TOPIC_ID, partitionStates: [{ ...state, offlineReplicas: [] }] }],
      liveBrokers: [{ id: 1, endpoints: [{ port: 9092, host: '127.0.0.1', listener: 'PLAINTEXT', securityProtocol: 0 }], rack: null }],
    };
    const partition = int32(0) + int32(2) + int32(1) + int32(3) + '02' + int32(1) + int32(4) + '02' + int32(1) + '01' + TAGS;
    const broker = int32(1) + '02' + int32(9092) + sc('127.0.0.1') + sc('PLAINTEXT') + '0000' + TAGS + '00' + TAGS;
    // Tagged section: one field, tag 0, one byte, value 1.
    expectGolden(UpdateMetadataRequestSpec, 8, value,
      int32(1) + '00' + int32(2) + int64(5) + '02' + sc('t') + TOPIC_ID + '02' + partition + TAGS + '02' + broker + '01' + '00' + '01' + '01');
  });

  test('response v0 and v8', () => {
    expectGolden(UpdateMetadataResponseSpec, 0, { errorCode: 0 }, '0000');
    expectGolden(UpdateMetadataResponseSpec, 8, { errorCode: 0 }, '0000' + TAGS);
  });
});

describe('ControlledShutdown', () => {
  test('request v2 and v3', () => {
    expectGolden(ControlledShutdownRequestSpec, 2, { brokerId: 1, brokerEpoch: 5 }, int32(1) + int64(5));
    expectGolden(ControlledShutdownRequestSpec, 3, { brokerId: 1, brokerEpoch: 5 }, int32(1) + int64(5) + TAGS);
  });

  test('v0 requests carry header v0, without a client id', () => {
    expect(requestHeaderVersion(ApiKey.ControlledShutdown, 0)).toBe(0);
    expect(requestHeaderVersion(ApiKey.ControlledShutdown, 1)).toBe(1);
    const frame = hex(encodeRequestFrame({ apiKey: ApiKey.ControlledShutdown, apiVersion: 0, correlationId: 42, clientId: null }, { brokerId: 1 }));
    expect(frame).toBe('0007' + '0000' + int32(42) + int32(1));
    expect(decodeRequestFrame(Buffer.from(frame, 'hex'))).toMatchObject({ apiKey: 7, apiVersion: 0, correlationId: 42, clientId: null, body: { brokerId: 1 } });
  });

  test('response v0 and v3: the partitions still led', () => {
    const value = { errorCode: 0, remainingPartitions: [{ topicName: 't', partitionIndex: 0 }] };
    expectGolden(ControlledShutdownResponseSpec, 0, value, '0000' + int32(1) + s16('t') + int32(0));
    expectGolden(ControlledShutdownResponseSpec, 3, value, '0000' + '02' + sc('t') + int32(0) + TAGS + TAGS);
  });
});
