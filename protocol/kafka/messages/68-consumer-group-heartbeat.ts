// ConsumerGroupHeartbeat (API key 68, KIP-848): request and response, field for field as in Kafka's
// ConsumerGroupHeartbeatRequest.json and ConsumerGroupHeartbeatResponse.json (v1 adds the regex).
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

const TopicPartitionsFields = [
  { name: 'TopicId', type: 'uuid', versions: '0+' },
  { name: 'Partitions', type: '[]int32', versions: '0+' },
] as const;

export const ConsumerGroupHeartbeatRequestSpec = {
  apiKey: 68,
  type: 'request',
  name: 'ConsumerGroupHeartbeatRequest',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    { name: 'MemberId', type: 'string', versions: '0+' },
    { name: 'MemberEpoch', type: 'int32', versions: '0+' },
    { name: 'InstanceId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'RackId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'RebalanceTimeoutMs', type: 'int32', versions: '0+', default: -1 },
    { name: 'SubscribedTopicNames', type: '[]string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'SubscribedTopicRegex', type: 'string', versions: '1+', nullableVersions: '1+', default: null },
    { name: 'ServerAssignor', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    {
      name: 'TopicPartitions',
      type: '[]TopicPartitions',
      versions: '0+',
      nullableVersions: '0+',
      default: null,
      fields: TopicPartitionsFields,
    },
  ],
} as const satisfies MessageSpec;

export const ConsumerGroupHeartbeatResponseSpec = {
  apiKey: 68,
  type: 'response',
  name: 'ConsumerGroupHeartbeatResponse',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'MemberId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'MemberEpoch', type: 'int32', versions: '0+' },
    { name: 'HeartbeatIntervalMs', type: 'int32', versions: '0+' },
    {
      name: 'Assignment',
      type: 'Assignment',
      versions: '0+',
      nullableVersions: '0+',
      default: null,
      fields: [{ name: 'TopicPartitions', type: '[]TopicPartitions', versions: '0+', fields: TopicPartitionsFields }],
    },
  ],
} as const satisfies MessageSpec;

export type ConsumerGroupHeartbeatRequest = MessageValue<typeof ConsumerGroupHeartbeatRequestSpec>;
export type ConsumerGroupHeartbeatRequestInput = MessageInput<typeof ConsumerGroupHeartbeatRequestSpec>;
export type ConsumerGroupHeartbeatResponse = MessageValue<typeof ConsumerGroupHeartbeatResponseSpec>;
export type ConsumerGroupHeartbeatResponseInput = MessageInput<typeof ConsumerGroupHeartbeatResponseSpec>;
