// DeleteGroups (API key 42): request and response, field for field as in Kafka's DeleteGroupsRequest.json
// and DeleteGroupsResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const DeleteGroupsRequestSpec = {
  apiKey: 42,
  type: 'request',
  name: 'DeleteGroupsRequest',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'GroupsNames', type: '[]string', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export const DeleteGroupsResponseSpec = {
  apiKey: 42,
  type: 'response',
  name: 'DeleteGroupsResponse',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Results', type: '[]DeletableGroupResult', versions: '0+',
      fields: [
        { name: 'GroupId', type: 'string', versions: '0+' },
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type DeleteGroupsRequest = MessageValue<typeof DeleteGroupsRequestSpec>;
export type DeleteGroupsRequestInput = MessageInput<typeof DeleteGroupsRequestSpec>;
export type DeleteGroupsResponse = MessageValue<typeof DeleteGroupsResponseSpec>;
export type DeleteGroupsResponseInput = MessageInput<typeof DeleteGroupsResponseSpec>;
