// InitProducerId (API key 22): request and response, field for field as in Kafka's InitProducerIdRequest.json
// and InitProducerIdResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const InitProducerIdRequestSpec = {
  apiKey: 22,
  type: 'request',
  name: 'InitProducerIdRequest',
  validVersions: '0-5',
  flexibleVersions: '2+',
  fields: [
    { name: 'TransactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'TransactionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'ProducerId', type: 'int64', versions: '3+', default: -1 },
    { name: 'ProducerEpoch', type: 'int16', versions: '3+', default: -1 },
  ],
} as const satisfies MessageSpec;

export const InitProducerIdResponseSpec = {
  apiKey: 22,
  type: 'response',
  name: 'InitProducerIdResponse',
  validVersions: '0-5',
  flexibleVersions: '2+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ProducerId', type: 'int64', versions: '0+', default: -1 },
    { name: 'ProducerEpoch', type: 'int16', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export type InitProducerIdRequest = MessageValue<typeof InitProducerIdRequestSpec>;
export type InitProducerIdRequestInput = MessageInput<typeof InitProducerIdRequestSpec>;
export type InitProducerIdResponse = MessageValue<typeof InitProducerIdResponseSpec>;
export type InitProducerIdResponseInput = MessageInput<typeof InitProducerIdResponseSpec>;
