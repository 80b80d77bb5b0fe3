// UpdateMetadata (API key 6): the controller sends every broker the live brokers and each partition's
// leader, epoch, ISR and replicas, from which brokers answer Metadata. Request and response field for
// field as in Kafka 3.9's UpdateMetadataRequest.json and UpdateMetadataResponse.json (ZooKeeper mode;
// gone in Kafka 4.0). Inter-broker: not served to clients.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

/** Kafka's UpdateMetadataPartitionState, listed alone in v0-4 and under its topic from v5. */
const PARTITION_STATE = [
  { name: 'TopicName', type: 'string', versions: '0-4' },
  { name: 'PartitionIndex', type: 'int32', versions: '0+' },
  { name: 'ControllerEpoch', type: 'int32', versions: '0+' },
  { name: 'Leader', type: 'int32', versions: '0+' },
  { name: 'LeaderEpoch', type: 'int32', versions: '0+' },
  { name: 'Isr', type: '[]int32', versions: '0+' },
  { name: 'ZkVersion', type: 'int32', versions: '0+' },
  { name: 'Replicas', type: '[]int32', versions: '0+' },
  { name: 'OfflineReplicas', type: '[]int32', versions: '4+' },
] as const;

export const UpdateMetadataRequestSpec = {
  apiKey: 6,
  type: 'request',
  name: 'UpdateMetadataRequest',
  validVersions: '0-8',
  flexibleVersions: '6+',
  fields: [
    { name: 'ControllerId', type: 'int32', versions: '0+' },
    { name: 'isKRaftController', type: 'bool', versions: '8+', default: false },
    // 0 (unknown), 1 (incremental) or 2 (full).
    { name: 'Type', type: 'int8', versions: '8+', taggedVersions: '8+', tag: 0, default: 0 },
    { name: 'ControllerEpoch', type: 'int32', versions: '0+' },
    { name: 'BrokerEpoch', type: 'int64', versions: '5+', default: -1 },
    { name: 'UngroupedPartitionStates', type: '[]UpdateMetadataPartitionState', versions: '0-4', fields: PARTITION_STATE },
    {
      name: 'TopicStates', type: '[]UpdateMetadataTopicState', versions: '5+',
      fields: [
        { name: 'TopicName', type: 'string', versions: '5+' },
        { name: 'TopicId', type: 'uuid', versions: '7+' },
        { name: 'PartitionStates', type: '[]UpdateMetadataPartitionState', versions: '5+', fields: PARTITION_STATE },
      ],
    },
    {
      name: 'LiveBrokers', type: '[]UpdateMetadataBroker', versions: '0+',
      fields: [
        { name: 'Id', type: 'int32', versions: '0+' },
        { name: 'V0Host', type: 'string', versions: '0' },
        { name: 'V0Port', type: 'int32', versions: '0' },
        {
          name: 'Endpoints', type: '[]UpdateMetadataEndpoint', versions: '1+',
          fields: [
            { name: 'Port', type: 'int32', versions: '1+' },
            { name: 'Host', type: 'string', versions: '1+' },
            { name: 'Listener', type: 'string', versions: '3+' },
            { name: 'SecurityProtocol', type: 'int16', versions: '1+' },
          ],
        },
        { name: 'Rack', type: 'string', versions: '2+', nullableVersions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export const UpdateMetadataResponseSpec = {
  apiKey: 6,
  type: 'response',
  name: 'UpdateMetadataResponse',
  validVersions: '0-8',
  flexibleVersions: '6+',
  fields: [{ name: 'ErrorCode', type: 'int16', versions: '0+' }],
} as const satisfies MessageSpec;

export type UpdateMetadataRequest = MessageValue<typeof UpdateMetadataRequestSpec>;
export type UpdateMetadataRequestInput = MessageInput<typeof UpdateMetadataRequestSpec>;
export type UpdateMetadataResponse = MessageValue<typeof UpdateMetadataResponseSpec>;
export type UpdateMetadataResponseInput = MessageInput<typeof UpdateMetadataResponseSpec>;
