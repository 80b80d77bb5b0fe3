// ElectLeaders (API key 43): elect the preferred replica (type 0) or, when no ISR member is alive, any
// live replica (type 1, unclean) as leader of the named partitions, or of all with a null list. Sent to
// the controller. Request and response field for field as in Kafka 3.9's ElectLeadersRequest.json and
// ElectLeadersResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const ElectLeadersRequestSpec = {
  apiKey: 43,
  type: 'request',
  name: 'ElectLeadersRequest',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'ElectionType', type: 'int8', versions: '1+', default: 0 },
    {
      name: 'TopicPartitions', type: '[]TopicPartitions', versions: '0+', nullableVersions: '0+',
      fields: [
        { name: 'Topic', type: 'string', versions: '0+' },
        { name: 'Partitions', type: '[]int32', versions: '0+' },
      ],
    },
    { name: 'TimeoutMs', type: 'int32', versions: '0+', default: 60000 },
  ],
} as const satisfies MessageSpec;

export const ElectLeadersResponseSpec = {
  apiKey: 43,
  type: 'response',
  name: 'ElectLeadersResponse',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '1+', default: 0 },
    {
      name: 'ReplicaElectionResults', type: '[]ReplicaElectionResult', versions: '0+',
      fields: [
        { name: 'Topic', type: 'string', versions: '0+' },
        {
          name: 'PartitionResult', type: '[]PartitionResult', versions: '0+',
          fields: [
            { name: 'PartitionId', type: 'int32', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
            { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type ElectLeadersRequest = MessageValue<typeof ElectLeadersRequestSpec>;
export type ElectLeadersRequestInput = MessageInput<typeof ElectLeadersRequestSpec>;
export type ElectLeadersResponse = MessageValue<typeof ElectLeadersResponseSpec>;
export type ElectLeadersResponseInput = MessageInput<typeof ElectLeadersResponseSpec>;
