// IncrementalAlterConfigs (API key 44): request and response, field for field as in Kafka's
// IncrementalAlterConfigsRequest.json and IncrementalAlterConfigsResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const IncrementalAlterConfigsRequestSpec = {
  apiKey: 44,
  type: 'request',
  name: 'IncrementalAlterConfigsRequest',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    {
      name: 'Resources', type: '[]AlterConfigsResource', versions: '0+',
      fields: [
        { name: 'ResourceType', type: 'int8', versions: '0+' },
        { name: 'ResourceName', type: 'string', versions: '0+' },
        {
          name: 'Configs', type: '[]AlterableConfig', versions: '0+',
          fields: [
            { name: 'Name', type: 'string', versions: '0+' },
            { name: 'ConfigOperation', type: 'int8', versions: '0+' },
            { name: 'Value', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
    { name: 'ValidateOnly', type: 'bool', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export const IncrementalAlterConfigsResponseSpec = {
  apiKey: 44,
  type: 'response',
  name: 'IncrementalAlterConfigsResponse',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Responses', type: '[]AlterConfigsResourceResponse', versions: '0+',
      fields: [
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        { name: 'ResourceType', type: 'int8', versions: '0+' },
        { name: 'ResourceName', type: 'string', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type IncrementalAlterConfigsRequest = MessageValue<typeof IncrementalAlterConfigsRequestSpec>;
export type IncrementalAlterConfigsRequestInput = MessageInput<typeof IncrementalAlterConfigsRequestSpec>;
export type IncrementalAlterConfigsResponse = MessageValue<typeof IncrementalAlterConfigsResponseSpec>;
export type IncrementalAlterConfigsResponseInput = MessageInput<typeof IncrementalAlterConfigsResponseSpec>;
