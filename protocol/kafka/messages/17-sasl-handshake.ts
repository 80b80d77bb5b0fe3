// SaslHandshake (API key 17): the client names its SASL mechanism; the answer lists the enabled ones.
// Field for field as in Kafka's SaslHandshakeRequest.json and SaslHandshakeResponse.json. After v0 the
// tokens follow as raw size-prefixed frames; after v1 they come in SaslAuthenticate requests.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const SaslHandshakeRequestSpec = {
  apiKey: 17,
  type: 'request',
  name: 'SaslHandshakeRequest',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [{ name: 'Mechanism', type: 'string', versions: '0+' }],
} as const satisfies MessageSpec;

export const SaslHandshakeResponseSpec = {
  apiKey: 17,
  type: 'response',
  name: 'SaslHandshakeResponse',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'Mechanisms', type: '[]string', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export type SaslHandshakeRequest = MessageValue<typeof SaslHandshakeRequestSpec>;
export type SaslHandshakeRequestInput = MessageInput<typeof SaslHandshakeRequestSpec>;
export type SaslHandshakeResponse = MessageValue<typeof SaslHandshakeResponseSpec>;
export type SaslHandshakeResponseInput = MessageInput<typeof SaslHandshakeResponseSpec>;
