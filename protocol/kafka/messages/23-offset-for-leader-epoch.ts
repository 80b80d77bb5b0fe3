// OffsetForLeaderEpoch (API key 23): request and response, field for field as in Kafka 3.9's
// OffsetForLeaderEpochRequest.json and OffsetForLeaderEpochResponse.json. Followers ask where an epoch
// ended to truncate a diverged tail (KIP-101/279); consumers ask to detect truncation (KIP-320).
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const OffsetForLeaderEpochRequestSpec = {
  apiKey: 23,
  type: 'request',
  name: 'OffsetForLeaderEpochRequest',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    // -2 (a debugging consumer) for versions before 3, whose followers sent no id.
    { name: 'ReplicaId', type: 'int32', versions: '3+', default: -2 },
    {
      name: 'Topics', type: '[]OffsetForLeaderTopic', versions: '0+',
      fields: [
        { name: 'Topic', type: 'string', versions: '0+' },
        {
          name: 'Partitions', type: '[]OffsetForLeaderPartition', versions: '0+',
          fields: [
            { name: 'Partition', type: 'int32', versions: '0+' },
            { name: 'CurrentLeaderEpoch', type: 'int32', versions: '2+', default: -1 },
            { name: 'LeaderEpoch', type: 'int32', versions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export const OffsetForLeaderEpochResponseSpec = {
  apiKey: 23,
  type: 'response',
  name: 'OffsetForLeaderEpochResponse',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '2+' },
    {
      name: 'Topics', type: '[]OffsetForLeaderTopicResult', versions: '0+',
      fields: [
        { name: 'Topic', type: 'string', versions: '0+' },
        {
          name: 'Partitions', type: '[]EpochEndOffset', versions: '0+',
          fields: [
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
            { name: 'Partition', type: 'int32', versions: '0+' },
            { name: 'LeaderEpoch', type: 'int32', versions: '1+', default: -1 },
            { name: 'EndOffset', type: 'int64', versions: '0+', default: -1 },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type OffsetForLeaderEpochRequest = MessageValue<typeof OffsetForLeaderEpochRequestSpec>;
export type OffsetForLeaderEpochRequestInput = MessageInput<typeof OffsetForLeaderEpochRequestSpec>;
export type OffsetForLeaderEpochResponse = MessageValue<typeof OffsetForLeaderEpochResponseSpec>;
export type OffsetForLeaderEpochResponseInput = MessageInput<typeof OffsetForLeaderEpochResponseSpec>;
