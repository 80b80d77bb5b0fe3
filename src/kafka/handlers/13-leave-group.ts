// LeaveGroup (13), v0-5: members leave at once instead of waiting for their sessions to end. v3+ name a
// batch of members (an administrator removing static members by instance id); v0-2 the sender alone.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

/** The version that made LeaveGroup a batch with per-member errors (KIP-345). */
const BATCHED_MIN_VERSION = 3;

export const leaveGroupHandler = defineHandler({
  apiKey: ApiKey.LeaveGroup,
  minVersion: 0,
  maxVersion: 5,
  uses: ['groups', 'acls'],
  async handle(request, ctx, { groups, acls }) {
    if (!acls.authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] };
    const batched = ctx.apiVersion >= BATCHED_MIN_VERSION;
    const members = batched ? request.members : [{ memberId: request.memberId, groupInstanceId: null }];
    const response = await groups.leaveGroup({ groupId: request.groupId, members });
    if (batched) return { throttleTimeMs: 0, ...response };
    // Without per-member errors, the member's error is the request's (Kafka: LeaveGroupResponse.getError).
    const memberError = response.members.find((m) => m.errorCode !== ErrorCode.NONE)?.errorCode ?? ErrorCode.NONE;
    return { throttleTimeMs: 0, errorCode: response.errorCode !== ErrorCode.NONE ? response.errorCode : memberError };
  },
});
