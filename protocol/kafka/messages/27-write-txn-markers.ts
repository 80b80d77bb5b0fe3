// WriteTxnMarkers (API key 27): request and response, field for field as in Kafka's
// WriteTxnMarkersRequest.json and WriteTxnMarkersResponse.json. A transaction coordinator sends it to
// partition leaders; TransactionResult false is ABORT, true is COMMIT.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const WriteTxnMarkersRequestSpec = {
  apiKey: 27,
  type: 'request',
  name: 'WriteTxnMarkersRequest',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    {
      name: 'Markers', type: '[]WritableTxnMarker', versions: '0+',
      fields: [
        { name: 'ProducerId', type: 'int64', versions: '0+' },
        { name: 'ProducerEpoch', type: 'int16', versions: '0+' },
        { name: 'TransactionResult', type: 'bool', versions: '0+' },
        {
          name: 'Topics', type: '[]WritableTxnMarkerTopic', versions: '0+',
          fields: [
            { name: 'Name', type: 'string', versions: '0+' },
            { name: 'PartitionIndexes', type: '[]int32', versions: '0+' },
          ],
        },
        { name: 'CoordinatorEpoch', type: 'int32', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export const WriteTxnMarkersResponseSpec = {
  apiKey: 27,
  type: 'response',
  name: 'WriteTxnMarkersResponse',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    {
      name: 'Markers', type: '[]WritableTxnMarkerResult', versions: '0+',
      fields: [
        { name: 'ProducerId', type: 'int64', versions: '0+' },
        {
          name: 'Topics', type: '[]WritableTxnMarkerTopicResult', versions: '0+',
          fields: [
            { name: 'Name', type: 'string', versions: '0+' },
            {
              name: 'Partitions', type: '[]WritableTxnMarkerPartitionResult', versions: '0+',
              fields: [
                { name: 'PartitionIndex', type: 'int32', versions: '0+' },
                { name: 'ErrorCode', type: 'int16', versions: '0+' },
              ],
            },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type WriteTxnMarkersRequest = MessageValue<typeof WriteTxnMarkersRequestSpec>;
export type WriteTxnMarkersRequestInput = MessageInput<typeof WriteTxnMarkersRequestSpec>;
export type WriteTxnMarkersResponse = MessageValue<typeof WriteTxnMarkersResponseSpec>;
export type WriteTxnMarkersResponseInput = MessageInput<typeof WriteTxnMarkersResponseSpec>;
