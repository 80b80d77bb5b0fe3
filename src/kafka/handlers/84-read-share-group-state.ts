// ReadShareGroupState (84), v0 (KIP-932): a share-partition leader reads the durable state of a
// share-partition from this broker's share coordinator (share/share-state-coordinator.ts). Brokers send
// it to each other; Kafka requires CLUSTER_ACTION on the cluster, as for every inter-broker request.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';
import { refusedStates } from '../share/share-state-coordinator.js';

export const readShareGroupStateHandler = defineHandler({
  apiKey: ApiKey.ReadShareGroupState,
  minVersion: 0,
  maxVersion: 0,
  uses: ['shares', 'acls'],
  handle(request, ctx, { shares, acls }) {
    if (!acls.authorize(ctx, AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME)) return refusedStates(request.topics, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, { stateEpoch: 0, startOffset: -1, stateBatches: [] });
    return shares.readState(request);
  },
});
