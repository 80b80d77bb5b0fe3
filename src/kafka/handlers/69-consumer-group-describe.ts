// ConsumerGroupDescribe (69), v0-1: KIP-848 groups with their epochs, assignor, and each member's
// subscription, current and target assignment. Authorized operations are not computed (no ACLs).
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const consumerGroupDescribeHandler = defineHandler({
  apiKey: ApiKey.ConsumerGroupDescribe,
  minVersion: 0,
  maxVersion: 1,
  uses: ['groups', 'acls'],
  async handle(request, ctx, { groups, acls }) {
    const allowed = request.groupIds.filter((g) => acls.authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g));
    const described = allowed.length > 0 ? await groups.consumerGroupDescribe(allowed) : [];
    let next = 0;
    // A group the principal may not DESCRIBE gets GROUP_AUTHORIZATION_FAILED, in request order.
    const answers = request.groupIds.map((groupId) =>
      allowed.includes(groupId)
        ? described[next++]!
        : { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null, groupId, groupState: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [] },
    );
    return { throttleTimeMs: 0, groups: answers };
  },
});
