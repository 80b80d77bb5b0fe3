// ListGroups (API key 16): request and response, field for field as in Kafka's ListGroupsRequest.json
// and ListGroupsResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const ListGroupsRequestSpec = {
  apiKey: 16,
  type: 'request',
  name: 'ListGroupsRequest',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'StatesFilter', type: '[]string', versions: '4+' },
    { name: 'TypesFilter', type: '[]string', versions: '5+' },
  ],
} as const satisfies MessageSpec;

export const ListGroupsResponseSpec = {
  apiKey: 16,
  type: 'response',
  name: 'ListGroupsResponse',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    {
      name: 'Groups', type: '[]ListedGroup', versions: '0+',
      fields: [
        { name: 'GroupId', type: 'string', versions: '0+' },
        { name: 'ProtocolType', type: 'string', versions: '0+' },
        { name: 'GroupState', type: 'string', versions: '4+' },
        { name: 'GroupType', type: 'string', versions: '5+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type ListGroupsRequest = MessageValue<typeof ListGroupsRequestSpec>;
export type ListGroupsRequestInput = MessageInput<typeof ListGroupsRequestSpec>;
export type ListGroupsResponse = MessageValue<typeof ListGroupsResponseSpec>;
export type ListGroupsResponseInput = MessageInput<typeof ListGroupsResponseSpec>;
