// DeleteAcls (API key 31): request and response, field for field as in Kafka's DeleteAclsRequest.json and
// DeleteAclsResponse.json. v1 adds the pattern type (KIP-290, PREFIXED); v2 is flexible.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';
import { ACL_FILTER_FIELDS } from './29-describe-acls.js';

export const DeleteAclsRequestSpec = {
  apiKey: 31,
  type: 'request',
  name: 'DeleteAclsRequest',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    {
      name: 'Filters', type: '[]DeleteAclsFilter', versions: '0+',
      fields: ACL_FILTER_FIELDS,
    },
  ],
} as const satisfies MessageSpec;

export const DeleteAclsResponseSpec = {
  apiKey: 31,
  type: 'response',
  name: 'DeleteAclsResponse',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'FilterResults', type: '[]DeleteAclsFilterResult', versions: '0+',
      fields: [
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        {
          name: 'MatchingAcls', type: '[]DeleteAclsMatchingAcl', versions: '0+',
          fields: [
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
            { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
            { name: 'ResourceType', type: 'int8', versions: '0+' },
            { name: 'ResourceName', type: 'string', versions: '0+' },
            { name: 'PatternType', type: 'int8', versions: '1+', default: 3 },
            { name: 'Principal', type: 'string', versions: '0+' },
            { name: 'Host', type: 'string', versions: '0+' },
            { name: 'Operation', type: 'int8', versions: '0+' },
            { name: 'PermissionType', type: 'int8', versions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type DeleteAclsRequest = MessageValue<typeof DeleteAclsRequestSpec>;
export type DeleteAclsRequestInput = MessageInput<typeof DeleteAclsRequestSpec>;
export type DeleteAclsResponse = MessageValue<typeof DeleteAclsResponseSpec>;
export type DeleteAclsResponseInput = MessageInput<typeof DeleteAclsResponseSpec>;
