// DescribeCluster (API key 60): the cluster id, the controller and every live broker, as admin clients
// (kafkajs describeCluster, the Java Admin) ask for them. Request and response field for field as in
// Kafka 3.9's DescribeClusterRequest.json and DescribeClusterResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const DescribeClusterRequestSpec = {
  apiKey: 60,
  type: 'request',
  name: 'DescribeClusterRequest',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'IncludeClusterAuthorizedOperations', type: 'bool', versions: '0+' },
    // 1 asks for brokers, 2 for controllers (KRaft only).
    { name: 'EndpointType', type: 'int8', versions: '1+', default: 1 },
  ],
} as const satisfies MessageSpec;

export const DescribeClusterResponseSpec = {
  apiKey: 60,
  type: 'response',
  name: 'DescribeClusterResponse',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'EndpointType', type: 'int8', versions: '1+', default: 1 },
    { name: 'ClusterId', type: 'string', versions: '0+' },
    { name: 'ControllerId', type: 'int32', versions: '0+', default: -1 },
    {
      name: 'Brokers', type: '[]DescribeClusterBroker', versions: '0+',
      fields: [
        { name: 'BrokerId', type: 'int32', versions: '0+' },
        { name: 'Host', type: 'string', versions: '0+' },
        { name: 'Port', type: 'int32', versions: '0+' },
        { name: 'Rack', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      ],
    },
    { name: 'ClusterAuthorizedOperations', type: 'int32', versions: '0+', default: -2147483648 },
  ],
} as const satisfies MessageSpec;

export type DescribeClusterRequest = MessageValue<typeof DescribeClusterRequestSpec>;
export type DescribeClusterRequestInput = MessageInput<typeof DescribeClusterRequestSpec>;
export type DescribeClusterResponse = MessageValue<typeof DescribeClusterResponseSpec>;
export type DescribeClusterResponseInput = MessageInput<typeof DescribeClusterResponseSpec>;
