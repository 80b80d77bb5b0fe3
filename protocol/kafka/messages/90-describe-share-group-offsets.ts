// DescribeShareGroupOffsets (API key 90, KIP-932): request and response, field for field as in Kafka's
// DescribeShareGroupOffsetsRequest.json and DescribeShareGroupOffsetsResponse.json (v0; v1 adds each share-partition's lag).
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const DescribeShareGroupOffsetsRequestSpec = {
  apiKey: 90,
  type: 'request',
  name: 'DescribeShareGroupOffsetsRequest',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    {
      name: 'Groups',
      type: '[]DescribeShareGroupOffsetsRequestGroup',
      versions: '0+',
      fields: [
        { name: 'GroupId', type: 'string', versions: '0+' },
        {
          name: 'Topics',
          type: '[]DescribeShareGroupOffsetsRequestTopic',
          versions: '0+',
          nullableVersions: '0+',
          fields: [
            { name: 'TopicName', type: 'string', versions: '0+' },
            { name: 'Partitions', type: '[]int32', versions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export const DescribeShareGroupOffsetsResponseSpec = {
  apiKey: 90,
  type: 'response',
  name: 'DescribeShareGroupOffsetsResponse',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Groups',
      type: '[]DescribeShareGroupOffsetsResponseGroup',
      versions: '0+',
      fields: [
        { name: 'GroupId', type: 'string', versions: '0+' },
        {
          name: 'Topics',
          type: '[]DescribeShareGroupOffsetsResponseTopic',
          versions: '0+',
          fields: [
            { name: 'TopicName', type: 'string', versions: '0+' },
            { name: 'TopicId', type: 'uuid', versions: '0+' },
            {
              name: 'Partitions',
              type: '[]DescribeShareGroupOffsetsResponsePartition',
              versions: '0+',
              fields: [
                { name: 'PartitionIndex', type: 'int32', versions: '0+' },
                { name: 'StartOffset', type: 'int64', versions: '0+' },
                { name: 'LeaderEpoch', type: 'int32', versions: '0+' },
                { name: 'Lag', type: 'int64', versions: '1+', default: -1 },
                { name: 'ErrorCode', type: 'int16', versions: '0+' },
                { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
              ],
            },
          ],
        },
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type DescribeShareGroupOffsetsRequest = MessageValue<typeof DescribeShareGroupOffsetsRequestSpec>;
export type DescribeShareGroupOffsetsResponse = MessageValue<typeof DescribeShareGroupOffsetsResponseSpec>;
export type DescribeShareGroupOffsetsResponseInput = MessageInput<typeof DescribeShareGroupOffsetsResponseSpec>;
