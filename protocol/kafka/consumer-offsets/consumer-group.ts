// __consumer_offsets records of KIP-848 consumer groups, as Kafka's group coordinator writes them
// (group-coordinator/src/main/resources/common/message/ConsumerGroup*.json). Each key is an int16 record
// type (3 to 8, the "version" Kafka's key schemas carry) then the group id, and for per-member records
// the member id, as non-flexible strings. Each value is an int16 version (0) then a flexible structure:
// compact strings and arrays and a tagged-field section, so fields a later Kafka adds as tags are skipped.
//   3 ConsumerGroupMetadata                 group epoch
//   4 ConsumerGroupPartitionMetadata        the subscribed topics (id, name, partition count) the target was computed from
//   5 ConsumerGroupMemberMetadata           a member's subscription and client facts
//   6 ConsumerGroupTargetAssignmentMetadata assignment epoch
//   7 ConsumerGroupTargetAssignmentMember   a member's target partitions
//   8 ConsumerGroupCurrentMemberAssignment  a member's epochs, state, owned and revoking partitions
// A null value (tombstone) deletes the record's subject.
import { DecodeError, Reader, Writer } from '../../bytes.js';
import { messageCodec } from '../codec.js';
import { readString, writeString } from '../primitives.js';
import type { DataSpec, MessageInput, MessageValue } from '../spec.js';

export const ConsumerGroupRecordType = {
  Metadata: 3,
  PartitionMetadata: 4,
  MemberMetadata: 5,
  TargetAssignmentMetadata: 6,
  TargetAssignmentMember: 7,
  CurrentMemberAssignment: 8,
} as const;
export type ConsumerGroupRecordTypeId = (typeof ConsumerGroupRecordType)[keyof typeof ConsumerGroupRecordType];

/** The one value version Kafka defines (and writes) for each of them. */
const VALUE_VERSION = 0;

const TopicPartitionsFields = [
  { name: 'TopicId', type: 'uuid', versions: '0+' },
  { name: 'Partitions', type: '[]int32', versions: '0+' },
] as const;

function valueSpec<const F extends DataSpec['fields']>(name: string, fields: F) {
  return { name, validVersions: '0', flexibleVersions: '0+', fields } as const;
}

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
export interface ConsumerGroupRecordKey {
  recordType: ConsumerGroupRecordTypeId;
  group: string;
  memberId: string;
}

export function encodeConsumerGroupRecordKey(key: ConsumerGroupRecordKey): Buffer {
  const w = new Writer(64);
  w.int16(key.recordType);
  writeString(w, key.group);
  if (MEMBER_RECORD_TYPES.has(key.recordType)) writeString(w, key.memberId);
  return w.toBuffer();
}

/** Reads the fields after the record type (the caller dispatched on it). */
export function readConsumerGroupRecordKeyFields(r: Reader, recordType: ConsumerGroupRecordTypeId): ConsumerGroupRecordKey {
  const group = readString(r);
  const memberId = MEMBER_RECORD_TYPES.has(recordType) ? readString(r) : '';
  return { recordType, group, memberId };
}

export function encodeConsumerGroupRecordValue<T extends ConsumerGroupRecordTypeId>(recordType: T, value: MessageInput<ValueSpecs[T]>): Buffer {
  const w = new Writer(64);
  w.int16(VALUE_VERSION);
  messageCodec(VALUE_SPECS[recordType], VALUE_VERSION).encode(w, value as never);
  return w.toBuffer();
}

/** Decodes a value of `recordType`; throws DecodeError on malformed bytes or an unknown version. */
export function decodeConsumerGroupRecordValue<T extends ConsumerGroupRecordTypeId>(recordType: T, buf: Buffer): MessageValue<ValueSpecs[T]> {
  const r = new Reader(buf);
  const version = r.int16();
  if (version !== VALUE_VERSION) throw new DecodeError(`unknown ${VALUE_SPECS[recordType].name} version ${version}`);
  const value = messageCodec(VALUE_SPECS[recordType], VALUE_VERSION).decode(r);
  if (r.remaining !== 0) throw new DecodeError(`${VALUE_SPECS[recordType].name} has ${r.remaining} trailing bytes`);
  return value as MessageValue<ValueSpecs[T]>;
}
