// SaslAuthenticate (API key 36): one SASL token each way. Field for field as in Kafka's
// SaslAuthenticateRequest.json and SaslAuthenticateResponse.json; v1 adds the session lifetime (KIP-368).
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const SaslAuthenticateRequestSpec = {
  apiKey: 36,
  type: 'request',
  name: 'SaslAuthenticateRequest',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [{ name: 'AuthBytes', type: 'bytes', versions: '0+' }],
} as const satisfies MessageSpec;

export const SaslAuthenticateResponseSpec = {
  apiKey: 36,
  type: 'response',
  name: 'SaslAuthenticateResponse',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'AuthBytes', type: 'bytes', versions: '0+' },
    { name: 'SessionLifetimeMs', type: 'int64', versions: '1+', default: 0 },
  ],
} as const satisfies MessageSpec;

export type SaslAuthenticateRequest = MessageValue<typeof SaslAuthenticateRequestSpec>;
export type SaslAuthenticateRequestInput = MessageInput<typeof SaslAuthenticateRequestSpec>;
export type SaslAuthenticateResponse = MessageValue<typeof SaslAuthenticateResponseSpec>;
export type SaslAuthenticateResponseInput = MessageInput<typeof SaslAuthenticateResponseSpec>;
