// OffsetDelete (API key 47): request and response, field for field as in Kafka's OffsetDeleteRequest.json
// and OffsetDeleteResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const OffsetDeleteRequestSpec = {
  apiKey: 47,
  type: 'request',
  name: 'OffsetDeleteRequest',
  validVersions: '0',
  flexibleVersions: 'none',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    {
      name: 'Topics', type: '[]OffsetDeleteRequestTopic', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions', type: '[]OffsetDeleteRequestPartition', versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export const OffsetDeleteResponseSpec = {
  apiKey: 47,
  type: 'response',
  name: 'OffsetDeleteResponse',
  validVersions: '0',
  flexibleVersions: 'none',
  fields: [
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Topics', type: '[]OffsetDeleteResponseTopic', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions', type: '[]OffsetDeleteResponsePartition', versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type OffsetDeleteRequest = MessageValue<typeof OffsetDeleteRequestSpec>;
export type OffsetDeleteRequestInput = MessageInput<typeof OffsetDeleteRequestSpec>;
export type OffsetDeleteResponse = MessageValue<typeof OffsetDeleteResponseSpec>;
export type OffsetDeleteResponseInput = MessageInput<typeof OffsetDeleteResponseSpec>;
