// DescribeGroups (15), v0-5: each group's state, protocol and members (with their metadata and
// assignments once Stable). A group the coordinator does not have is described as Dead.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';

/**
 * The operations a client may perform on a group, as a bit field of ACL operation codes (READ 3,
 * DELETE 6, DESCRIBE 8). With no authorizer Kafka reports every operation a group supports, and Skein
 * has none.
 */
const GROUP_AUTHORIZED_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8);
/** Kafka's "not requested" value of AuthorizedOperations. */
const OPERATIONS_NOT_REQUESTED = -2147483648;

export const describeGroupsHandler = defineHandler({
  apiKey: ApiKey.DescribeGroups,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    const response = await ctx.broker.groups.describeGroups({ groups: request.groups });
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
