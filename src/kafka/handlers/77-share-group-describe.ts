// ShareGroupDescribe (77), v1 (KIP-932): each share group named, its members and their assignments;
// GROUP_ID_NOT_FOUND for an id no share group has.
import { ApiKey } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';
import { SIMPLE_ASSIGNOR } from '../share/share-group-coordinator.js';

export const shareGroupDescribeHandler = defineHandler({
  apiKey: ApiKey.ShareGroupDescribe,
  minVersion: 1,
  maxVersion: 1,
  uses: ['shares'],
  handle(request, _ctx, { shares }) {
    return {
      throttleTimeMs: 0,
      groups: shares.describe(request.groupIds).map((g) => ({
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
    };
  },
});
