// ListTransactions (API key 66): request and response, field for field as in Kafka's
// ListTransactionsRequest.json and ListTransactionsResponse.json (KIP-664; v1 adds KIP-994's duration filter).
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const ListTransactionsRequestSpec = {
  apiKey: 66,
  type: 'request',
  name: 'ListTransactionsRequest',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'StateFilters', type: '[]string', versions: '0+' },
    { name: 'ProducerIdFilters', type: '[]int64', versions: '0+' },
    { name: 'DurationFilter', type: 'int64', versions: '1+', default: -1 },
  ],
} as const satisfies MessageSpec;

export const ListTransactionsResponseSpec = {
  apiKey: 66,
  type: 'response',
  name: 'ListTransactionsResponse',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'UnknownStateFilters', type: '[]string', versions: '0+' },
    {
      name: 'TransactionStates', type: '[]TransactionState', versions: '0+',
      fields: [
        { name: 'TransactionalId', type: 'string', versions: '0+' },
        { name: 'ProducerId', type: 'int64', versions: '0+' },
        { name: 'TransactionState', type: 'string', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type ListTransactionsRequest = MessageValue<typeof ListTransactionsRequestSpec>;
export type ListTransactionsRequestInput = MessageInput<typeof ListTransactionsRequestSpec>;
export type ListTransactionsResponse = MessageValue<typeof ListTransactionsResponseSpec>;
export type ListTransactionsResponseInput = MessageInput<typeof ListTransactionsResponseSpec>;
