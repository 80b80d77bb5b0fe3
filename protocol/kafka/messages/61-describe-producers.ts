// DescribeProducers (API key 61): request and response, field for field as in Kafka's
// DescribeProducersRequest.json and DescribeProducersResponse.json (KIP-664). ProducerEpoch is an int32
// here, as Kafka declares it.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const DescribeProducersRequestSpec = {
  apiKey: 61,
  type: 'request',
  name: 'DescribeProducersRequest',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    {
      name: 'Topics', type: '[]TopicRequest', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'PartitionIndexes', type: '[]int32', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export const DescribeProducersResponseSpec = {
  apiKey: 61,
  type: 'response',
  name: 'DescribeProducersResponse',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Topics', type: '[]TopicResponse', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions', type: '[]PartitionResponse', versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
            { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
            {
              name: 'ActiveProducers', type: '[]ProducerState', versions: '0+',
              fields: [
                { name: 'ProducerId', type: 'int64', versions: '0+' },
                { name: 'ProducerEpoch', type: 'int32', versions: '0+' },
                { name: 'LastSequence', type: 'int32', versions: '0+', default: -1 },
                { name: 'LastTimestamp', type: 'int64', versions: '0+', default: -1 },
                { name: 'CoordinatorEpoch', type: 'int32', versions: '0+' },
                { name: 'CurrentTxnStartOffset', type: 'int64', versions: '0+', default: -1 },
              ],
            },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type DescribeProducersRequest = MessageValue<typeof DescribeProducersRequestSpec>;
export type DescribeProducersRequestInput = MessageInput<typeof DescribeProducersRequestSpec>;
export type DescribeProducersResponse = MessageValue<typeof DescribeProducersResponseSpec>;
export type DescribeProducersResponseInput = MessageInput<typeof DescribeProducersResponseSpec>;
