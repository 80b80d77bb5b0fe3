// SyncGroup (14), v0-5: the leader hands in the assignment it computed; every member gets its own part
// once the assignment is durable in __consumer_offsets. Followers' replies wait for that.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { refuseSyncGroup } from '../groups/refusals.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

/** From v5 a SyncGroup must name the protocol type and name it joined with (KIP-559). */
const PROTOCOL_REQUIRED_MIN_VERSION = 5;

export const syncGroupHandler = defineHandler({
  apiKey: ApiKey.SyncGroup,
  minVersion: 0,
  maxVersion: 5,
  uses: ['groups', 'acls'],
  async handle(request, ctx, { groups, acls }) {
    if (!acls.authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId)) return { throttleTimeMs: 0, ...refuseSyncGroup(ErrorCode.GROUP_AUTHORIZATION_FAILED) };
    const missingProtocol = request.protocolType === null || request.protocolName === null;
    const response =
      ctx.apiVersion >= PROTOCOL_REQUIRED_MIN_VERSION && missingProtocol
        ? refuseSyncGroup(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
        : await groups.syncGroup(request);
    return { throttleTimeMs: 0, ...response };
  },
});
