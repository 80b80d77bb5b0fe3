// __consumer_offsets records of KIP-848 consumer groups, as Kafka's group coordinator writes them
// (group-coordinator/src/main/resources/common/message/ConsumerGroup*.json), in the layout of
// coordinator-record.ts: the key's int16 record type (3 to 8, the "version" Kafka's key schemas carry).
//   3 ConsumerGroupMetadata                 group epoch
//   4 ConsumerGroupPartitionMetadata        the subscribed topics (id, name, partition count) the target was computed from
//   5 ConsumerGroupMemberMetadata           a member's subscription and client facts
//   6 ConsumerGroupTargetAssignmentMetadata assignment epoch
//   7 ConsumerGroupTargetAssignmentMember   a member's target partitions
//   8 ConsumerGroupCurrentMemberAssignment  a member's epochs, state, owned and revoking partitions
// A null value (tombstone) deletes the record's subject.
import type { Reader } from '../../bytes.js';
import type { MessageInput, MessageValue } from '../spec.js';
import { decodeGroupRecordValue, encodeGroupRecordKey, encodeGroupRecordValue, readGroupRecordKeyFields, TopicPartitionsFields, valueSpec, type GroupRecordKey } from './coordinator-record.js';

export const ConsumerGroupRecordType = {
  Metadata: 3,
  PartitionMetadata: 4,
  MemberMetadata: 5,
  TargetAssignmentMetadata: 6,
  TargetAssignmentMember: 7,
  CurrentMemberAssignment: 8,
} as const;
export type ConsumerGroupRecordTypeId = (typeof ConsumerGroupRecordType)[keyof typeof ConsumerGroupRecordType];

export const ConsumerGroupMetadataValueSpec = valueSpec('ConsumerGroupMetadataValue', [{ name: 'Epoch', type: 'int32', versions: '0+' }] as const);

export const ConsumerGroupPartitionMetadataValueSpec = valueSpec('ConsumerGroupPartitionMetadataValue', [
  {
    name: 'Topics',
    type: '[]TopicMetadata',
    versions: '0+',
    fields: [
      { name: 'TopicId', type: 'uuid', versions: '0+' },
      { name: 'TopicName', type: 'string', versions: '0+' },
      { name: 'NumPartitions', type: 'int32', versions: '0+' },
      // Racks per partition: unused since Kafka 4.0, which writes it empty; so do we.
      {
        name: 'PartitionMetadata',
        type: '[]PartitionMetadata',
        versions: '0+',
        fields: [
          { name: 'Partition', type: 'int32', versions: '0+' },
          { name: 'Racks', type: '[]string', versions: '0+' },
        ],
      },
    ],
  },
] as const);

