// DescribeAcls (API key 29): request and response, field for field as in Kafka's DescribeAclsRequest.json
// and DescribeAclsResponse.json. v1 adds the pattern type (KIP-290, PREFIXED); v2 is flexible.
import type { FieldSpec, MessageInput, MessageSpec, MessageValue } from '../spec.js';

/** An ACL binding filter: DescribeAcls' request, and each of DeleteAcls' filters. */
export const ACL_FILTER_FIELDS = [
  { name: 'ResourceTypeFilter', type: 'int8', versions: '0+' },
  { name: 'ResourceNameFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
  { name: 'PatternTypeFilter', type: 'int8', versions: '1+', default: 3 },
  { name: 'PrincipalFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
  { name: 'HostFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
  { name: 'Operation', type: 'int8', versions: '0+' },
  { name: 'PermissionType', type: 'int8', versions: '0+' },
] as const satisfies readonly FieldSpec[];

export const DescribeAclsRequestSpec = {
  apiKey: 29,
  type: 'request',
  name: 'DescribeAclsRequest',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: ACL_FILTER_FIELDS,
} as const satisfies MessageSpec;

export const DescribeAclsResponseSpec = {
  apiKey: 29,
  type: 'response',
  name: 'DescribeAclsResponse',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    {
      name: 'Resources', type: '[]DescribeAclsResource', versions: '0+',
      fields: [
        { name: 'ResourceType', type: 'int8', versions: '0+' },
        { name: 'ResourceName', type: 'string', versions: '0+' },
        { name: 'PatternType', type: 'int8', versions: '1+', default: 3 },
        {
          name: 'Acls', type: '[]AclDescription', versions: '0+',
          fields: [
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

export type DescribeAclsRequest = MessageValue<typeof DescribeAclsRequestSpec>;
export type DescribeAclsRequestInput = MessageInput<typeof DescribeAclsRequestSpec>;
export type DescribeAclsResponse = MessageValue<typeof DescribeAclsResponseSpec>;
export type DescribeAclsResponseInput = MessageInput<typeof DescribeAclsResponseSpec>;
