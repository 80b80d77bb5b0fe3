// DescribeGroups (15), v0-5: each group's state, protocol and members (with their metadata and
// assignments once Stable). A group the coordinator does not have is described as Dead.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { GROUP_AUTHORIZED_OPERATIONS, OPERATIONS_NOT_REQUESTED } from '../authorized-operations.js';
import { defineHandler } from '../handler.js';

export const describeGroupsHandler = defineHandler({
  apiKey: ApiKey.DescribeGroups,
  minVersion: 0,
  maxVersion: 5,
  uses: ['groups'],
  async handle(request, _ctx, { groups }) {
    const response = await groups.describeGroups({ groups: request.groups });
    const wantOperations = request.includeAuthorizedOperations;
    return {
      throttleTimeMs: 0,
      groups: response.groups.map((g) => ({
        ...g,
        authorizedOperations: wantOperations && g.errorCode === ErrorCode.NONE ? GROUP_AUTHORIZED_OPERATIONS : OPERATIONS_NOT_REQUESTED,
      })),
    };
  },
});
