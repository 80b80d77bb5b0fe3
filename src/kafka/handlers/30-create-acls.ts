// CreateAcls (30), v0-3: stores each binding (in ZooKeeper, seen by every broker). Needs ALTER on the
// cluster (CLUSTER_AUTHORIZATION_FAILED for each); SECURITY_DISABLED without an authorizer; a binding
// Kafka would refuse gets INVALID_REQUEST with the reason, the others are stored.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { bindingOf } from '../acl/acl-requests.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const createAclsHandler = defineHandler({
  apiKey: ApiKey.CreateAcls,
  minVersion: 0,
  maxVersion: 3,
  uses: ['acls'],
  async handle(request, ctx, { acls }) {
    const all = (errorCode: number, errorMessage: string | null) => ({ throttleTimeMs: 0, results: request.creations.map(() => ({ errorCode, errorMessage })) });
    if (!acls.enabled) return all(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker');
    if (!acls.authorize(ctx, AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, null);
    const results = [];
    // One after another: two creations on one resource would otherwise race each other's znode version.
    for (const creation of request.creations) {
      const binding = bindingOf(creation);
      if (typeof binding === 'string') {
        results.push({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: binding });
        continue;
      }
      try {
        await acls.create(binding);
        results.push({ errorCode: ErrorCode.NONE, errorMessage: null });
      } catch (err) {
        ctx.log.warn({ err }, 'storing an ACL failed');
        results.push({ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: (err as Error).message });
      }
    }
    return { throttleTimeMs: 0, results };
  },
});
