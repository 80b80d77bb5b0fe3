// AlterShareGroupOffsets (API key 91, KIP-932): sets the start offset of an empty share group's
// share-partitions (kafka-share-groups.sh --reset-offsets). Field for field as in Kafka's
// AlterShareGroupOffsetsRequest.json and AlterShareGroupOffsetsResponse.json (v0, as released in 4.1).
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const AlterShareGroupOffsetsRequestSpec = {
  apiKey: 91,
  type: 'request',
  name: 'AlterShareGroupOffsetsRequest',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    {
      name: 'Topics',
      type: '[]AlterShareGroupOffsetsRequestTopic',
      versions: '0+',
      fields: [
        { name: 'TopicName', type: 'string', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]AlterShareGroupOffsetsRequestPartition',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'StartOffset', type: 'int64', versions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export const AlterShareGroupOffsetsResponseSpec = {
  apiKey: 91,
  type: 'response',
  name: 'AlterShareGroupOffsetsResponse',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    {
      name: 'Responses',
      type: '[]AlterShareGroupOffsetsResponseTopic',
      versions: '0+',
      fields: [
        { name: 'TopicName', type: 'string', versions: '0+' },
        { name: 'TopicId', type: 'uuid', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]AlterShareGroupOffsetsResponsePartition',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
            { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type AlterShareGroupOffsetsRequest = MessageValue<typeof AlterShareGroupOffsetsRequestSpec>;
export type AlterShareGroupOffsetsResponse = MessageValue<typeof AlterShareGroupOffsetsResponseSpec>;
export type AlterShareGroupOffsetsResponseInput = MessageInput<typeof AlterShareGroupOffsetsResponseSpec>;
