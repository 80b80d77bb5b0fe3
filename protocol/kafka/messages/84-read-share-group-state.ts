// ReadShareGroupState (API key 84, KIP-932): a share-partition leader asks the share coordinator for the
// durable state of its share-partitions. Broker to broker only. Field for field as in Kafka's
// ReadShareGroupStateRequest.json and ReadShareGroupStateResponse.json (v0).
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

/** A share-partition's durable state batches, as both 84's response and 85's request carry them. */
export const STATE_BATCH_FIELDS = [
  { name: 'FirstOffset', type: 'int64', versions: '0+' },
  { name: 'LastOffset', type: 'int64', versions: '0+' },
  { name: 'DeliveryState', type: 'int8', versions: '0+' },
  { name: 'DeliveryCount', type: 'int16', versions: '0+' },
] as const;

export const ReadShareGroupStateRequestSpec = {
  apiKey: 84,
  type: 'request',
  name: 'ReadShareGroupStateRequest',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    {
      name: 'Topics',
      type: '[]ReadStateData',
      versions: '0+',
      fields: [
        { name: 'TopicId', type: 'uuid', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]PartitionData',
          versions: '0+',
          fields: [
            { name: 'Partition', type: 'int32', versions: '0+' },
            { name: 'LeaderEpoch', type: 'int32', versions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export const ReadShareGroupStateResponseSpec = {
  apiKey: 84,
  type: 'response',
  name: 'ReadShareGroupStateResponse',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    {
      name: 'Results',
      type: '[]ReadStateResult',
      versions: '0+',
      fields: [
        { name: 'TopicId', type: 'uuid', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]PartitionResult',
          versions: '0+',
          fields: [
            { name: 'Partition', type: 'int32', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
            { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
            { name: 'StateEpoch', type: 'int32', versions: '0+' },
            { name: 'StartOffset', type: 'int64', versions: '0+' },
            { name: 'StateBatches', type: '[]StateBatch', versions: '0+', fields: STATE_BATCH_FIELDS },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type ReadShareGroupStateRequest = MessageValue<typeof ReadShareGroupStateRequestSpec>;
export type ReadShareGroupStateResponse = MessageValue<typeof ReadShareGroupStateResponseSpec>;
export type ReadShareGroupStateResponseInput = MessageInput<typeof ReadShareGroupStateResponseSpec>;
