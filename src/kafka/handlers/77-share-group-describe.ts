// ShareGroupDescribe (77), v1 (KIP-932): each share group named, its members and their assignments;
// GROUP_ID_NOT_FOUND for an id no share group has.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';
import { SIMPLE_ASSIGNOR } from '../share/share-group-coordinator.js';

export const shareGroupDescribeHandler = defineHandler({
  apiKey: ApiKey.ShareGroupDescribe,
  minVersion: 1,
  maxVersion: 1,
  uses: ['shares', 'acls'],
  handle(request, ctx, { shares, acls }) {
    // Kafka: DESCRIBE on each group; a group the principal may not describe is answered so and not looked up.
    const allowed = request.groupIds.filter((g) => acls.authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g));
    const refused = request.groupIds.filter((g) => !allowed.includes(g));
    return {
      throttleTimeMs: 0,
      groups: [
        ...refused.map((groupId) => ({ errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null, groupId, groupState: '', groupEpoch: -1, assignmentEpoch: -1, assignorName: '', members: [], authorizedOperations: -2147483648 })),
        ...shares.describe(allowed).map((g) => ({
        errorCode: g.errorCode,
        errorMessage: null,
        groupId: g.groupId,
        groupState: g.groupState,
        groupEpoch: g.groupEpoch,
        assignmentEpoch: g.assignmentEpoch,
        assignorName: SIMPLE_ASSIGNOR,
        members: g.members.map((m) => ({ ...m, assignment: { topicPartitions: m.assignment } })),
        authorizedOperations: -2147483648,
        })),
      ],
    };
  },
});
