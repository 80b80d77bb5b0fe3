// DescribeTopicPartitions (API key 75, KIP-966): what Metadata says of topics' partitions, paginated so
// that an admin client can describe topics with many partitions: at most ResponsePartitionLimit
// partitions per answer, the next page named by a cursor (topic, partition index). The Java Admin's
// describeTopics uses it from Kafka 3.8. Field for field as in Kafka 4.x's
// DescribeTopicPartitionsRequest.json and DescribeTopicPartitionsResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

const CursorFields = [
  { name: 'TopicName', type: 'string', versions: '0+' },
  { name: 'PartitionIndex', type: 'int32', versions: '0+' },
] as const;

export const DescribeTopicPartitionsRequestSpec = {
  apiKey: 75,
  type: 'request',
  name: 'DescribeTopicPartitionsRequest',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    // Empty asks for every topic.
    { name: 'Topics', type: '[]TopicRequest', versions: '0+', fields: [{ name: 'Name', type: 'string', versions: '0+' }] },
    { name: 'ResponsePartitionLimit', type: 'int32', versions: '0+', default: 2000 },
    { name: 'Cursor', type: 'Cursor', versions: '0+', nullableVersions: '0+', default: null, fields: CursorFields },
  ],
} as const satisfies MessageSpec;

export const DescribeTopicPartitionsResponseSpec = {
  apiKey: 75,
  type: 'response',
  name: 'DescribeTopicPartitionsResponse',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Topics', type: '[]DescribeTopicPartitionsResponseTopic', versions: '0+',
      fields: [
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'Name', type: 'string', versions: '0+', nullableVersions: '0+' },
        { name: 'TopicId', type: 'uuid', versions: '0+' },
        { name: 'IsInternal', type: 'bool', versions: '0+', default: false },
        {
          name: 'Partitions', type: '[]DescribeTopicPartitionsResponsePartition', versions: '0+',
          fields: [
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'LeaderId', type: 'int32', versions: '0+' },
            { name: 'LeaderEpoch', type: 'int32', versions: '0+', default: -1 },
            { name: 'ReplicaNodes', type: '[]int32', versions: '0+' },
            { name: 'IsrNodes', type: '[]int32', versions: '0+' },
            // KIP-966's eligible leader replicas; Kafka sends [] when ELR is off, null only by default.
            { name: 'EligibleLeaderReplicas', type: '[]int32', versions: '0+', nullableVersions: '0+', default: null },
            { name: 'LastKnownELR', type: '[]int32', versions: '0+', nullableVersions: '0+', default: null },
            { name: 'OfflineReplicas', type: '[]int32', versions: '0+' },
          ],
        },
        { name: 'TopicAuthorizedOperations', type: 'int32', versions: '0+', default: -2147483648 },
      ],
    },
    { name: 'NextCursor', type: 'Cursor', versions: '0+', nullableVersions: '0+', default: null, fields: CursorFields },
  ],
} as const satisfies MessageSpec;

export type DescribeTopicPartitionsRequest = MessageValue<typeof DescribeTopicPartitionsRequestSpec>;
export type DescribeTopicPartitionsRequestInput = MessageInput<typeof DescribeTopicPartitionsRequestSpec>;
export type DescribeTopicPartitionsResponse = MessageValue<typeof DescribeTopicPartitionsResponseSpec>;
export type DescribeTopicPartitionsResponseInput = MessageInput<typeof DescribeTopicPartitionsResponseSpec>;
