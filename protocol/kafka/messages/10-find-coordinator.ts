// FindCoordinator (API key 10): request and response, field for field as in Kafka's FindCoordinatorRequest.json
// and FindCoordinatorResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const FindCoordinatorRequestSpec = {
  apiKey: 10,
  type: 'request',
  name: 'FindCoordinatorRequest',
  validVersions: '0-6',
  flexibleVersions: '3+',
  fields: [
    { name: 'Key', type: 'string', versions: '0-3' },
    { name: 'KeyType', type: 'int8', versions: '1+', default: 0 },
    { name: 'CoordinatorKeys', type: '[]string', versions: '4+' },
  ],
} as const satisfies MessageSpec;

export const FindCoordinatorResponseSpec = {
  apiKey: 10,
  type: 'response',
  name: 'FindCoordinatorResponse',
  validVersions: '0-6',
  flexibleVersions: '3+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    { name: 'ErrorCode', type: 'int16', versions: '0-3' },
    { name: 'ErrorMessage', type: 'string', versions: '1-3', nullableVersions: '1-3' },
    { name: 'NodeId', type: 'int32', versions: '0-3' },
    { name: 'Host', type: 'string', versions: '0-3' },
    { name: 'Port', type: 'int32', versions: '0-3' },
    {
      name: 'Coordinators', type: '[]Coordinator', versions: '4+',
      fields: [
        { name: 'Key', type: 'string', versions: '4+' },
        { name: 'NodeId', type: 'int32', versions: '4+' },
        { name: 'Host', type: 'string', versions: '4+' },
        { name: 'Port', type: 'int32', versions: '4+' },
        { name: 'ErrorCode', type: 'int16', versions: '4+' },
        { name: 'ErrorMessage', type: 'string', versions: '4+', nullableVersions: '4+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type FindCoordinatorRequest = MessageValue<typeof FindCoordinatorRequestSpec>;
export type FindCoordinatorRequestInput = MessageInput<typeof FindCoordinatorRequestSpec>;
export type FindCoordinatorResponse = MessageValue<typeof FindCoordinatorResponseSpec>;
export type FindCoordinatorResponseInput = MessageInput<typeof FindCoordinatorResponseSpec>;
