// EndTxn (API key 26): request and response, field for field as in Kafka's EndTxnRequest.json and
// EndTxnResponse.json. v5 (KIP-890 part 2, an epoch bump on every transaction) is still marked unstable
// there, so the spec stops at v4.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const EndTxnRequestSpec = {
  apiKey: 26,
  type: 'request',
  name: 'EndTxnRequest',
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'TransactionalId', type: 'string', versions: '0+' },
    { name: 'ProducerId', type: 'int64', versions: '0+' },
    { name: 'ProducerEpoch', type: 'int16', versions: '0+' },
    { name: 'Committed', type: 'bool', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export const EndTxnResponseSpec = {
  apiKey: 26,
  type: 'response',
  name: 'EndTxnResponse',
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export type EndTxnRequest = MessageValue<typeof EndTxnRequestSpec>;
export type EndTxnRequestInput = MessageInput<typeof EndTxnRequestSpec>;
export type EndTxnResponse = MessageValue<typeof EndTxnResponseSpec>;
export type EndTxnResponseInput = MessageInput<typeof EndTxnResponseSpec>;
