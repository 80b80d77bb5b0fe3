// WriteShareGroupState (API key 85, KIP-932): a share-partition leader hands the share coordinator the
// state of its share-partitions to make durable. Broker to broker only. Field for field as in Kafka's
// WriteShareGroupStateRequest.json and WriteShareGroupStateResponse.json (v0).
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';
import { STATE_BATCH_FIELDS } from './84-read-share-group-state.js';

/** Each topic's partitions with an error code: the results of 85 and 86 alike. */
export const STATE_RESULT_FIELDS = [
  { name: 'TopicId', type: 'uuid', versions: '0+' },
  {
    name: 'Partitions',
    type: '[]PartitionResult',
    versions: '0+',
    fields: [
      { name: 'Partition', type: 'int32', versions: '0+' },
      { name: 'ErrorCode', type: 'int16', versions: '0+' },
      { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    ],
  },
] as const;

export const WriteShareGroupStateRequestSpec = {
  apiKey: 85,
  type: 'request',
  name: 'WriteShareGroupStateRequest',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    {
      name: 'Topics',
      type: '[]WriteStateData',
      versions: '0+',
      fields: [
        { name: 'TopicId', type: 'uuid', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]PartitionData',
          versions: '0+',
          fields: [
            { name: 'Partition', type: 'int32', versions: '0+' },
            { name: 'StateEpoch', type: 'int32', versions: '0+' },
            { name: 'LeaderEpoch', type: 'int32', versions: '0+' },
            { name: 'StartOffset', type: 'int64', versions: '0+' },
            { name: 'StateBatches', type: '[]StateBatch', versions: '0+', fields: STATE_BATCH_FIELDS },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export const WriteShareGroupStateResponseSpec = {
  apiKey: 85,
  type: 'response',
  name: 'WriteShareGroupStateResponse',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [{ name: 'Results', type: '[]WriteStateResult', versions: '0+', fields: STATE_RESULT_FIELDS }],
} as const satisfies MessageSpec;

export type WriteShareGroupStateRequest = MessageValue<typeof WriteShareGroupStateRequestSpec>;
export type WriteShareGroupStateRequestInput = MessageInput<typeof WriteShareGroupStateRequestSpec>;
export type WriteShareGroupStateResponse = MessageValue<typeof WriteShareGroupStateResponseSpec>;
export type WriteShareGroupStateResponseInput = MessageInput<typeof WriteShareGroupStateResponseSpec>;
