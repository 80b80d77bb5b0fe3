// StopReplica (API key 5): the controller tells a broker to stop replicating partitions, and whether to
// delete them. Request and response field for field as in Kafka 3.9's StopReplicaRequest.json and
// StopReplicaResponse.json (ZooKeeper mode; gone in Kafka 4.0). Inter-broker: not served to clients.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const StopReplicaRequestSpec = {
  apiKey: 5,
  type: 'request',
  name: 'StopReplicaRequest',
  validVersions: '0-4',
  flexibleVersions: '2+',
  fields: [
    { name: 'ControllerId', type: 'int32', versions: '0+' },
    { name: 'isKRaftController', type: 'bool', versions: '4+', default: false },
    { name: 'ControllerEpoch', type: 'int32', versions: '0+' },
    { name: 'BrokerEpoch', type: 'int64', versions: '1+', default: -1 },
    { name: 'DeletePartitions', type: 'bool', versions: '0-2' },
    {
      name: 'UngroupedPartitions', type: '[]StopReplicaPartitionV0', versions: '0',
      fields: [
        { name: 'TopicName', type: 'string', versions: '0' },
        { name: 'PartitionIndex', type: 'int32', versions: '0' },
      ],
    },
    {
      name: 'Topics', type: '[]StopReplicaTopicV1', versions: '1-2',
      fields: [
        { name: 'Name', type: 'string', versions: '1-2' },
        { name: 'PartitionIndexes', type: '[]int32', versions: '1-2' },
      ],
    },
    {
      name: 'TopicStates', type: '[]StopReplicaTopicState', versions: '3+',
      fields: [
        { name: 'TopicName', type: 'string', versions: '3+' },
        {
          name: 'PartitionStates', type: '[]StopReplicaPartitionState', versions: '3+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '3+' },
            { name: 'LeaderEpoch', type: 'int32', versions: '3+', default: -1 },
            { name: 'DeletePartition', type: 'bool', versions: '3+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export const StopReplicaResponseSpec = {
  apiKey: 5,
  type: 'response',
  name: 'StopReplicaResponse',
  validVersions: '0-4',
  flexibleVersions: '2+',
  fields: [
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    {
      name: 'PartitionErrors', type: '[]StopReplicaPartitionError', versions: '0+',
      fields: [
        { name: 'TopicName', type: 'string', versions: '0+' },
        { name: 'PartitionIndex', type: 'int32', versions: '0+' },
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type StopReplicaRequest = MessageValue<typeof StopReplicaRequestSpec>;
export type StopReplicaRequestInput = MessageInput<typeof StopReplicaRequestSpec>;
export type StopReplicaResponse = MessageValue<typeof StopReplicaResponseSpec>;
export type StopReplicaResponseInput = MessageInput<typeof StopReplicaResponseSpec>;
