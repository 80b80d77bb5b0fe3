// AlterClientQuotas (API key 49): sets and removes client quotas per entity, or only validates the
// changes. Field for field as in Kafka's AlterClientQuotasRequest.json and AlterClientQuotasResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

const ENTITY_FIELDS = [
  { name: 'EntityType', type: 'string', versions: '0+' },
  // Null: the type's default entity.
  { name: 'EntityName', type: 'string', versions: '0+', nullableVersions: '0+' },
] as const;

export const AlterClientQuotasRequestSpec = {
  apiKey: 49,
  type: 'request',
  name: 'AlterClientQuotasRequest',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    {
      name: 'Entries', type: '[]EntryData', versions: '0+',
      fields: [
        { name: 'Entity', type: '[]EntityData', versions: '0+', fields: ENTITY_FIELDS },
        {
          name: 'Ops', type: '[]OpData', versions: '0+',
          fields: [
            { name: 'Key', type: 'string', versions: '0+' },
            // Ignored when Remove is set.
            { name: 'Value', type: 'float64', versions: '0+' },
            { name: 'Remove', type: 'bool', versions: '0+' },
          ],
        },
      ],
    },
    { name: 'ValidateOnly', type: 'bool', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export const AlterClientQuotasResponseSpec = {
  apiKey: 49,
  type: 'response',
  name: 'AlterClientQuotasResponse',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Entries', type: '[]EntryData', versions: '0+',
      fields: [
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        { name: 'Entity', type: '[]EntityData', versions: '0+', fields: ENTITY_FIELDS },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type AlterClientQuotasRequest = MessageValue<typeof AlterClientQuotasRequestSpec>;
export type AlterClientQuotasResponseInput = MessageInput<typeof AlterClientQuotasResponseSpec>;
