// DescribeGroups (15), v0-5: each group's state, protocol and members (with their metadata and
// assignments once Stable). A group the coordinator does not have is described as Dead; one the principal
// may not DESCRIBE gets GROUP_AUTHORIZATION_FAILED and nothing else, as Kafka answers.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { OPERATIONS_NOT_REQUESTED } from '../authorized-operations.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const describeGroupsHandler = defineHandler({
  apiKey: ApiKey.DescribeGroups,
  minVersion: 0,
  maxVersion: 5,
  uses: ['groups', 'acls'],
  async handle(request, ctx, { groups, acls }) {
    const allowed = request.groups.filter((g) => acls.authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g));
    const response = await groups.describeGroups({ groups: allowed });
    const wantOperations = request.includeAuthorizedOperations;
    const described = new Map(response.groups.map((g) => [g.groupId, g]));
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => {
        const g = described.get(groupId);
        if (!g) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: OPERATIONS_NOT_REQUESTED };
        return { ...g, authorizedOperations: wantOperations && g.errorCode === ErrorCode.NONE ? acls.authorizedOperations(ctx, ResourceType.GROUP, groupId) : OPERATIONS_NOT_REQUESTED };
      }),
    };
  },
});
