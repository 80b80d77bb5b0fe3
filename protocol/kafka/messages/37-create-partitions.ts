// CreatePartitions (API key 37): request and response, field for field as in Kafka's CreatePartitionsRequest.json
// and CreatePartitionsResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const CreatePartitionsRequestSpec = {
  apiKey: 37,
  type: 'request',
  name: 'CreatePartitionsRequest',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    {
      name: 'Topics', type: '[]CreatePartitionsTopic', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'Count', type: 'int32', versions: '0+' },
        {
          name: 'Assignments', type: '[]CreatePartitionsAssignment', versions: '0+', nullableVersions: '0+',
          fields: [
            { name: 'BrokerIds', type: '[]int32', versions: '0+' },
          ],
        },
      ],
    },
    { name: 'TimeoutMs', type: 'int32', versions: '0+' },
    { name: 'ValidateOnly', type: 'bool', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export const CreatePartitionsResponseSpec = {
  apiKey: 37,
  type: 'response',
  name: 'CreatePartitionsResponse',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Results', type: '[]CreatePartitionsTopicResult', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type CreatePartitionsRequest = MessageValue<typeof CreatePartitionsRequestSpec>;
export type CreatePartitionsRequestInput = MessageInput<typeof CreatePartitionsRequestSpec>;
export type CreatePartitionsResponse = MessageValue<typeof CreatePartitionsResponseSpec>;
export type CreatePartitionsResponseInput = MessageInput<typeof CreatePartitionsResponseSpec>;
