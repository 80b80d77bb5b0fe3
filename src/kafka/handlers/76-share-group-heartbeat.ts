// ShareGroupHeartbeat (76), v1 (KIP-932): a share group member joins (epoch 0), heartbeats with its
// epoch and gets its assignment when it changed, or leaves (-1); answered once the group's records are durable.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';
import { clientHostOf } from './11-join-group.js';

export const shareGroupHeartbeatHandler = defineHandler({
  apiKey: ApiKey.ShareGroupHeartbeat,
  minVersion: 1,
  maxVersion: 1,
  uses: ['shares', 'acls'],
  async handle(request, ctx, { shares, acls }) {
    // Kafka: READ on the group; DESCRIBE on each subscribed topic.
    const refuse = (errorCode: number, errorMessage: string | null) => ({ throttleTimeMs: 0, errorCode, errorMessage, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null });
    if (!acls.authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId)) return refuse(ErrorCode.GROUP_AUTHORIZATION_FAILED, null);
    const hidden = (request.subscribedTopicNames ?? []).filter((t) => !acls.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, t));
    if (hidden.length > 0) return refuse(ErrorCode.TOPIC_AUTHORIZATION_FAILED, `Unauthorized topics: ${hidden.join(', ')}`);
    const response = await shares.heartbeat({
      groupId: request.groupId,
      memberId: request.memberId,
      memberEpoch: request.memberEpoch,
      rackId: request.rackId,
      subscribedTopicNames: request.subscribedTopicNames === null ? null : [...request.subscribedTopicNames],
      clientId: ctx.clientId ?? '',
      clientHost: clientHostOf(ctx.remote),
    });
    return { throttleTimeMs: 0, ...response };
  },
});
