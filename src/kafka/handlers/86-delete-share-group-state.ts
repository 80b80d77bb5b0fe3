// DeleteShareGroupState (86), v0 (KIP-932): the group coordinator (DeleteShareGroupOffsets, DeleteGroups) has this
// broker's share coordinator (share/share-state-coordinator.ts) forget share-partitions' state, answered
// once the tombstone is in the ISR. Brokers send it to each other; Kafka requires CLUSTER_ACTION.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';
import { refusedStates } from '../share/share-state-coordinator.js';

export const deleteShareGroupStateHandler = defineHandler({
  apiKey: ApiKey.DeleteShareGroupState,
  minVersion: 0,
  maxVersion: 0,
  uses: ['shares', 'acls'],
  async handle(request, ctx, { shares, acls }) {
    if (!acls.authorize(ctx, AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME)) return refusedStates(request.topics, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, {});
    return shares.deleteState(request);
  },
});
