// AddOffsetsToTxn (API key 25): request and response, field for field as in Kafka's
// AddOffsetsToTxnRequest.json and AddOffsetsToTxnResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const AddOffsetsToTxnRequestSpec = {
  apiKey: 25,
  type: 'request',
  name: 'AddOffsetsToTxnRequest',
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'TransactionalId', type: 'string', versions: '0+' },
    { name: 'ProducerId', type: 'int64', versions: '0+' },
    { name: 'ProducerEpoch', type: 'int16', versions: '0+' },
    { name: 'GroupId', type: 'string', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export const AddOffsetsToTxnResponseSpec = {
  apiKey: 25,
  type: 'response',
  name: 'AddOffsetsToTxnResponse',
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export type AddOffsetsToTxnRequest = MessageValue<typeof AddOffsetsToTxnRequestSpec>;
export type AddOffsetsToTxnRequestInput = MessageInput<typeof AddOffsetsToTxnRequestSpec>;
export type AddOffsetsToTxnResponse = MessageValue<typeof AddOffsetsToTxnResponseSpec>;
export type AddOffsetsToTxnResponseInput = MessageInput<typeof AddOffsetsToTxnResponseSpec>;
