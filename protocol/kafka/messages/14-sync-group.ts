// SyncGroup (API key 14): request and response, field for field as in Kafka's SyncGroupRequest.json
// and SyncGroupResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const SyncGroupRequestSpec = {
  apiKey: 14,
  type: 'request',
  name: 'SyncGroupRequest',
  validVersions: '0-5',
  flexibleVersions: '4+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    { name: 'GenerationId', type: 'int32', versions: '0+' },
    { name: 'MemberId', type: 'string', versions: '0+' },
    { name: 'GroupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    { name: 'ProtocolType', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
    { name: 'ProtocolName', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
    {
      name: 'Assignments', type: '[]SyncGroupRequestAssignment', versions: '0+',
      fields: [
        { name: 'MemberId', type: 'string', versions: '0+' },
        { name: 'Assignment', type: 'bytes', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export const SyncGroupResponseSpec = {
  apiKey: 14,
  type: 'response',
  name: 'SyncGroupResponse',
  validVersions: '0-5',
  flexibleVersions: '4+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ProtocolType', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
    { name: 'ProtocolName', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
    { name: 'Assignment', type: 'bytes', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export type SyncGroupRequest = MessageValue<typeof SyncGroupRequestSpec>;
export type SyncGroupRequestInput = MessageInput<typeof SyncGroupRequestSpec>;
export type SyncGroupResponse = MessageValue<typeof SyncGroupResponseSpec>;
export type SyncGroupResponseInput = MessageInput<typeof SyncGroupResponseSpec>;
