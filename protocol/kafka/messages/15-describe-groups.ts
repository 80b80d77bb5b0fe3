// DescribeGroups (API key 15): request and response, field for field as in Kafka's DescribeGroupsRequest.json
// and DescribeGroupsResponse.json. v6 (KIP-1043) answers a group that is missing or not classic with
// GROUP_ID_NOT_FOUND and an error message, where earlier versions describe it as Dead.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const DescribeGroupsRequestSpec = {
  apiKey: 15,
  type: 'request',
  name: 'DescribeGroupsRequest',
  validVersions: '0-6',
  flexibleVersions: '5+',
  fields: [
    { name: 'Groups', type: '[]string', versions: '0+' },
    { name: 'IncludeAuthorizedOperations', type: 'bool', versions: '3+' },
  ],
} as const satisfies MessageSpec;

export const DescribeGroupsResponseSpec = {
  apiKey: 15,
  type: 'response',
  name: 'DescribeGroupsResponse',
  validVersions: '0-6',
  flexibleVersions: '5+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'Groups', type: '[]DescribedGroup', versions: '0+',
      fields: [
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '6+', nullableVersions: '6+', default: null },
        { name: 'GroupId', type: 'string', versions: '0+' },
        { name: 'GroupState', type: 'string', versions: '0+' },
        { name: 'ProtocolType', type: 'string', versions: '0+' },
        { name: 'ProtocolData', type: 'string', versions: '0+' },
        {
          name: 'Members', type: '[]DescribedGroupMember', versions: '0+',
          fields: [
            { name: 'MemberId', type: 'string', versions: '0+' },
            { name: 'GroupInstanceId', type: 'string', versions: '4+', nullableVersions: '4+', default: null },
            { name: 'ClientId', type: 'string', versions: '0+' },
            { name: 'ClientHost', type: 'string', versions: '0+' },
            { name: 'MemberMetadata', type: 'bytes', versions: '0+' },
            { name: 'MemberAssignment', type: 'bytes', versions: '0+' },
          ],
        },
        { name: 'AuthorizedOperations', type: 'int32', versions: '3+', default: -2147483648 },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type DescribeGroupsRequest = MessageValue<typeof DescribeGroupsRequestSpec>;
export type DescribeGroupsRequestInput = MessageInput<typeof DescribeGroupsRequestSpec>;
export type DescribeGroupsResponse = MessageValue<typeof DescribeGroupsResponseSpec>;
export type DescribeGroupsResponseInput = MessageInput<typeof DescribeGroupsResponseSpec>;
