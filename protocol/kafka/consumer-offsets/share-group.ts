// __consumer_offsets records of KIP-932 share groups, as Kafka 4.1+ writes them
// (group-coordinator/src/main/resources/common/message/ShareGroup*.json), in the layout of
// coordinator-record.ts: the key's int16 record type is 9 to 15.
//   10 ShareGroupMemberMetadata             a member's subscription and client facts
//   11 ShareGroupMetadata                   group epoch and the hash of the subscribed topics' metadata
//   12 ShareGroupTargetAssignmentMetadata   assignment epoch
//   13 ShareGroupTargetAssignmentMember     a member's target partitions
//   14 ShareGroupCurrentMemberAssignment    a member's epochs, state and assigned partitions
//   15 ShareGroupStatePartitionMetadata     the share-partitions whose state the group may have in __share_group_state
//                                           (initializing, initialized) and the topics whose state is being deleted
// Read but never written here:
//    9 ShareGroupPartitionMetadata          Kafka 4.0's subscribed-topic metadata, replaced by 11's hash in 4.1 (KIP-1101)
// A null value (tombstone) deletes the record's subject.
import type { Reader } from '../../bytes.js';
import type { MessageInput, MessageValue } from '../spec.js';
import { decodeGroupRecordValue, encodeGroupRecordKey, encodeGroupRecordValue, readGroupRecordKeyFields, TopicPartitionsFields, valueSpec, type GroupRecordKey } from './coordinator-record.js';

export const ShareGroupRecordType = {
  PartitionMetadata: 9,
  MemberMetadata: 10,
  Metadata: 11,
  TargetAssignmentMetadata: 12,
  TargetAssignmentMember: 13,
  CurrentMemberAssignment: 14,
  StatePartitionMetadata: 15,
} as const;
export type ShareGroupRecordTypeId = (typeof ShareGroupRecordType)[keyof typeof ShareGroupRecordType];
/** The record types this broker writes (and rebuilds a group from). */
export type WrittenShareGroupRecordTypeId = Exclude<ShareGroupRecordTypeId, 9>;

export const ShareGroupMemberMetadataValueSpec = valueSpec('ShareGroupMemberMetadataValue', [
  { name: 'RackId', type: 'string', versions: '0+', nullableVersions: '0+' },
  { name: 'ClientId', type: 'string', versions: '0+' },
  { name: 'ClientHost', type: 'string', versions: '0+' },
  { name: 'SubscribedTopicNames', type: '[]string', versions: '0+' },
] as const);

export const ShareGroupMetadataValueSpec = valueSpec('ShareGroupMetadataValue', [
  { name: 'Epoch', type: 'int32', versions: '0+' },
  { name: 'MetadataHash', type: 'int64', versions: '0+' },
] as const);

export const ShareGroupTargetAssignmentMetadataValueSpec = valueSpec('ShareGroupTargetAssignmentMetadataValue', [
  { name: 'AssignmentEpoch', type: 'int32', versions: '0+' },
] as const);

export const ShareGroupTargetAssignmentMemberValueSpec = valueSpec('ShareGroupTargetAssignmentMemberValue', [
  { name: 'TopicPartitions', type: '[]TopicPartition', versions: '0+', fields: TopicPartitionsFields },
] as const);

export const ShareGroupCurrentMemberAssignmentValueSpec = valueSpec('ShareGroupCurrentMemberAssignmentValue', [
  { name: 'MemberEpoch', type: 'int32', versions: '0+' },
  { name: 'PreviousMemberEpoch', type: 'int32', versions: '0+' },
  { name: 'State', type: 'int8', versions: '0+' },
  { name: 'AssignedPartitions', type: '[]TopicPartitions', versions: '0+', fields: TopicPartitionsFields },
] as const);

/** Kafka's TopicPartitionsInfo (ShareGroupStatePartitionMetadataValue.json as of Kafka 4.2): a topic's id, name and partitions. */
const TopicPartitionsInfoFields = [
  { name: 'TopicId', type: 'uuid', versions: '0+' },
  { name: 'TopicName', type: 'string', versions: '0+' },
  { name: 'Partitions', type: '[]int32', versions: '0+' },
] as const;

export const ShareGroupStatePartitionMetadataValueSpec = valueSpec('ShareGroupStatePartitionMetadataValue', [
  { name: 'InitializingTopics', type: '[]TopicPartitionsInfo', versions: '0+', fields: TopicPartitionsInfoFields },
  { name: 'InitializedTopics', type: '[]TopicPartitionsInfo', versions: '0+', fields: TopicPartitionsInfoFields },
  {
    name: 'DeletingTopics',
    type: '[]TopicInfo',
    versions: '0+',
    fields: [
      { name: 'TopicId', type: 'uuid', versions: '0+' },
      { name: 'TopicName', type: 'string', versions: '0+' },
    ],
  },
] as const);

const VALUE_SPECS = {
  [ShareGroupRecordType.MemberMetadata]: ShareGroupMemberMetadataValueSpec,
  [ShareGroupRecordType.Metadata]: ShareGroupMetadataValueSpec,
  [ShareGroupRecordType.TargetAssignmentMetadata]: ShareGroupTargetAssignmentMetadataValueSpec,
  [ShareGroupRecordType.TargetAssignmentMember]: ShareGroupTargetAssignmentMemberValueSpec,
  [ShareGroupRecordType.CurrentMemberAssignment]: ShareGroupCurrentMemberAssignmentValueSpec,
  [ShareGroupRecordType.StatePartitionMetadata]: ShareGroupStatePartitionMetadataValueSpec,
} as const;
type ValueSpecs = typeof VALUE_SPECS;

/** Kafka's MemberState byte of a share group member: always STABLE (a share group revokes nothing). */
export const SHARE_MEMBER_STABLE = 0;

const MEMBER_RECORD_TYPES: ReadonlySet<number> = new Set([
  ShareGroupRecordType.MemberMetadata,
  ShareGroupRecordType.TargetAssignmentMember,
  ShareGroupRecordType.CurrentMemberAssignment,
]);

export function isShareGroupRecordType(type: number): type is ShareGroupRecordTypeId {
  return type >= ShareGroupRecordType.PartitionMetadata && type <= ShareGroupRecordType.StatePartitionMetadata;
}

export type ShareGroupRecordKey = GroupRecordKey<ShareGroupRecordTypeId>;

export function encodeShareGroupRecordKey(key: ShareGroupRecordKey): Buffer {
  return encodeGroupRecordKey(key, MEMBER_RECORD_TYPES.has(key.recordType));
}

export function readShareGroupRecordKeyFields(r: Reader, recordType: ShareGroupRecordTypeId): ShareGroupRecordKey {
  return readGroupRecordKeyFields(r, recordType, MEMBER_RECORD_TYPES.has(recordType));
}

export function encodeShareGroupRecordValue<T extends WrittenShareGroupRecordTypeId>(recordType: T, value: MessageInput<ValueSpecs[T]>): Buffer {
  return encodeGroupRecordValue(VALUE_SPECS[recordType], value as never);
}

/** Decodes a value of `recordType`; throws DecodeError on malformed bytes or an unknown version. */
export function decodeShareGroupRecordValue<T extends WrittenShareGroupRecordTypeId>(recordType: T, buf: Buffer): MessageValue<ValueSpecs[T]> {
  return decodeGroupRecordValue(VALUE_SPECS[recordType], buf) as MessageValue<ValueSpecs[T]>;
}
