// DeleteShareGroupState (86), v0 (KIP-932): the group coordinator (DeleteShareGroupOffsets) has this
// broker's share coordinator (share/share-state-coordinator.ts) forget share-partitions' state, answered
// once the tombstone is in the ISR. Brokers send it to each other; Kafka requires CLUSTER_ACTION.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const deleteShareGroupStateHandler = defineHandler({
  apiKey: ApiKey.DeleteShareGroupState,
  minVersion: 0,
  maxVersion: 0,
  uses: ['shares', 'acls'],
  async handle(request, ctx, { shares, acls }) {
    if (!acls.authorize(ctx, AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME)) {
      const refused = { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null };
      return { results: request.topics.map((t) => ({ topicId: t.topicId, partitions: t.partitions.map((p) => ({ partition: p.partition, ...refused })) })) };
    }
    return shares.deleteState(request);
  },
});