// ClassicMemberMetadata (tag 0) is written only for classic members of a converted group (online
// migration): their session timeout and JoinGroup protocols, null (absent) for KIP-848 members.
export const ConsumerGroupMemberMetadataValueSpec = valueSpec('ConsumerGroupMemberMetadataValue', [
  { name: 'InstanceId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
  { name: 'RackId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
  { name: 'ClientId', type: 'string', versions: '0+' },
  { name: 'ClientHost', type: 'string', versions: '0+' },
  { name: 'SubscribedTopicNames', type: '[]string', versions: '0+' },
  { name: 'SubscribedTopicRegex', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
  { name: 'RebalanceTimeoutMs', type: 'int32', versions: '0+', default: -1 },
  { name: 'ServerAssignor', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
  {
    name: 'ClassicMemberMetadata',
    type: 'ClassicMemberMetadata',
    versions: '0+',
    nullableVersions: '0+',
    default: null,
    taggedVersions: '0+',
    tag: 0,
    fields: [
      { name: 'SessionTimeoutMs', type: 'int32', versions: '0+' },
      {
        name: 'SupportedProtocols',
        type: '[]ClassicProtocol',
        versions: '0+',
        fields: [
          { name: 'Name', type: 'string', versions: '0+' },
          { name: 'Metadata', type: 'bytes', versions: '0+' },
        ],
      },
    ],
  },
] as const);

export const ConsumerGroupTargetAssignmentMetadataValueSpec = valueSpec('ConsumerGroupTargetAssignmentMetadataValue', [
  { name: 'AssignmentEpoch', type: 'int32', versions: '0+' },
] as const);

export const ConsumerGroupTargetAssignmentMemberValueSpec = valueSpec('ConsumerGroupTargetAssignmentMemberValue', [
  { name: 'TopicPartitions', type: '[]TopicPartition', versions: '0+', fields: TopicPartitionsFields },
] as const);

export const ConsumerGroupCurrentMemberAssignmentValueSpec = valueSpec('ConsumerGroupCurrentMemberAssignmentValue', [
  { name: 'MemberEpoch', type: 'int32', versions: '0+' },
  { name: 'PreviousMemberEpoch', type: 'int32', versions: '0+' },
  { name: 'State', type: 'int8', versions: '0+' },
  { name: 'AssignedPartitions', type: '[]TopicPartitions', versions: '0+', fields: TopicPartitionsFields },
  { name: 'PartitionsPendingRevocation', type: '[]TopicPartitions', versions: '0+', fields: TopicPartitionsFields },
] as const);

const VALUE_SPECS = {
  [ConsumerGroupRecordType.Metadata]: ConsumerGroupMetadataValueSpec,
  [ConsumerGroupRecordType.PartitionMetadata]: ConsumerGroupPartitionMetadataValueSpec,
  [ConsumerGroupRecordType.MemberMetadata]: ConsumerGroupMemberMetadataValueSpec,
  [ConsumerGroupRecordType.TargetAssignmentMetadata]: ConsumerGroupTargetAssignmentMetadataValueSpec,
  [ConsumerGroupRecordType.TargetAssignmentMember]: ConsumerGroupTargetAssignmentMemberValueSpec,
  [ConsumerGroupRecordType.CurrentMemberAssignment]: ConsumerGroupCurrentMemberAssignmentValueSpec,
} as const;
type ValueSpecs = typeof VALUE_SPECS;

export type ConsumerGroupMetadataValue = MessageValue<typeof ConsumerGroupMetadataValueSpec>;
export type ConsumerGroupPartitionMetadataValue = MessageValue<typeof ConsumerGroupPartitionMetadataValueSpec>;
export type ConsumerGroupMemberMetadataValue = MessageValue<typeof ConsumerGroupMemberMetadataValueSpec>;
export type ConsumerGroupTargetAssignmentMetadataValue = MessageValue<typeof ConsumerGroupTargetAssignmentMetadataValueSpec>;
export type ConsumerGroupTargetAssignmentMemberValue = MessageValue<typeof ConsumerGroupTargetAssignmentMemberValueSpec>;
export type ConsumerGroupCurrentMemberAssignmentValue = MessageValue<typeof ConsumerGroupCurrentMemberAssignmentValueSpec>;

/** Kafka's MemberState bytes (ConsumerGroupCurrentMemberAssignmentValue.State). */
export const MemberStateByte = { stable: 0, unrevoked: 1, unreleased: 2 } as const;

/** Record types whose key names a member beside the group. */
const MEMBER_RECORD_TYPES: ReadonlySet<number> = new Set([
  ConsumerGroupRecordType.MemberMetadata,
  ConsumerGroupRecordType.TargetAssignmentMember,
  ConsumerGroupRecordType.CurrentMemberAssignment,
]);

export function isConsumerGroupRecordType(type: number): type is ConsumerGroupRecordTypeId {
  return type >= ConsumerGroupRecordType.Metadata && type <= ConsumerGroupRecordType.CurrentMemberAssignment;
}

/** A key: the record type, the group and, for per-member types, the member ('' otherwise). */
export type ConsumerGroupRecordKey = GroupRecordKey<ConsumerGroupRecordTypeId>;

export function encodeConsumerGroupRecordKey(key: ConsumerGroupRecordKey): Buffer {
  return encodeGroupRecordKey(key, MEMBER_RECORD_TYPES.has(key.recordType));
}

/** Reads the fields after the record type (the caller dispatched on it). */
export function readConsumerGroupRecordKeyFields(r: Reader, recordType: ConsumerGroupRecordTypeId): ConsumerGroupRecordKey {
  return readGroupRecordKeyFields(r, recordType, MEMBER_RECORD_TYPES.has(recordType));
}

export function encodeConsumerGroupRecordValue<T extends ConsumerGroupRecordTypeId>(recordType: T, value: MessageInput<ValueSpecs[T]>): Buffer {
  return encodeGroupRecordValue(VALUE_SPECS[recordType], value as never);
}

/** Decodes a value of `recordType`; throws DecodeError on malformed bytes or an unknown version. */
export function decodeConsumerGroupRecordValue<T extends ConsumerGroupRecordTypeId>(recordType: T, buf: Buffer): MessageValue<ValueSpecs[T]> {
  return decodeGroupRecordValue(VALUE_SPECS[recordType], buf) as MessageValue<ValueSpecs[T]>;
}
