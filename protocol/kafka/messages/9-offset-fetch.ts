// OffsetFetch (API key 9): request and response, field for field as in Kafka's OffsetFetchRequest.json
// and OffsetFetchResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const OffsetFetchRequestSpec = {
  apiKey: 9,
  type: 'request',
  name: 'OffsetFetchRequest',
  validVersions: '0-10',
  flexibleVersions: '6+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0-7' },
    {
      name: 'Topics', type: '[]OffsetFetchRequestTopic', versions: '0-7', nullableVersions: '2-7',
      fields: [
        { name: 'Name', type: 'string', versions: '0-7' },
        { name: 'PartitionIndexes', type: '[]int32', versions: '0-7' },
      ],
    },
    {
      name: 'Groups', type: '[]OffsetFetchRequestGroup', versions: '8+',
      fields: [
        { name: 'GroupId', type: 'string', versions: '8+' },
        { name: 'MemberId', type: 'string', versions: '9+', nullableVersions: '9+', default: null },
        { name: 'MemberEpoch', type: 'int32', versions: '9+', default: -1 },
        {
          name: 'Topics', type: '[]OffsetFetchRequestTopics', versions: '8+', nullableVersions: '8+',
          fields: [
            { name: 'Name', type: 'string', versions: '8-9' },
            { name: 'TopicId', type: 'uuid', versions: '10+' },
            { name: 'PartitionIndexes', type: '[]int32', versions: '8+' },
          ],
        },
      ],
    },
    { name: 'RequireStable', type: 'bool', versions: '7+', default: false },
  ],
} as const satisfies MessageSpec;

export const OffsetFetchResponseSpec = {
  apiKey: 9,
  type: 'response',
  name: 'OffsetFetchResponse',
  validVersions: '0-10',
  flexibleVersions: '6+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '3+' },
    {
      name: 'Topics', type: '[]OffsetFetchResponseTopic', versions: '0-7',
      fields: [
        { name: 'Name', type: 'string', versions: '0-7' },
        {
          name: 'Partitions', type: '[]OffsetFetchResponsePartition', versions: '0-7',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0-7' },
            { name: 'CommittedOffset', type: 'int64', versions: '0-7' },
            { name: 'CommittedLeaderEpoch', type: 'int32', versions: '5-7', default: -1 },
            { name: 'Metadata', type: 'string', versions: '0-7', nullableVersions: '0-7' },
            { name: 'ErrorCode', type: 'int16', versions: '0-7' },
          ],
        },
      ],
    },
    { name: 'ErrorCode', type: 'int16', versions: '2-7', default: 0 },
    {
      name: 'Groups', type: '[]OffsetFetchResponseGroup', versions: '8+',
      fields: [
        { name: 'GroupId', type: 'string', versions: '8+' },
        {
          name: 'Topics', type: '[]OffsetFetchResponseTopics', versions: '8+',
          fields: [
            { name: 'Name', type: 'string', versions: '8-9' },
            { name: 'TopicId', type: 'uuid', versions: '10+' },
            {
              name: 'Partitions', type: '[]OffsetFetchResponsePartitions', versions: '8+',
              fields: [
                { name: 'PartitionIndex', type: 'int32', versions: '8+' },
                { name: 'CommittedOffset', type: 'int64', versions: '8+' },
                { name: 'CommittedLeaderEpoch', type: 'int32', versions: '8+', default: -1 },
                { name: 'Metadata', type: 'string', versions: '8+', nullableVersions: '8+' },
                { name: 'ErrorCode', type: 'int16', versions: '8+' },
              ],
            },
          ],
        },
        { name: 'ErrorCode', type: 'int16', versions: '8+', default: 0 },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type OffsetFetchRequest = MessageValue<typeof OffsetFetchRequestSpec>;
export type OffsetFetchRequestInput = MessageInput<typeof OffsetFetchRequestSpec>;
export type OffsetFetchResponse = MessageValue<typeof OffsetFetchResponseSpec>;
export type OffsetFetchResponseInput = MessageInput<typeof OffsetFetchResponseSpec>;
