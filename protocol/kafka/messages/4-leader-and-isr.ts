// LeaderAndIsr (API key 4): the controller tells a broker which partitions it leads or follows, with
// their leader, leader epoch, ISR and replicas. Request and response field for field as in Kafka 3.9's
// LeaderAndIsrRequest.json and LeaderAndIsrResponse.json (ZooKeeper mode; gone in Kafka 4.0). Inter-broker:
// not served to clients until Skein has a controller.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

/** Kafka's LeaderAndIsrPartitionState, listed alone in v0-1 and under its topic from v2. */
const PARTITION_STATE = [
  { name: 'TopicName', type: 'string', versions: '0-1' },
  { name: 'PartitionIndex', type: 'int32', versions: '0+' },
  { name: 'ControllerEpoch', type: 'int32', versions: '0+' },
  { name: 'Leader', type: 'int32', versions: '0+' },
  { name: 'LeaderEpoch', type: 'int32', versions: '0+' },
  { name: 'Isr', type: '[]int32', versions: '0+' },
  { name: 'PartitionEpoch', type: 'int32', versions: '0+' },
  { name: 'Replicas', type: '[]int32', versions: '0+' },
  { name: 'AddingReplicas', type: '[]int32', versions: '3+' },
  { name: 'RemovingReplicas', type: '[]int32', versions: '3+' },
  { name: 'IsNew', type: 'bool', versions: '1+', default: false },
  { name: 'LeaderRecoveryState', type: 'int8', versions: '6+', default: 0 },
] as const;

export const LeaderAndIsrRequestSpec = {
  apiKey: 4,
  type: 'request',
  name: 'LeaderAndIsrRequest',
  validVersions: '0-7',
  flexibleVersions: '4+',
  fields: [
    { name: 'ControllerId', type: 'int32', versions: '0+' },
    { name: 'isKRaftController', type: 'bool', versions: '7+', default: false },
    { name: 'ControllerEpoch', type: 'int32', versions: '0+' },
    { name: 'BrokerEpoch', type: 'int64', versions: '2+', default: -1 },
    // 0 (incremental) or 1 (full): whether the request lists every partition the broker hosts.
    { name: 'Type', type: 'int8', versions: '5+' },
    { name: 'UngroupedPartitionStates', type: '[]LeaderAndIsrPartitionState', versions: '0-1', fields: PARTITION_STATE },
    {
      name: 'TopicStates', type: '[]LeaderAndIsrTopicState', versions: '2+',
      fields: [
        { name: 'TopicName', type: 'string', versions: '2+' },
        { name: 'TopicId', type: 'uuid', versions: '5+' },
        { name: 'PartitionStates', type: '[]LeaderAndIsrPartitionState', versions: '2+', fields: PARTITION_STATE },
      ],
    },
    {
      name: 'LiveLeaders', type: '[]LeaderAndIsrLiveLeader', versions: '0+',
      fields: [
        { name: 'BrokerId', type: 'int32', versions: '0+' },
        { name: 'HostName', type: 'string', versions: '0+' },
        { name: 'Port', type: 'int32', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

/** Kafka's LeaderAndIsrPartitionError, listed alone up to v4 and under its topic id from v5. */
const PARTITION_ERROR = [
  { name: 'TopicName', type: 'string', versions: '0-4' },
  { name: 'PartitionIndex', type: 'int32', versions: '0+' },
  { name: 'ErrorCode', type: 'int16', versions: '0+' },
] as const;

export const LeaderAndIsrResponseSpec = {
  apiKey: 4,
  type: 'response',
  name: 'LeaderAndIsrResponse',
  validVersions: '0-7',
  flexibleVersions: '4+',
  fields: [
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'PartitionErrors', type: '[]LeaderAndIsrPartitionError', versions: '0-4', fields: PARTITION_ERROR },
    {
      name: 'Topics', type: '[]LeaderAndIsrTopicError', versions: '5+',
      fields: [
        { name: 'TopicId', type: 'uuid', versions: '5+' },
        { name: 'PartitionErrors', type: '[]LeaderAndIsrPartitionError', versions: '5+', fields: PARTITION_ERROR },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type LeaderAndIsrRequest = MessageValue<typeof LeaderAndIsrRequestSpec>;
export type LeaderAndIsrRequestInput = MessageInput<typeof LeaderAndIsrRequestSpec>;
export type LeaderAndIsrResponse = MessageValue<typeof LeaderAndIsrResponseSpec>;
export type LeaderAndIsrResponseInput = MessageInput<typeof LeaderAndIsrResponseSpec>;
