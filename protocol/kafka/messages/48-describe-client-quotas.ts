// DescribeClientQuotas (API key 48): the client quotas (byte rates, request percentage, connection
// creation rate) of the entities matching a filter. Field for field as in Kafka's
// DescribeClientQuotasRequest.json and DescribeClientQuotasResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const DescribeClientQuotasRequestSpec = {
  apiKey: 48,
  type: 'request',
  name: 'DescribeClientQuotasRequest',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    {
      name: 'Components', type: '[]ComponentData', versions: '0+',
      fields: [
        { name: 'EntityType', type: 'string', versions: '0+' },
        // 0 = exact name, 1 = the default entity, 2 = any named entity of the type.
        { name: 'MatchType', type: 'int8', versions: '0+' },
        { name: 'Match', type: 'string', versions: '0+', nullableVersions: '0+' },
      ],
    },
    // Strict: only entities with no entity types beyond the components named.
    { name: 'Strict', type: 'bool', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export const DescribeClientQuotasResponseSpec = {
  apiKey: 48,
  type: 'response',
  name: 'DescribeClientQuotasResponse',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    {
      name: 'Entries', type: '[]EntryData', versions: '0+', nullableVersions: '0+',
      fields: [
        {
          name: 'Entity', type: '[]EntityData', versions: '0+',
          fields: [
            { name: 'EntityType', type: 'string', versions: '0+' },
            // Null: the type's default entity.
            { name: 'EntityName', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
        {
          name: 'Values', type: '[]ValueData', versions: '0+',
          fields: [
            { name: 'Key', type: 'string', versions: '0+' },
            { name: 'Value', type: 'float64', versions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type DescribeClientQuotasRequest = MessageValue<typeof DescribeClientQuotasRequestSpec>;
export type DescribeClientQuotasResponseInput = MessageInput<typeof DescribeClientQuotasResponseSpec>;
