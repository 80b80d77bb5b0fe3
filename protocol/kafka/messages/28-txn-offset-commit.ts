// TxnOffsetCommit (API key 28): request and response, field for field as in Kafka's
// TxnOffsetCommitRequest.json and TxnOffsetCommitResponse.json (v0-3; v3 adds the member fields of
// KIP-447 so the group coordinator can fence a zombie consumer-producer).
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const TxnOffsetCommitRequestSpec = {
  apiKey: 28,
  type: 'request',
  name: 'TxnOffsetCommitRequest',
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'TransactionalId', type: 'string', versions: '0+' },
    { name: 'GroupId', type: 'string', versions: '0+' },
    { name: 'ProducerId', type: 'int64', versions: '0+' },
    { name: 'ProducerEpoch', type: 'int16', versions: '0+' },
    { name: 'GenerationId', type: 'int32', versions: '3+', default: -1 },
    { name: 'MemberId', type: 'string', versions: '3+', default: '' },
    { name: 'GroupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    {
      name: 'Topics', type: '[]TxnOffsetCommitRequestTopic', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions', type: '[]TxnOffsetCommitRequestPartition', versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'CommittedOffset', type: 'int64', versions: '0+' },
            { name: 'CommittedLeaderEpoch', type: 'int32', versions: '2+', default: -1 },
            { name: 'CommittedMetadata', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export const TxnOffsetCommitResponseSpec = {
  apiKey: 28,
  type: 'response',
  name: 'TxnOffsetCommitResponse',
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Topics', type: '[]TxnOffsetCommitResponseTopic', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions', type: '[]TxnOffsetCommitResponsePartition', versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type TxnOffsetCommitRequest = MessageValue<typeof TxnOffsetCommitRequestSpec>;
export type TxnOffsetCommitRequestInput = MessageInput<typeof TxnOffsetCommitRequestSpec>;
export type TxnOffsetCommitResponse = MessageValue<typeof TxnOffsetCommitResponseSpec>;
export type TxnOffsetCommitResponseInput = MessageInput<typeof TxnOffsetCommitResponseSpec>;
