// ReadShareGroupState (84), v0 (KIP-932): a share-partition leader reads the durable state of a
// share-partition from this broker's share coordinator (share/share-state-coordinator.ts). Brokers send
// it to each other; Kafka requires CLUSTER_ACTION on the cluster, as for every inter-broker request.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const readShareGroupStateHandler = defineHandler({
  apiKey: ApiKey.ReadShareGroupState,
  minVersion: 0,
  maxVersion: 0,
  uses: ['shares', 'acls'],
  handle(request, ctx, { shares, acls }) {
    if (!acls.authorize(ctx, AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME)) {
      const refused = { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, stateEpoch: 0, startOffset: -1, stateBatches: [] };
      return { results: request.topics.map((t) => ({ topicId: t.topicId, partitions: t.partitions.map((p) => ({ partition: p.partition, ...refused })) })) };
    }
    return shares.readState(request);
  },
});
