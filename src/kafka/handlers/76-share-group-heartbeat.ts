// ShareGroupHeartbeat (76), v1 (KIP-932): a share group member joins (epoch 0), heartbeats with its
// epoch and gets its assignment when it changed, or leaves (-1).
import { ApiKey } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';
import { clientHostOf } from './11-join-group.js';

export const shareGroupHeartbeatHandler = defineHandler({
  apiKey: ApiKey.ShareGroupHeartbeat,
  minVersion: 1,
  maxVersion: 1,
  uses: ['shares'],
  handle(request, ctx, { shares }) {
    const response = shares.heartbeat({
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
