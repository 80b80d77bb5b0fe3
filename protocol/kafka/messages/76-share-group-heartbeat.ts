// ShareGroupHeartbeat (API key 76, KIP-932): request and response, field for field as in Kafka's
// ShareGroupHeartbeatRequest.json and ShareGroupHeartbeatResponse.json. v0 was Kafka 4.0's early
// access and was removed in 4.1, so v1 is the only version.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const ShareGroupHeartbeatRequestSpec = {
  apiKey: 76,
  type: 'request',
  name: 'ShareGroupHeartbeatRequest',
  validVersions: '1',
  flexibleVersions: '0+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    { name: 'MemberId', type: 'string', versions: '0+' },
    { name: 'MemberEpoch', type: 'int32', versions: '0+' },
    { name: 'RackId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'SubscribedTopicNames', type: '[]string', versions: '0+', nullableVersions: '0+', default: null },
  ],
} as const satisfies MessageSpec;

export const ShareGroupHeartbeatResponseSpec = {
  apiKey: 76,
  type: 'response',
  name: 'ShareGroupHeartbeatResponse',
  validVersions: '1',
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
      fields: [
        {
          name: 'TopicPartitions',
          type: '[]TopicPartitions',
          versions: '0+',
          fields: [
            { name: 'TopicId', type: 'uuid', versions: '0+' },
            { name: 'Partitions', type: '[]int32', versions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type ShareGroupHeartbeatRequest = MessageValue<typeof ShareGroupHeartbeatRequestSpec>;
export type ShareGroupHeartbeatRequestInput = MessageInput<typeof ShareGroupHeartbeatRequestSpec>;
export type ShareGroupHeartbeatResponse = MessageValue<typeof ShareGroupHeartbeatResponseSpec>;
export type ShareGroupHeartbeatResponseInput = MessageInput<typeof ShareGroupHeartbeatResponseSpec>;
