// DescribeClientQuotas (48), v0-1: the quotas of the entities a filter matches. Needs DESCRIBE_CONFIGS
// on the cluster, as in Kafka; a bad filter is INVALID_REQUEST with Kafka's message.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const describeClientQuotasHandler = defineHandler({
  apiKey: ApiKey.DescribeClientQuotas,
  minVersion: 0,
  maxVersion: 1,
  uses: ['clientQuotas', 'acls'],
  handle(request, ctx, { clientQuotas, acls }) {
    if (!acls.authorize(ctx, AclOperation.DESCRIBE_CONFIGS, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, entries: null };
    }
    return { throttleTimeMs: 0, ...clientQuotas.describe(request.components, request.strict) };
  },
});
