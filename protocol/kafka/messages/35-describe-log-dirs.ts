// DescribeLogDirs (API key 35): each log directory of a broker with the size of every partition log in
// it (kafka-log-dirs.sh, the admin clients' describeLogDirs). Request and response field for field as in
// Kafka 4.x's DescribeLogDirsRequest.json and DescribeLogDirsResponse.json: v2 is the first flexible
// version, v3 adds the top-level ErrorCode, v4 the volume's TotalBytes and UsableBytes (KIP-827).
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const DescribeLogDirsRequestSpec = {
  apiKey: 35,
  type: 'request',
  name: 'DescribeLogDirsRequest',
  validVersions: '0-4',
  flexibleVersions: '2+',
  fields: [
    {
      // null asks for every partition this broker holds.
      name: 'Topics', type: '[]DescribableLogDirTopic', versions: '0+', nullableVersions: '0+',
      fields: [
        { name: 'Topic', type: 'string', versions: '0+' },
        { name: 'Partitions', type: '[]int32', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export const DescribeLogDirsResponseSpec = {
  apiKey: 35,
  type: 'response',
  name: 'DescribeLogDirsResponse',
  validVersions: '0-4',
  flexibleVersions: '2+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '3+' },
    {
      name: 'Results', type: '[]DescribeLogDirsResult', versions: '0+',
      fields: [
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'LogDir', type: 'string', versions: '0+' },
        {
          name: 'Topics', type: '[]DescribeLogDirsTopic', versions: '0+',
          fields: [
            { name: 'Name', type: 'string', versions: '0+' },
            {
              name: 'Partitions', type: '[]DescribeLogDirsPartition', versions: '0+',
              fields: [
                { name: 'PartitionIndex', type: 'int32', versions: '0+' },
                { name: 'PartitionSize', type: 'int64', versions: '0+' },
                { name: 'OffsetLag', type: 'int64', versions: '0+' },
                { name: 'IsFutureKey', type: 'bool', versions: '0+' },
              ],
            },
          ],
        },
        { name: 'TotalBytes', type: 'int64', versions: '4+', default: -1 },
        { name: 'UsableBytes', type: 'int64', versions: '4+', default: -1 },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type DescribeLogDirsRequest = MessageValue<typeof DescribeLogDirsRequestSpec>;
export type DescribeLogDirsRequestInput = MessageInput<typeof DescribeLogDirsRequestSpec>;
export type DescribeLogDirsResponse = MessageValue<typeof DescribeLogDirsResponseSpec>;
export type DescribeLogDirsResponseInput = MessageInput<typeof DescribeLogDirsResponseSpec>;
