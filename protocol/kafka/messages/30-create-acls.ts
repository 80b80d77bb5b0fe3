// CreateAcls (API key 30): request and response, field for field as in Kafka's CreateAclsRequest.json and
// CreateAclsResponse.json. v1 adds the pattern type (KIP-290, PREFIXED); v2 is flexible.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const CreateAclsRequestSpec = {
  apiKey: 30,
  type: 'request',
  name: 'CreateAclsRequest',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    {
      name: 'Creations', type: '[]AclCreation', versions: '0+',
      fields: [
        { name: 'ResourceType', type: 'int8', versions: '0+' },
        { name: 'ResourceName', type: 'string', versions: '0+' },
        { name: 'ResourcePatternType', type: 'int8', versions: '1+', default: 3 },
        { name: 'Principal', type: 'string', versions: '0+' },
        { name: 'Host', type: 'string', versions: '0+' },
        { name: 'Operation', type: 'int8', versions: '0+' },
        { name: 'PermissionType', type: 'int8', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export const CreateAclsResponseSpec = {
  apiKey: 30,
  type: 'response',
  name: 'CreateAclsResponse',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Results', type: '[]AclCreationResult', versions: '0+',
      fields: [
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type CreateAclsRequest = MessageValue<typeof CreateAclsRequestSpec>;
export type CreateAclsRequestInput = MessageInput<typeof CreateAclsRequestSpec>;
export type CreateAclsResponse = MessageValue<typeof CreateAclsResponseSpec>;
export type CreateAclsResponseInput = MessageInput<typeof CreateAclsResponseSpec>;
