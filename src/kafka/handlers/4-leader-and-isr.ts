// LeaderAndIsr (4), v0-7: the controller names this broker leader or follower of partitions, with their
// leader epoch, ISR and replicas (Kafka's ZooKeeper-mode inter-broker API). The replication manager
// applies the states in arrival order and answers per partition as Kafka 3.9 does.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const leaderAndIsrHandler = defineHandler({
  apiKey: ApiKey.LeaderAndIsr,
  minVersion: 0,
  maxVersion: 7,
  uses: ['replication', 'acls'],
  handle(request, ctx, { replication, acls }) {
    // From the controller only: CLUSTER_ACTION on the cluster (brokers are super users, or granted it).
    if (!acls.authorize(ctx, AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME)) return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, partitionErrors: [], topics: [] };
    return replication.leaderAndIsr(request, ctx.apiVersion);
  },
});
