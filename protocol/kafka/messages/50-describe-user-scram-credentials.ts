// DescribeUserScramCredentials (API key 50): which SCRAM mechanisms (and iterations) each user has a
// credential for, never the credential. Field for field as in Kafka's DescribeUserScramCredentialsRequest.json
// and DescribeUserScramCredentialsResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const DescribeUserScramCredentialsRequestSpec = {
  apiKey: 50,
  type: 'request',
  name: 'DescribeUserScramCredentialsRequest',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    // Null: every user.
    { name: 'Users', type: '[]UserName', versions: '0+', nullableVersions: '0+', fields: [{ name: 'Name', type: 'string', versions: '0+' }] },
  ],
} as const satisfies MessageSpec;

export const DescribeUserScramCredentialsResponseSpec = {
  apiKey: 50,
  type: 'response',
  name: 'DescribeUserScramCredentialsResponse',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    {
      name: 'Results', type: '[]DescribeUserScramCredentialsResult', versions: '0+',
      fields: [
        { name: 'User', type: 'string', versions: '0+' },
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        {
          name: 'CredentialInfos', type: '[]CredentialInfo', versions: '0+',
          fields: [
            { name: 'Mechanism', type: 'int8', versions: '0+' },
            { name: 'Iterations', type: 'int32', versions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type DescribeUserScramCredentialsRequest = MessageValue<typeof DescribeUserScramCredentialsRequestSpec>;
export type DescribeUserScramCredentialsResponseInput = MessageInput<typeof DescribeUserScramCredentialsResponseSpec>;
