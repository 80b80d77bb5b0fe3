// ShareAcknowledge (API key 79, KIP-932): request and response, field for field as in Kafka's
// ShareAcknowledgeRequest.json and ShareAcknowledgeResponse.json. v1 is the first stable version;
// v2 adds IsRenewAck with the Renew acknowledge type (KIP-1222).
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';
import { AcknowledgementBatchFields, CurrentLeaderFields, NodeEndpointFields } from './78-share-fetch.js';

export const ShareAcknowledgeRequestSpec = {
  apiKey: 79,
  type: 'request',
  name: 'ShareAcknowledgeRequest',
  validVersions: '1-2',
  flexibleVersions: '0+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'MemberId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'ShareSessionEpoch', type: 'int32', versions: '0+' },
    { name: 'IsRenewAck', type: 'bool', versions: '2+', default: false },
    {
      name: 'Topics',
      type: '[]AcknowledgeTopic',
      versions: '0+',
      fields: [
        { name: 'TopicId', type: 'uuid', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]AcknowledgePartition',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'AcknowledgementBatches', type: '[]AcknowledgementBatch', versions: '0+', fields: AcknowledgementBatchFields },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export const ShareAcknowledgeResponseSpec = {
  apiKey: 79,
  type: 'response',
  name: 'ShareAcknowledgeResponse',
  validVersions: '1-2',
  flexibleVersions: '0+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'AcquisitionLockTimeoutMs', type: 'int32', versions: '2+', default: 0 },
    {
      name: 'Responses',
      type: '[]ShareAcknowledgeTopicResponse',
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
            { name: 'CurrentLeader', type: 'LeaderIdAndEpoch', versions: '0+', fields: CurrentLeaderFields },
          ],
        },
      ],
    },
    { name: 'NodeEndpoints', type: '[]NodeEndpoint', versions: '0+', fields: NodeEndpointFields },
  ],
} as const satisfies MessageSpec;

export type ShareAcknowledgeRequest = MessageValue<typeof ShareAcknowledgeRequestSpec>;
export type ShareAcknowledgeResponse = MessageValue<typeof ShareAcknowledgeResponseSpec>;
export type ShareAcknowledgeResponseInput = MessageInput<typeof ShareAcknowledgeResponseSpec>;
