// AlterUserScramCredentials (51), v0: deletes and upserts SCRAM credentials, per user all or none.
// Needs ALTER on the cluster: without it every user named is answered CLUSTER_AUTHORIZATION_FAILED, as in Kafka.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const alterUserScramCredentialsHandler = defineHandler({
  apiKey: ApiKey.AlterUserScramCredentials,
  minVersion: 0,
  maxVersion: 0,
  uses: ['scram', 'acls'],
  async handle(request, ctx, { scram, acls }) {
    if (!acls.authorize(ctx, AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) {
      const users = new Set([...request.deletions, ...request.upsertions].map((c) => c.name));
      return { throttleTimeMs: 0, results: [...users].map((user) => ({ user, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null })) };
    }
    return { throttleTimeMs: 0, results: await scram.alter(request.deletions, request.upsertions) };
  },
});
