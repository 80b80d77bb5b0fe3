// AlterUserScramCredentials (API key 51): deletes and upserts SCRAM credentials; an upsert carries the
// salted password, never the password. Field for field as in Kafka's AlterUserScramCredentialsRequest.json
// and AlterUserScramCredentialsResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const AlterUserScramCredentialsRequestSpec = {
  apiKey: 51,
  type: 'request',
  name: 'AlterUserScramCredentialsRequest',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    {
      name: 'Deletions', type: '[]ScramCredentialDeletion', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'Mechanism', type: 'int8', versions: '0+' },
      ],
    },
    {
      name: 'Upsertions', type: '[]ScramCredentialUpsertion', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'Mechanism', type: 'int8', versions: '0+' },
        { name: 'Iterations', type: 'int32', versions: '0+' },
        { name: 'Salt', type: 'bytes', versions: '0+' },
        { name: 'SaltedPassword', type: 'bytes', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export const AlterUserScramCredentialsResponseSpec = {
  apiKey: 51,
  type: 'response',
  name: 'AlterUserScramCredentialsResponse',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Results', type: '[]AlterUserScramCredentialsResult', versions: '0+',
      fields: [
        { name: 'User', type: 'string', versions: '0+' },
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type AlterUserScramCredentialsRequest = MessageValue<typeof AlterUserScramCredentialsRequestSpec>;
export type AlterUserScramCredentialsResponseInput = MessageInput<typeof AlterUserScramCredentialsResponseSpec>;
