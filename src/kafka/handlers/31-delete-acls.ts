// DeleteAcls (31), v0-3: removes the bindings each filter matches and names them. Needs ALTER on the
// cluster (CLUSTER_AUTHORIZATION_FAILED for each filter); SECURITY_DISABLED without an authorizer;
// INVALID_REQUEST for a filter with UNKNOWN elements.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { filterOf, filterProblem } from '../acl/acl-requests.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const deleteAclsHandler = defineHandler({
  apiKey: ApiKey.DeleteAcls,
  minVersion: 0,
  maxVersion: 3,
  uses: ['acls'],
  async handle(request, ctx, { acls }) {
    const all = (errorCode: number, errorMessage: string | null) => ({ throttleTimeMs: 0, filterResults: request.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })) });
    if (!acls.enabled) return all(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker');
    if (!acls.authorize(ctx, AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, null);
    const filterResults = [];
    for (const f of request.filters) {
      const filter = filterOf(f);
      const problem = filterProblem(filter);
      if (problem) {
        filterResults.push({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem, matchingAcls: [] });
        continue;
      }
      try {
        const deleted = await acls.delete(filter);
        filterResults.push({
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          matchingAcls: deleted.map(({ pattern, entry }) => ({
            errorCode: ErrorCode.NONE,
            errorMessage: null,
            resourceType: pattern.resourceType,
            resourceName: pattern.name,
            patternType: pattern.patternType,
            principal: entry.principal,
            host: entry.host,
            operation: entry.operation,
            permissionType: entry.permission,
          })),
        });
      } catch (err) {
        ctx.log.warn({ err }, 'deleting ACLs failed');
        filterResults.push({ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: (err as Error).message, matchingAcls: [] });
      }
    }
    return { throttleTimeMs: 0, filterResults };
  },
});
