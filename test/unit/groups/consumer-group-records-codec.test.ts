// Golden bytes for the KIP-848 __consumer_offsets records, laid out by hand from Kafka's
// ConsumerGroup*Key/Value.json: a non-flexible key (int16 record type, strings with int16 lengths) and a
// flexible value (int16 version 0, compact strings and arrays, tagged-field sections).
import { describe, expect, test } from 'vitest';
import { DecodeError } from '../../../protocol/bytes.js';
import {
  ConsumerGroupRecordType as Type,
  decodeConsumerGroupRecordValue,
  encodeConsumerGroupRecordKey,
  encodeConsumerGroupRecordValue,
} from '../../../protocol/kafka/consumer-offsets/consumer-group.js';
import { decodeConsumerOffsetsRecord } from '../../../protocol/kafka/consumer-offsets/records.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const TOPIC = '0102030405060708090a0b0c0d0e0f10';

describe('KIP-848 consumer group records', () => {
  test('group-wide keys: record type then the group id', () => {
    expect(encodeConsumerGroupRecordKey({ recordType: Type.Metadata, group: 'g', memberId: '' })).toEqual(hex('0003 0001 67'));
    expect(encodeConsumerGroupRecordKey({ recordType: Type.PartitionMetadata, group: 'g', memberId: 'ignored' })).toEqual(hex('0004 0001 67'));
    expect(encodeConsumerGroupRecordKey({ recordType: Type.TargetAssignmentMetadata, group: 'g', memberId: '' })).toEqual(hex('0006 0001 67'));
  });

  test('member keys: record type, group id, member id', () => {
    expect(encodeConsumerGroupRecordKey({ recordType: Type.MemberMetadata, group: 'g', memberId: 'm' })).toEqual(hex('0005 0001 67 0001 6d'));
    expect(encodeConsumerGroupRecordKey({ recordType: Type.TargetAssignmentMember, group: 'g', memberId: 'm' })).toEqual(hex('0007 0001 67 0001 6d'));
    expect(encodeConsumerGroupRecordKey({ recordType: Type.CurrentMemberAssignment, group: 'g', memberId: 'm' })).toEqual(hex('0008 0001 67 0001 6d'));
  });

  test('ConsumerGroupMetadataValue and TargetAssignmentMetadataValue: version 0, an int32, no tags', () => {
    expect(encodeConsumerGroupRecordValue(Type.Metadata, { epoch: 5 })).toEqual(hex('0000 00000005 00'));
    expect(encodeConsumerGroupRecordValue(Type.TargetAssignmentMetadata, { assignmentEpoch: 7 })).toEqual(hex('0000 00000007 00'));
  });

  test('ConsumerGroupMemberMetadataValue', () => {
    const value = {
      instanceId: null,
      rackId: 'r',
      clientId: 'c',
      clientHost: '/h',
      subscribedTopicNames: ['t'],
      subscribedTopicRegex: null,
      rebalanceTimeoutMs: 300000,
      serverAssignor: 'uniform',
      classicMemberMetadata: null,
    };
    // A KIP-848 member: no ClassicMemberMetadata, so no tagged field.
    const bytes = hex('0000 00 02 72 02 63 03 2f68 02 02 74 00 000493e0 08 756e69666f726d 00');
    expect(encodeConsumerGroupRecordValue(Type.MemberMetadata, value)).toEqual(bytes);
    expect(decodeConsumerGroupRecordValue(Type.MemberMetadata, bytes)).toEqual(value);
  });

  test('a classic member of a converted group: ClassicMemberMetadata in tag 0, a nullable struct as Kafka writes it tagged (size + 1, then 1)', () => {
    const value = {
      instanceId: null,
      rackId: null,
      clientId: 'c',
      clientHost: '/h',
      subscribedTopicNames: [],
      subscribedTopicRegex: null,
      rebalanceTimeoutMs: -1,
      serverAssignor: null,
      classicMemberMetadata: { sessionTimeoutMs: 6000, supportedProtocols: [{ name: 'range', metadata: Buffer.from('abc') }] },
    };
    // tags: 1, tag 0, 18 bytes: present (1), session timeout, one protocol (name, metadata, its tags), the struct's tags.
    const bytes = hex('0000 00 00 02 63 03 2f68 01 00 ffffffff 00 01 00 12 01 00001770 02 06 72616e6765 04 616263 00 00');
    expect(encodeConsumerGroupRecordValue(Type.MemberMetadata, value)).toEqual(bytes);
    expect(decodeConsumerGroupRecordValue(Type.MemberMetadata, bytes)).toEqual(value);
  });

  test('ConsumerGroupPartitionMetadataValue', () => {
    const value = { topics: [{ topicId: TOPIC, topicName: 't', numPartitions: 3, partitionMetadata: [] }] };
    const bytes = hex(`0000 02 ${TOPIC} 02 74 00000003 01 00 00`);
    expect(encodeConsumerGroupRecordValue(Type.PartitionMetadata, value)).toEqual(bytes);
    expect(decodeConsumerGroupRecordValue(Type.PartitionMetadata, bytes)).toEqual(value);
  });

  test('ConsumerGroupTargetAssignmentMemberValue', () => {
    const value = { topicPartitions: [{ topicId: TOPIC, partitions: [0, 2] }] };
    const bytes = hex(`0000 02 ${TOPIC} 03 00000000 00000002 00 00`);
    expect(encodeConsumerGroupRecordValue(Type.TargetAssignmentMember, value)).toEqual(bytes);
    expect(decodeConsumerGroupRecordValue(Type.TargetAssignmentMember, bytes)).toEqual(value);
  });

  test('ConsumerGroupCurrentMemberAssignmentValue: epochs, state byte, owned and revoking partitions', () => {
    const value = {
      memberEpoch: 4,
      previousMemberEpoch: 3,
      state: 1,
      assignedPartitions: [{ topicId: TOPIC, partitions: [1] }],
      partitionsPendingRevocation: [{ topicId: TOPIC, partitions: [2] }],
    };
    const bytes = hex(`0000 00000004 00000003 01 02 ${TOPIC} 02 00000001 00 02 ${TOPIC} 02 00000002 00 00`);
    expect(encodeConsumerGroupRecordValue(Type.CurrentMemberAssignment, value)).toEqual(bytes);
    expect(decodeConsumerGroupRecordValue(Type.CurrentMemberAssignment, bytes)).toEqual(value);
  });

  test('records are told apart by key type; an unknown value version is malformed', () => {
    const key = encodeConsumerGroupRecordKey({ recordType: Type.CurrentMemberAssignment, group: 'g', memberId: 'm' });
    expect(decodeConsumerOffsetsRecord(key, null)).toEqual({ type: 'consumerGroup', recordType: 8, group: 'g', memberId: 'm', value: null });
    expect(() => decodeConsumerGroupRecordValue(Type.Metadata, hex('0001 00000005 00'))).toThrow(DecodeError);
    expect(() => decodeConsumerGroupRecordValue(Type.Metadata, hex('0000 00000005 00 ff'))).toThrow(DecodeError);
  });
});
