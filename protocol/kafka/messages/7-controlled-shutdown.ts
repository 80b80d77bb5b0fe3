// ControlledShutdown (API key 7): a stopping broker asks the controller to move its leaderships away
// first; the answer lists the partitions it still leads. Request and response field for field as in
// Kafka 3.9's ControlledShutdownRequest.json and ControlledShutdownResponse.json. Version 0 is sent with
// request header v0 (no client id). Inter-broker: not served to clients.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const ControlledShutdownRequestSpec = {
  apiKey: 7,
  type: 'request',
  name: 'ControlledShutdownRequest',
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'BrokerId', type: 'int32', versions: '0+' },
    { name: 'BrokerEpoch', type: 'int64', versions: '2+', default: -1 },
  ],
} as const satisfies MessageSpec;

export const ControlledShutdownResponseSpec = {
  apiKey: 7,
  type: 'response',
  name: 'ControlledShutdownResponse',
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    {
      name: 'RemainingPartitions', type: '[]RemainingPartition', versions: '0+',
      fields: [
        { name: 'TopicName', type: 'string', versions: '0+' },
        { name: 'PartitionIndex', type: 'int32', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type ControlledShutdownRequest = MessageValue<typeof ControlledShutdownRequestSpec>;
export type ControlledShutdownRequestInput = MessageInput<typeof ControlledShutdownRequestSpec>;
export type ControlledShutdownResponse = MessageValue<typeof ControlledShutdownResponseSpec>;
export type ControlledShutdownResponseInput = MessageInput<typeof ControlledShutdownResponseSpec>;
