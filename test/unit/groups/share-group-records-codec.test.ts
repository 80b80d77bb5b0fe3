// Golden bytes for the KIP-932 share group __consumer_offsets records, laid out by hand from Kafka
// 4.1's ShareGroup*Key/Value.json: a non-flexible key (int16 record type 9-15, strings with int16
// lengths) and a flexible value (int16 version 0, compact strings and arrays, tagged-field sections).
import { describe, expect, test } from 'vitest';
import { DecodeError } from '../../../protocol/bytes.js';
import { decodeConsumerOffsetsRecord } from '../../../protocol/kafka/consumer-offsets/records.js';
import {
  decodeShareGroupRecordValue,
  encodeShareGroupRecordKey,
  encodeShareGroupRecordValue,
  ShareGroupRecordType as Type,
} from '../../../protocol/kafka/consumer-offsets/share-group.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const TOPIC = '0102030405060708090a0b0c0d0e0f10';

describe('KIP-932 share group records', () => {
  test('group-wide keys: record type then the group id; member keys add the member id', () => {
    expect(encodeShareGroupRecordKey({ recordType: Type.Metadata, group: 'g', memberId: '' })).toEqual(hex('000b 0001 67'));
    expect(encodeShareGroupRecordKey({ recordType: Type.TargetAssignmentMetadata, group: 'g', memberId: 'ignored' })).toEqual(hex('000c 0001 67'));
    expect(encodeShareGroupRecordKey({ recordType: Type.MemberMetadata, group: 'g', memberId: 'm' })).toEqual(hex('000a 0001 67 0001 6d'));
    expect(encodeShareGroupRecordKey({ recordType: Type.TargetAssignmentMember, group: 'g', memberId: 'm' })).toEqual(hex('000d 0001 67 0001 6d'));
    expect(encodeShareGroupRecordKey({ recordType: Type.CurrentMemberAssignment, group: 'g', memberId: 'm' })).toEqual(hex('000e 0001 67 0001 6d'));
  });

  test('ShareGroupMetadataValue: the epoch and the int64 metadata hash (Kafka 4.1, KIP-1101); TargetAssignmentMetadataValue', () => {
    const bytes = hex('0000 00000005 0000000000000102 00');
    expect(encodeShareGroupRecordValue(Type.Metadata, { epoch: 5, metadataHash: 258 })).toEqual(bytes);
    expect(decodeShareGroupRecordValue(Type.Metadata, bytes)).toEqual({ epoch: 5, metadataHash: 258 });
    expect(encodeShareGroupRecordValue(Type.TargetAssignmentMetadata, { assignmentEpoch: 7 })).toEqual(hex('0000 00000007 00'));
  });

  test('ShareGroupMemberMetadataValue: rack (nullable), client id and host, subscribed topics', () => {
    const value = { rackId: null, clientId: 'c', clientHost: '/h', subscribedTopicNames: ['t'] };
    const bytes = hex('0000 00 02 63 03 2f68 02 02 74 00');
    expect(encodeShareGroupRecordValue(Type.MemberMetadata, value)).toEqual(bytes);
    expect(decodeShareGroupRecordValue(Type.MemberMetadata, bytes)).toEqual(value);
  });

  test('ShareGroupTargetAssignmentMemberValue and ShareGroupCurrentMemberAssignmentValue', () => {
    const target = { topicPartitions: [{ topicId: TOPIC, partitions: [0, 2] }] };
    const targetBytes = hex(`0000 02 ${TOPIC} 03 00000000 00000002 00 00`);
    expect(encodeShareGroupRecordValue(Type.TargetAssignmentMember, target)).toEqual(targetBytes);
    expect(decodeShareGroupRecordValue(Type.TargetAssignmentMember, targetBytes)).toEqual(target);
    const current = { memberEpoch: 3, previousMemberEpoch: 2, state: 0, assignedPartitions: [{ topicId: TOPIC, partitions: [1] }] };
    const currentBytes = hex(`0000 00000003 00000002 00 02 ${TOPIC} 02 00000001 00 00`);
    expect(encodeShareGroupRecordValue(Type.CurrentMemberAssignment, current)).toEqual(currentBytes);
    expect(decodeShareGroupRecordValue(Type.CurrentMemberAssignment, currentBytes)).toEqual(current);
  });

  test('ShareGroupStatePartitionMetadata (15): a group key; initializing and initialized topics with names and partitions, deleting topics', () => {
    expect(encodeShareGroupRecordKey({ recordType: Type.StatePartitionMetadata, group: 'g', memberId: 'ignored' })).toEqual(hex('000f 0001 67'));
    const value = {
      initializingTopics: [],
      initializedTopics: [{ topicId: TOPIC, topicName: 't', partitions: [0, 1] }],
      deletingTopics: [{ topicId: TOPIC, topicName: 'u' }],
    };
    const bytes = hex(`0000 01 02 ${TOPIC} 02 74 03 00000000 00000001 00 02 ${TOPIC} 02 75 00 00`);
    expect(encodeShareGroupRecordValue(Type.StatePartitionMetadata, value)).toEqual(bytes);
    expect(decodeShareGroupRecordValue(Type.StatePartitionMetadata, bytes)).toEqual(value);
  });

  test('keys 9 to 15 are share group records in __consumer_offsets; their values are left to the share group coordinator', () => {
    expect(decodeConsumerOffsetsRecord(hex('000e 0001 67 0001 6d'), null)).toEqual({ type: 'shareGroup', recordType: 14, group: 'g', memberId: 'm', value: null });
    // Values are decoded by the share group coordinator, not here (9, Kafka 4.0's partition metadata, never).
    expect(decodeConsumerOffsetsRecord(hex('0009 0001 67'), hex('00'))).toMatchObject({ type: 'shareGroup', recordType: 9, group: 'g' });
    expect(decodeConsumerOffsetsRecord(hex('000f 0001 67'), hex('00'))).toMatchObject({ type: 'shareGroup', recordType: 15, group: 'g' });
  });

  test('a value of another version, or with trailing bytes, is refused', () => {
    expect(() => decodeShareGroupRecordValue(Type.TargetAssignmentMetadata, hex('0001 00000007 00'))).toThrow(DecodeError);
    expect(() => decodeShareGroupRecordValue(Type.TargetAssignmentMetadata, hex('0000 00000007 00 ff'))).toThrow(DecodeError);
  });
});
