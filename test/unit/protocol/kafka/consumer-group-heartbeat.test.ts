// ConsumerGroupHeartbeat (68) bytes as Kafka lays them out, in particular the response's nullable
// Assignment struct: one int8, -1 for null or 1 before the struct.
import { expect, test } from 'vitest';
import { decodeMessage, encodeMessage } from '../../../../protocol/kafka/codec.js';
import {
  ConsumerGroupHeartbeatRequestSpec,
  ConsumerGroupHeartbeatResponseSpec,
} from '../../../../protocol/kafka/messages/68-consumer-group-heartbeat.js';

const TOPIC = '0123456789abcdef0123456789abcdef';

test('a response without an assignment ends with the null marker and no tagged fields', () => {
  const bytes = Buffer.concat(
    encodeMessage(ConsumerGroupHeartbeatResponseSpec, 0, { throttleTimeMs: 0, errorCode: 25, errorMessage: null, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null }),
  );
  // int32 throttle, int16 error, null compact string, null compact string, int32 epoch, int32 interval, int8 -1, tagged fields 0
  expect(bytes.toString('hex')).toBe('00000000' + '0019' + '00' + '00' + '00000000' + '00000000' + 'ff' + '00');
});

test('a response with an assignment carries the marker 1, then the struct', () => {
  const value = {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    memberId: 'm',
    memberEpoch: 3,
    heartbeatIntervalMs: 5000,
    assignment: { topicPartitions: [{ topicId: TOPIC, partitions: [0, 2] }] },
  };
  const bytes = Buffer.concat(encodeMessage(ConsumerGroupHeartbeatResponseSpec, 1, value));
  const tail = '01' + '02' + TOPIC + '03' + '00000000' + '00000002' + '00' + '00' + '00';
  expect(bytes.toString('hex')).toBe('00000000' + '0000' + '00' + '026d' + '00000003' + '00001388' + tail);
  expect(decodeMessage(ConsumerGroupHeartbeatResponseSpec, 1, bytes)).toMatchObject(value);
});

test('v1 carries the topic regex after the topic names; v0 has no such field', () => {
  const request = {
    groupId: 'g',
    memberId: 'm',
    memberEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: 30_000,
    subscribedTopicNames: null,
    subscribedTopicRegex: 't.*',
    serverAssignor: null,
    topicPartitions: [],
  };
  const v1 = Buffer.concat(encodeMessage(ConsumerGroupHeartbeatRequestSpec, 1, request));
  const v0 = Buffer.concat(encodeMessage(ConsumerGroupHeartbeatRequestSpec, 0, request));
  expect(v1.length - v0.length).toBe(4); // compact string "t.*"
  expect(decodeMessage(ConsumerGroupHeartbeatRequestSpec, 1, v1).subscribedTopicRegex).toBe('t.*');
  expect(decodeMessage(ConsumerGroupHeartbeatRequestSpec, 0, v0).subscribedTopicRegex).toBeNull();
});
