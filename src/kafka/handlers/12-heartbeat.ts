// Heartbeat (12), v0-4: a member shows it is alive; REBALANCE_IN_PROGRESS tells it to rejoin.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const heartbeatHandler = defineHandler({
  apiKey: ApiKey.Heartbeat,
  minVersion: 0,
  maxVersion: 4,
  uses: ['groups', 'acls'],
  async handle(request, ctx, { groups, acls }) {
    if (!acls.authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    const { errorCode } = await groups.heartbeat(request);
    return { throttleTimeMs: 0, errorCode };
  },
});
