// ShareFetch (API key 78, KIP-932): request and response, field for field as in Kafka's
// ShareFetchRequest.json and ShareFetchResponse.json. v1 is the first stable version (v0 was 4.0's
// early access); v2 adds the acquire mode (KIP-1206) and IsRenewAck with the Renew acknowledge type (KIP-1222).
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

/** Record ranges a member acknowledges, one type per offset or one for the whole range (shared with ShareAcknowledge). */
export const AcknowledgementBatchFields = [
  { name: 'FirstOffset', type: 'int64', versions: '0+' },
  { name: 'LastOffset', type: 'int64', versions: '0+' },
  { name: 'AcknowledgeTypes', type: '[]int8', versions: '0+' },
] as const;

/** A partition's leader as the answering broker knows it (shared with ShareAcknowledge). */
export const CurrentLeaderFields = [
  { name: 'LeaderId', type: 'int32', versions: '0+' },
  { name: 'LeaderEpoch', type: 'int32', versions: '0+' },
] as const;

/** The brokers named as new leaders in NOT_LEADER_OR_FOLLOWER answers (shared with ShareAcknowledge). */
export const NodeEndpointFields = [
  { name: 'NodeId', type: 'int32', versions: '0+' },
  { name: 'Host', type: 'string', versions: '0+' },
  { name: 'Port', type: 'int32', versions: '0+' },
  { name: 'Rack', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
] as const;

export const ShareFetchRequestSpec = {
  apiKey: 78,
  type: 'request',
  name: 'ShareFetchRequest',
  validVersions: '1-2',
  flexibleVersions: '0+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'MemberId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'ShareSessionEpoch', type: 'int32', versions: '0+' },
    { name: 'MaxWaitMs', type: 'int32', versions: '0+' },
    { name: 'MinBytes', type: 'int32', versions: '0+' },
    { name: 'MaxBytes', type: 'int32', versions: '0+', default: 0x7fffffff },
    { name: 'MaxRecords', type: 'int32', versions: '1+' },
    { name: 'BatchSize', type: 'int32', versions: '1+' },
    { name: 'ShareAcquireMode', type: 'int8', versions: '2+', default: 0 },
    { name: 'IsRenewAck', type: 'bool', versions: '2+', default: false },
    {
      name: 'Topics',
      type: '[]FetchTopic',
      versions: '0+',
      fields: [
        { name: 'TopicId', type: 'uuid', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]FetchPartition',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'AcknowledgementBatches', type: '[]AcknowledgementBatch', versions: '0+', fields: AcknowledgementBatchFields },
          ],
        },
      ],
    },
    {
      name: 'ForgottenTopicsData',
      type: '[]ForgottenTopic',
      versions: '0+',
      fields: [
        { name: 'TopicId', type: 'uuid', versions: '0+' },
        { name: 'Partitions', type: '[]int32', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export const ShareFetchResponseSpec = {
  apiKey: 78,
  type: 'response',
  name: 'ShareFetchResponse',
  validVersions: '1-2',
  flexibleVersions: '0+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'AcquisitionLockTimeoutMs', type: 'int32', versions: '1+' },
    {
      name: 'Responses',
      type: '[]ShareFetchableTopicResponse',
      versions: '0+',
      fields: [
        { name: 'TopicId', type: 'uuid', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]PartitionData',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
            { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
            { name: 'AcknowledgeErrorCode', type: 'int16', versions: '0+' },
            { name: 'AcknowledgeErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
            { name: 'CurrentLeader', type: 'LeaderIdAndEpoch', versions: '0+', fields: CurrentLeaderFields },
            { name: 'Records', type: 'records', versions: '0+', nullableVersions: '0+' },
            {
              name: 'AcquiredRecords',
              type: '[]AcquiredRecords',
              versions: '0+',
              fields: [
                { name: 'FirstOffset', type: 'int64', versions: '0+' },
                { name: 'LastOffset', type: 'int64', versions: '0+' },
                { name: 'DeliveryCount', type: 'int16', versions: '0+' },
              ],
            },
          ],
        },
      ],
    },
    { name: 'NodeEndpoints', type: '[]NodeEndpoint', versions: '0+', fields: NodeEndpointFields },
  ],
} as const satisfies MessageSpec;

export type ShareFetchRequest = MessageValue<typeof ShareFetchRequestSpec>;
export type ShareFetchRequestInput = MessageInput<typeof ShareFetchRequestSpec>;
export type ShareFetchResponse = MessageValue<typeof ShareFetchResponseSpec>;
export type ShareFetchResponseInput = MessageInput<typeof ShareFetchResponseSpec>;
