// DeleteTopics (API key 20): request and response, field for field as in Kafka's DeleteTopicsRequest.json
// and DeleteTopicsResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const DeleteTopicsRequestSpec = {
  apiKey: 20,
  type: 'request',
  name: 'DeleteTopicsRequest',
  validVersions: '0-6',
  flexibleVersions: '4+',
  fields: [
    {
      name: 'Topics', type: '[]DeleteTopicState', versions: '6+',
      fields: [
        { name: 'Name', type: 'string', versions: '6+', nullableVersions: '6+', default: null },
        { name: 'TopicId', type: 'uuid', versions: '6+' },
      ],
    },
    { name: 'TopicNames', type: '[]string', versions: '0-5' },
    { name: 'TimeoutMs', type: 'int32', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export const DeleteTopicsResponseSpec = {
  apiKey: 20,
  type: 'response',
  name: 'DeleteTopicsResponse',
  validVersions: '0-6',
  flexibleVersions: '4+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'Responses', type: '[]DeletableTopicResult', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+', nullableVersions: '6+' },
        { name: 'TopicId', type: 'uuid', versions: '6+' },
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type DeleteTopicsRequest = MessageValue<typeof DeleteTopicsRequestSpec>;
export type DeleteTopicsRequestInput = MessageInput<typeof DeleteTopicsRequestSpec>;
export type DeleteTopicsResponse = MessageValue<typeof DeleteTopicsResponseSpec>;
export type DeleteTopicsResponseInput = MessageInput<typeof DeleteTopicsResponseSpec>;
