// Heartbeat (API key 12): request and response, field for field as in Kafka's HeartbeatRequest.json
// and HeartbeatResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const HeartbeatRequestSpec = {
  apiKey: 12,
  type: 'request',
  name: 'HeartbeatRequest',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    { name: 'GenerationId', type: 'int32', versions: '0+' },
    { name: 'MemberId', type: 'string', versions: '0+' },
    { name: 'GroupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
  ],
} as const satisfies MessageSpec;

export const HeartbeatResponseSpec = {
  apiKey: 12,
  type: 'response',
  name: 'HeartbeatResponse',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export type HeartbeatRequest = MessageValue<typeof HeartbeatRequestSpec>;
export type HeartbeatRequestInput = MessageInput<typeof HeartbeatRequestSpec>;
export type HeartbeatResponse = MessageValue<typeof HeartbeatResponseSpec>;
export type HeartbeatResponseInput = MessageInput<typeof HeartbeatResponseSpec>;
