// AlterUserScramCredentials (51), v0: deletes and upserts SCRAM credentials, per user all or none.
import { ApiKey } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';

export const alterUserScramCredentialsHandler = defineHandler({
  apiKey: ApiKey.AlterUserScramCredentials,
  minVersion: 0,
  maxVersion: 0,
  uses: ['scram'],
  async handle(request, _ctx, { scram }) {
    return { throttleTimeMs: 0, results: await scram.alter(request.deletions, request.upsertions) };
  },
});
