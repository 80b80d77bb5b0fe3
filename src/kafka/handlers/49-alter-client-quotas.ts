// AlterClientQuotas (49), v0-1: sets and removes quotas per entity (or only checks them, validate_only),
// each entity all or none. Needs ALTER_CONFIGS on the cluster: without it every entity is answered
// CLUSTER_AUTHORIZATION_FAILED, as in Kafka. Written where every broker follows it (quotas/client-quotas.ts).
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const alterClientQuotasHandler = defineHandler({
  apiKey: ApiKey.AlterClientQuotas,
  minVersion: 0,
  maxVersion: 1,
  uses: ['clientQuotas', 'acls'],
  async handle(request, ctx, { clientQuotas, acls }) {
    if (!acls.authorize(ctx, AclOperation.ALTER_CONFIGS, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return { throttleTimeMs: 0, entries: request.entries.map((e) => ({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, entity: e.entity })) };
    }
    return { throttleTimeMs: 0, entries: await clientQuotas.alter(request.entries, request.validateOnly) };
  },
});
