// DescribeGroups (15), v0-6: each group's state, protocol and members (with their metadata and
// assignments once Stable). A group the coordinator does not have, or a KIP-848 consumer group, is
// described as Dead before v6 and is GROUP_ID_NOT_FOUND with a message from v6 on (KIP-1043), as Kafka
// 4.x answers. One the principal may not DESCRIBE gets GROUP_AUTHORIZATION_FAILED and nothing else.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { OPERATIONS_NOT_REQUESTED } from '../authorized-operations.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import type { DescribedGroup } from '../groups/api.js';
import { defineHandler } from '../handler.js';

export const describeGroupsHandler = defineHandler({
  apiKey: ApiKey.DescribeGroups,
  minVersion: 0,
  maxVersion: 6,
  uses: ['groups', 'acls'],
  async handle(request, ctx, { groups, acls }) {
    const allowed = request.groups.filter((g) => acls.authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g));
    const response = await groups.describeGroups({ groups: allowed });
    const wantOperations = request.includeAuthorizedOperations;
    const v6 = ctx.apiVersion >= 6;
    const byId = new Map(response.groups.map((g) => [g.groupId, g]));
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => {
        const g = byId.get(groupId);
        if (!g) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: OPERATIONS_NOT_REQUESTED };
        const described = v6 ? notFoundAsError(g) : notFoundAsDead(g);
        const authorizedOperations = wantOperations && described.errorCode === ErrorCode.NONE ? acls.authorizedOperations(ctx, ResourceType.GROUP, groupId) : OPERATIONS_NOT_REQUESTED;
        return { ...described, authorizedOperations };
      }),
    };
  },
});

/** v6: a group the coordinator does not have is GROUP_ID_NOT_FOUND, with Kafka's message. */
function notFoundAsError(g: DescribedGroup): DescribedGroup {
  if (g.errorCode !== ErrorCode.NONE || g.groupState !== 'Dead') return g;
  return { ...g, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${g.groupId} not found.` };
}

/** Before v6: a group that is not classic is described as Dead, without error. */
function notFoundAsDead(g: DescribedGroup): DescribedGroup {
  return g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND ? { ...g, errorCode: ErrorCode.NONE, errorMessage: null } : g;
}
