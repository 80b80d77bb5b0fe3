// OffsetCommit (API key 8): request and response, field for field as in Kafka's OffsetCommitRequest.json
// and OffsetCommitResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const OffsetCommitRequestSpec = {
  apiKey: 8,
  type: 'request',
  name: 'OffsetCommitRequest',
  validVersions: '0-10',
  flexibleVersions: '8+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    { name: 'GenerationIdOrMemberEpoch', type: 'int32', versions: '1+', default: -1 },
    { name: 'MemberId', type: 'string', versions: '1+' },
    { name: 'GroupInstanceId', type: 'string', versions: '7+', nullableVersions: '7+', default: null },
    { name: 'RetentionTimeMs', type: 'int64', versions: '2-4', default: -1 },
    {
      name: 'Topics', type: '[]OffsetCommitRequestTopic', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0-9' },
        { name: 'TopicId', type: 'uuid', versions: '10+' },
        {
          name: 'Partitions', type: '[]OffsetCommitRequestPartition', versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'CommittedOffset', type: 'int64', versions: '0+' },
            { name: 'CommittedLeaderEpoch', type: 'int32', versions: '6+', default: -1 },
            { name: 'CommitTimestamp', type: 'int64', versions: '1', default: -1 },
            { name: 'CommittedMetadata', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export const OffsetCommitResponseSpec = {
  apiKey: 8,
  type: 'response',
  name: 'OffsetCommitResponse',
  validVersions: '0-10',
  flexibleVersions: '8+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '3+' },
    {
      name: 'Topics', type: '[]OffsetCommitResponseTopic', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0-9' },
        { name: 'TopicId', type: 'uuid', versions: '10+' },
        {
          name: 'Partitions', type: '[]OffsetCommitResponsePartition', versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type OffsetCommitRequest = MessageValue<typeof OffsetCommitRequestSpec>;
export type OffsetCommitRequestInput = MessageInput<typeof OffsetCommitRequestSpec>;
export type OffsetCommitResponse = MessageValue<typeof OffsetCommitResponseSpec>;
export type OffsetCommitResponseInput = MessageInput<typeof OffsetCommitResponseSpec>;
