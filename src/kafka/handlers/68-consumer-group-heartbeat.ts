// ConsumerGroupHeartbeat (68), v0-1: KIP-848's one request for a consumer group member. It joins
// (epoch 0), heartbeats, reports the partitions it owns and gets its next assignment, or leaves (-1,
// or -2 for a static member that will be back). v1 adds the topic regex.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';
import { clientHostOf } from './11-join-group.js';

export const consumerGroupHeartbeatHandler = defineHandler({
  apiKey: ApiKey.ConsumerGroupHeartbeat,
  minVersion: 0,
  maxVersion: 1,
  uses: ['groups', 'acls'],
  async handle(request, ctx, { groups, acls }) {
    // Kafka: READ on the group; DESCRIBE on each subscribed topic (TOPIC_AUTHORIZATION_FAILED naming them).
    if (!acls.authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
    }
    const hidden = (request.subscribedTopicNames ?? []).filter((t) => !acls.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, t));
    if (hidden.length > 0) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: `Unauthorized topics: ${hidden.join(', ')}`, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
    }
    const response = await groups.consumerGroupHeartbeat({
      groupId: request.groupId,
      memberId: request.memberId,
      memberEpoch: request.memberEpoch,
      instanceId: request.instanceId,
      rackId: request.rackId,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs,
      subscribedTopicNames: request.subscribedTopicNames === null ? null : [...request.subscribedTopicNames],
      subscribedTopicRegex: request.subscribedTopicRegex,
      serverAssignor: request.serverAssignor,
      topicPartitions: request.topicPartitions === null ? null : request.topicPartitions.map((t) => ({ topicId: t.topicId, partitions: [...t.partitions] })),
      clientId: ctx.clientId ?? '',
      clientHost: clientHostOf(ctx.remote),
    });
    return { throttleTimeMs: 0, ...response };
  },
});
