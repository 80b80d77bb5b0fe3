// DescribeAcls (29), v0-3: the bindings a filter matches, grouped by resource pattern. Needs DESCRIBE on
// the cluster (CLUSTER_AUTHORIZATION_FAILED); SECURITY_DISABLED without an authorizer; INVALID_REQUEST
// for a filter with UNKNOWN elements.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { filterOf, filterProblem } from '../acl/acl-requests.js';
import { AclOperation, CLUSTER_NAME, ResourceType, type AclBinding } from '../acl/model.js';
import { defineHandler } from '../handler.js';

function grouped(bindings: readonly AclBinding[]) {
  const byPattern = new Map<string, { resourceType: number; resourceName: string; patternType: number; acls: { principal: string; host: string; operation: number; permissionType: number }[] }>();
  for (const { pattern, entry } of bindings) {
    const key = JSON.stringify(pattern);
    let resource = byPattern.get(key);
    if (!resource) {
      resource = { resourceType: pattern.resourceType, resourceName: pattern.name, patternType: pattern.patternType, acls: [] };
      byPattern.set(key, resource);
    }
    resource.acls.push({ principal: entry.principal, host: entry.host, operation: entry.operation, permissionType: entry.permission });
  }
  return [...byPattern.values()];
}

export const describeAclsHandler = defineHandler({
  apiKey: ApiKey.DescribeAcls,
  minVersion: 0,
  maxVersion: 3,
  uses: ['acls'],
  handle(request, ctx, { acls }) {
    const refuse = (errorCode: number, errorMessage: string | null) => ({ throttleTimeMs: 0, errorCode, errorMessage, resources: [] });
    if (!acls.enabled) return refuse(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker');
    if (!acls.authorize(ctx, AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME)) return refuse(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, null);
    const filter = filterOf(request);
    const problem = filterProblem(filter);
    if (problem) return refuse(ErrorCode.INVALID_REQUEST, problem);
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, resources: grouped(acls.describe(filter)) };
  },
});
