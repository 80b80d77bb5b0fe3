// DeleteShareGroupOffsets (API key 92, KIP-932): forgets an empty share group's state for whole topics
// (kafka-share-groups.sh --delete-offsets). Field for field as in Kafka's
// DeleteShareGroupOffsetsRequest.json and DeleteShareGroupOffsetsResponse.json (v0, as released in 4.1).
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const DeleteShareGroupOffsetsRequestSpec = {
  apiKey: 92,
  type: 'request',
  name: 'DeleteShareGroupOffsetsRequest',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    { name: 'Topics', type: '[]DeleteShareGroupOffsetsRequestTopic', versions: '0+', fields: [{ name: 'TopicName', type: 'string', versions: '0+' }] },
  ],
} as const satisfies MessageSpec;

export const DeleteShareGroupOffsetsResponseSpec = {
  apiKey: 92,
  type: 'response',
  name: 'DeleteShareGroupOffsetsResponse',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    {
      name: 'Responses',
      type: '[]DeleteShareGroupOffsetsResponseTopic',
      versions: '0+',
      fields: [
        { name: 'TopicName', type: 'string', versions: '0+' },
        { name: 'TopicId', type: 'uuid', versions: '0+' },
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type DeleteShareGroupOffsetsRequest = MessageValue<typeof DeleteShareGroupOffsetsRequestSpec>;
export type DeleteShareGroupOffsetsResponse = MessageValue<typeof DeleteShareGroupOffsetsResponseSpec>;
export type DeleteShareGroupOffsetsResponseInput = MessageInput<typeof DeleteShareGroupOffsetsResponseSpec>;
