// AddPartitionsToTxn (API key 24): request and response, field for field as in Kafka's
// AddPartitionsToTxnRequest.json and AddPartitionsToTxnResponse.json. Up to v3 a request names one
// transaction (clients); v4+ batches several and may only verify (brokers, KIP-890).
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

const TOPIC_FIELDS = [
  { name: 'Name', type: 'string', versions: '0+' },
  { name: 'Partitions', type: '[]int32', versions: '0+' },
] as const;

const TOPIC_RESULT_FIELDS = [
  { name: 'Name', type: 'string', versions: '0+' },
  {
    name: 'ResultsByPartition', type: '[]AddPartitionsToTxnPartitionResult', versions: '0+',
    fields: [
      { name: 'PartitionIndex', type: 'int32', versions: '0+' },
      { name: 'PartitionErrorCode', type: 'int16', versions: '0+' },
    ],
  },
] as const;

export const AddPartitionsToTxnRequestSpec = {
  apiKey: 24,
  type: 'request',
  name: 'AddPartitionsToTxnRequest',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    {
      name: 'Transactions', type: '[]AddPartitionsToTxnTransaction', versions: '4+',
      fields: [
        { name: 'TransactionalId', type: 'string', versions: '4+' },
        { name: 'ProducerId', type: 'int64', versions: '4+' },
        { name: 'ProducerEpoch', type: 'int16', versions: '4+' },
        { name: 'VerifyOnly', type: 'bool', versions: '4+', default: false },
        { name: 'Topics', type: '[]AddPartitionsToTxnTopic', versions: '4+', fields: TOPIC_FIELDS },
      ],
    },
    { name: 'V3AndBelowTransactionalId', type: 'string', versions: '0-3' },
    { name: 'V3AndBelowProducerId', type: 'int64', versions: '0-3' },
    { name: 'V3AndBelowProducerEpoch', type: 'int16', versions: '0-3' },
    { name: 'V3AndBelowTopics', type: '[]AddPartitionsToTxnTopic', versions: '0-3', fields: TOPIC_FIELDS },
  ],
} as const satisfies MessageSpec;

export const AddPartitionsToTxnResponseSpec = {
  apiKey: 24,
  type: 'response',
  name: 'AddPartitionsToTxnResponse',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '4+' },
    {
      name: 'ResultsByTransaction', type: '[]AddPartitionsToTxnResult', versions: '4+',
      fields: [
        { name: 'TransactionalId', type: 'string', versions: '4+' },
        { name: 'TopicResults', type: '[]AddPartitionsToTxnTopicResult', versions: '4+', fields: TOPIC_RESULT_FIELDS },
      ],
    },
    { name: 'ResultsByTopicV3AndBelow', type: '[]AddPartitionsToTxnTopicResult', versions: '0-3', fields: TOPIC_RESULT_FIELDS },
  ],
} as const satisfies MessageSpec;

export type AddPartitionsToTxnRequest = MessageValue<typeof AddPartitionsToTxnRequestSpec>;
export type AddPartitionsToTxnRequestInput = MessageInput<typeof AddPartitionsToTxnRequestSpec>;
export type AddPartitionsToTxnResponse = MessageValue<typeof AddPartitionsToTxnResponseSpec>;
export type AddPartitionsToTxnResponseInput = MessageInput<typeof AddPartitionsToTxnResponseSpec>;
