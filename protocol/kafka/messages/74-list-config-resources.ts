// ListConfigResources (API key 74): the names of config resources. v0 was KIP-714's
// ListClientMetricsResources (client-metrics subscriptions only); v1 (KIP-1142) lists the resource types
// asked for, every type the broker lists when none is. Field for field as Kafka's
// ListConfigResourcesRequest.json and ListConfigResourcesResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

/** ConfigResource.Type of client-metrics subscriptions: what v0 lists, and v1's default in a resource. */
const CLIENT_METRICS = 16;

export const ListConfigResourcesRequestSpec = {
  apiKey: 74,
  type: 'request',
  name: 'ListConfigResourcesRequest',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    // ConfigResource.Type ids; empty: every type the broker lists.
    { name: 'ResourceTypes', type: '[]int8', versions: '1+' },
  ],
} as const satisfies MessageSpec;

export const ListConfigResourcesResponseSpec = {
  apiKey: 74,
  type: 'response',
  name: 'ListConfigResourcesResponse',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    {
      name: 'ConfigResources',
      type: '[]ConfigResource',
      versions: '0+',
      fields: [
        { name: 'ResourceName', type: 'string', versions: '0+' },
        // Ignorable: a v0 answer drops it, as every resource v0 lists is a client-metrics one.
        { name: 'ResourceType', type: 'int8', versions: '1+', default: CLIENT_METRICS },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type ListConfigResourcesRequest = MessageValue<typeof ListConfigResourcesRequestSpec>;
export type ListConfigResourcesRequestInput = MessageInput<typeof ListConfigResourcesRequestSpec>;
export type ListConfigResourcesResponse = MessageValue<typeof ListConfigResourcesResponseSpec>;
export type ListConfigResourcesResponseInput = MessageInput<typeof ListConfigResourcesResponseSpec>;
