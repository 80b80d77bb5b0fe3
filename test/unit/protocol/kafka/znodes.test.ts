import { expect, test } from 'vitest';
import {
  decodeBrokerRegistration,
  decodeClusterId,
  decodeControllerEpoch,
  decodeEntityConfig,
  decodeIsrChangeNotification,
  decodePartitionState,
  decodeReassignPartitions,
  decodeTopicAssignment,
  encodeBrokerRegistration,
  encodeConfigChange,
  encodeIsrChangeNotification,
  encodePartitionState,
  encodeReassignPartitions,
  encodeTopicAssignment,
  kafkaUuidString,
  ZnodeFormatError,
} from '../../../../protocol/kafka/zk/znodes.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

test('a registration written by Kafka 3.x is read, and ours reads back the same', () => {
  const kafka = b(
    '{"features":{},"listener_security_protocol_map":{"CLIENT":"PLAINTEXT","REPLICATION":"SSL"},"endpoints":["CLIENT://host1:9092","REPLICATION://[::1]:9093"],"jmx_port":9999,"port":9092,"host":"host1","version":5,"timestamp":"1700000000000","rack":"dc1"}',
  );
  const reg = decodeBrokerRegistration(4, kafka);
  expect(reg).toEqual({
    id: 4,
    endpoints: [
      { listener: 'CLIENT', host: 'host1', port: 9092, securityProtocol: 'PLAINTEXT' },
      { listener: 'REPLICATION', host: '::1', port: 9093, securityProtocol: 'SSL' },
    ],
    rack: 'dc1',
    timestamp: 1_700_000_000_000,
  });
  expect(decodeBrokerRegistration(4, encodeBrokerRegistration(reg))).toEqual(reg);
  // Version 1 had host and port only.
  expect(decodeBrokerRegistration(1, b('{"version":1,"host":"h","port":1,"jmx_port":-1}')).endpoints).toEqual([
    { listener: 'PLAINTEXT', host: 'h', port: 1, securityProtocol: 'PLAINTEXT' },
  ]);
  // No rack key at all when there is no rack, as Kafka writes it.
  expect(JSON.parse(encodeBrokerRegistration({ ...reg, rack: null }).toString())).not.toHaveProperty('rack');
});

test('topic assignments: Kafka\'s version 3 with a base64 topic id, version 2 without; damage is refused', () => {
  const id = '0123456789abcdef0123456789abcdef';
  const data = encodeTopicAssignment({ partitions: [[1, 2], [2, 3]], addingReplicas: {}, removingReplicas: { 1: [3] }, topicId: id });
  expect(JSON.parse(data.toString())).toEqual({
    version: 3,
    partitions: { '0': [1, 2], '1': [2, 3] },
    adding_replicas: {},
    removing_replicas: { '1': [3] },
    topic_id: kafkaUuidString(id),
  });
  expect(decodeTopicAssignment('t', data)).toEqual({ partitions: [[1, 2], [2, 3]], addingReplicas: {}, removingReplicas: { 1: [3] }, topicId: id });
  expect(decodeTopicAssignment('t', b('{"version":1,"partitions":{"1":[0],"0":[1]}}')).partitions).toEqual([[1], [0]]);
  expect(() => decodeTopicAssignment('t', b('{"version":2,"partitions":{"0":[1],"2":[1]}}'))).toThrow(ZnodeFormatError);
  expect(() => decodeTopicAssignment('t', b('{"partitions":{"0":["x"]}}'))).toThrow(/partitions.0/);
  expect(() => decodeTopicAssignment('t', b('not json'))).toThrow(/not JSON/);
  expect(() => decodeTopicAssignment('t', null)).toThrow(/empty/);
});

test('partition state, cluster id, controller epoch, configs and notifications', () => {
  const state = { controllerEpoch: 3, leader: 2, leaderEpoch: 7, isr: [2, 1] };
  expect(encodePartitionState(state).toString()).toBe('{"controller_epoch":3,"leader":2,"version":1,"leader_epoch":7,"isr":[2,1]}');
  expect(decodePartitionState(encodePartitionState(state))).toEqual(state);
  expect(() => decodePartitionState(b('{"leader":1}'))).toThrow(/controller_epoch/);
  expect(decodeClusterId(b('{"version":"1","id":"abc"}'))).toBe('abc');
  expect(decodeControllerEpoch(b('12'))).toBe(12);
  expect(() => decodeControllerEpoch(b('-1'))).toThrow(ZnodeFormatError);
  expect(decodeEntityConfig(b('{"version":1,"config":{"retention.ms":"5"}}'))).toEqual({ 'retention.ms': '5' });
  expect(decodeEntityConfig(null)).toEqual({});
  expect(() => decodeEntityConfig(b('{"version":1,"config":{"a":5}}'))).toThrow(/"a"/);
  expect(JSON.parse(encodeConfigChange('topics/t').toString())).toEqual({ version: 2, entity_path: 'topics/t' });
  const tps = [{ topic: 'a', partition: 0 }, { topic: 'b', partition: 3 }];
  expect(decodeIsrChangeNotification(encodeIsrChangeNotification(tps))).toEqual(tps);
});

test('/admin/reassign_partitions as kafka-reassign-partitions.sh --zookeeper writes it (log_dirs ignored); damage is refused', () => {
  const written = Buffer.from('{"version":1,"partitions":[{"topic":"foo","partition":1,"replicas":[0,1,3],"log_dirs":["any","any","any"]}]}');
  expect(decodeReassignPartitions(written)).toEqual([{ topic: 'foo', partition: 1, replicas: [0, 1, 3] }]);
  const ours = [{ topic: 'a', partition: 0, replicas: [2, 1] }];
  expect(decodeReassignPartitions(encodeReassignPartitions(ours))).toEqual(ours);
  expect(() => decodeReassignPartitions(Buffer.from('{"version":1,"partitions":[{"topic":"a","partition":"0","replicas":[1]}]}'))).toThrow(ZnodeFormatError);
  expect(() => decodeReassignPartitions(Buffer.from('{"version":1}'))).toThrow(ZnodeFormatError);
});
