// DescribeUserScramCredentials (50), v0: each user's SCRAM mechanisms and iterations, never a credential.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';

export const describeUserScramCredentialsHandler = defineHandler({
  apiKey: ApiKey.DescribeUserScramCredentials,
  minVersion: 0,
  maxVersion: 0,
  uses: ['scram'],
  async handle(request, _ctx, { scram }) {
    const results = await scram.describe(request.users?.map((u) => u.name) ?? null);
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
  },
});
