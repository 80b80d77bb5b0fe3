// WriteShareGroupState (85), v0 (KIP-932): a share-partition leader hands this broker's share
// coordinator (share/share-state-coordinator.ts) a share-partition's state, answered once the ISR of its
// __share_group_state partition has it. Brokers send it to each other; Kafka requires CLUSTER_ACTION.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';
import { refusedStates } from '../share/share-state-coordinator.js';

export const writeShareGroupStateHandler = defineHandler({
  apiKey: ApiKey.WriteShareGroupState,
  minVersion: 0,
  maxVersion: 0,
  uses: ['shares', 'acls'],
  async handle(request, ctx, { shares, acls }) {
    if (!acls.authorize(ctx, AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME)) return refusedStates(request.topics, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, {});
    return shares.writeState(request);
  },
});
