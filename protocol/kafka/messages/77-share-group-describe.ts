// ShareGroupDescribe (API key 77, KIP-932): request and response, field for field as in Kafka's
// ShareGroupDescribeRequest.json and ShareGroupDescribeResponse.json (v1 only: v0 was 4.0's early access).
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const ShareGroupDescribeRequestSpec = {
  apiKey: 77,
  type: 'request',
  name: 'ShareGroupDescribeRequest',
  validVersions: '1',
  flexibleVersions: '1+',
  fields: [
    { name: 'GroupIds', type: '[]string', versions: '1+' },
    { name: 'IncludeAuthorizedOperations', type: 'bool', versions: '1+' },
  ],
} as const satisfies MessageSpec;

export const ShareGroupDescribeResponseSpec = {
  apiKey: 77,
  type: 'response',
  name: 'ShareGroupDescribeResponse',
  validVersions: '1',
  flexibleVersions: '1+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'Groups',
      type: '[]DescribedGroup',
      versions: '1+',
      fields: [
        { name: 'ErrorCode', type: 'int16', versions: '1+' },
        { name: 'ErrorMessage', type: 'string', versions: '1+', nullableVersions: '1+', default: null },
        { name: 'GroupId', type: 'string', versions: '1+' },
        { name: 'GroupState', type: 'string', versions: '1+' },
        { name: 'GroupEpoch', type: 'int32', versions: '1+' },
        { name: 'AssignmentEpoch', type: 'int32', versions: '1+' },
        { name: 'AssignorName', type: 'string', versions: '1+' },
        {
          name: 'Members',
          type: '[]Member',
          versions: '1+',
          fields: [
            { name: 'MemberId', type: 'string', versions: '1+' },
            { name: 'RackId', type: 'string', versions: '1+', nullableVersions: '1+', default: null },
            { name: 'MemberEpoch', type: 'int32', versions: '1+' },
            { name: 'ClientId', type: 'string', versions: '1+' },
            { name: 'ClientHost', type: 'string', versions: '1+' },
            { name: 'SubscribedTopicNames', type: '[]string', versions: '1+' },
            {
              name: 'Assignment',
              type: 'Assignment',
              versions: '1+',
              fields: [
                {
                  name: 'TopicPartitions',
                  type: '[]TopicPartitions',
                  versions: '1+',
                  fields: [
                    { name: 'TopicId', type: 'uuid', versions: '1+' },
                    { name: 'TopicName', type: 'string', versions: '1+' },
                    { name: 'Partitions', type: '[]int32', versions: '1+' },
                  ],
                },
              ],
            },
          ],
        },
        { name: 'AuthorizedOperations', type: 'int32', versions: '1+', default: -2147483648 },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type ShareGroupDescribeRequest = MessageValue<typeof ShareGroupDescribeRequestSpec>;
export type ShareGroupDescribeResponse = MessageValue<typeof ShareGroupDescribeResponseSpec>;
export type ShareGroupDescribeResponseInput = MessageInput<typeof ShareGroupDescribeResponseSpec>;
