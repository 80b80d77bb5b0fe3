// AlterPartitionReassignments (API key 45): move partitions to new replicas, or with null replicas cancel
// a partition's reassignment in progress (KIP-455). Sent to the controller. Request and response field for
// field as in Kafka 3.9's AlterPartitionReassignmentsRequest.json and AlterPartitionReassignmentsResponse.json
// (v0 only; v1 adds AllowReplicationFactorChange, which Kafka 2.x never sent).
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const AlterPartitionReassignmentsRequestSpec = {
  apiKey: 45,
  type: 'request',
  name: 'AlterPartitionReassignmentsRequest',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'TimeoutMs', type: 'int32', versions: '0+', default: 60000 },
    {
      name: 'Topics', type: '[]ReassignableTopic', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions', type: '[]ReassignablePartition', versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'Replicas', type: '[]int32', versions: '0+', nullableVersions: '0+', default: null },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export const AlterPartitionReassignmentsResponseSpec = {
  apiKey: 45,
  type: 'response',
  name: 'AlterPartitionReassignmentsResponse',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    {
      name: 'Responses', type: '[]ReassignableTopicResponse', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions', type: '[]ReassignablePartitionResponse', versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
            { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type AlterPartitionReassignmentsRequest = MessageValue<typeof AlterPartitionReassignmentsRequestSpec>;
export type AlterPartitionReassignmentsRequestInput = MessageInput<typeof AlterPartitionReassignmentsRequestSpec>;
export type AlterPartitionReassignmentsResponse = MessageValue<typeof AlterPartitionReassignmentsResponseSpec>;
export type AlterPartitionReassignmentsResponseInput = MessageInput<typeof AlterPartitionReassignmentsResponseSpec>;
