// ListPartitionReassignments (API key 46): the reassignments in progress, of the named partitions or of
// all with null topics (KIP-455). Sent to the controller. Request and response field for field as in
// Kafka 3.9's ListPartitionReassignmentsRequest.json and ListPartitionReassignmentsResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const ListPartitionReassignmentsRequestSpec = {
  apiKey: 46,
  type: 'request',
  name: 'ListPartitionReassignmentsRequest',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'TimeoutMs', type: 'int32', versions: '0+', default: 60000 },
    {
      name: 'Topics', type: '[]ListPartitionReassignmentsTopics', versions: '0+', nullableVersions: '0+', default: null,
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'PartitionIndexes', type: '[]int32', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export const ListPartitionReassignmentsResponseSpec = {
  apiKey: 46,
  type: 'response',
  name: 'ListPartitionReassignmentsResponse',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    {
      name: 'Topics', type: '[]OngoingTopicReassignment', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions', type: '[]OngoingPartitionReassignment', versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'Replicas', type: '[]int32', versions: '0+' },
            { name: 'AddingReplicas', type: '[]int32', versions: '0+' },
            { name: 'RemovingReplicas', type: '[]int32', versions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type ListPartitionReassignmentsRequest = MessageValue<typeof ListPartitionReassignmentsRequestSpec>;
export type ListPartitionReassignmentsRequestInput = MessageInput<typeof ListPartitionReassignmentsRequestSpec>;
export type ListPartitionReassignmentsResponse = MessageValue<typeof ListPartitionReassignmentsResponseSpec>;
export type ListPartitionReassignmentsResponseInput = MessageInput<typeof ListPartitionReassignmentsResponseSpec>;
