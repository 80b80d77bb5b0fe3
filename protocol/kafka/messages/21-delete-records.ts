// DeleteRecords (API key 21): request and response, field for field as in Kafka's DeleteRecordsRequest.json
// and DeleteRecordsResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const DeleteRecordsRequestSpec = {
  apiKey: 21,
  type: 'request',
  name: 'DeleteRecordsRequest',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    {
      name: 'Topics', type: '[]DeleteRecordsTopic', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions', type: '[]DeleteRecordsPartition', versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'Offset', type: 'int64', versions: '0+' },
          ],
        },
      ],
    },
    { name: 'TimeoutMs', type: 'int32', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export const DeleteRecordsResponseSpec = {
  apiKey: 21,
  type: 'response',
  name: 'DeleteRecordsResponse',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Topics', type: '[]DeleteRecordsTopicResult', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions', type: '[]DeleteRecordsPartitionResult', versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'LowWatermark', type: 'int64', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type DeleteRecordsRequest = MessageValue<typeof DeleteRecordsRequestSpec>;
export type DeleteRecordsRequestInput = MessageInput<typeof DeleteRecordsRequestSpec>;
export type DeleteRecordsResponse = MessageValue<typeof DeleteRecordsResponseSpec>;
export type DeleteRecordsResponseInput = MessageInput<typeof DeleteRecordsResponseSpec>;
