// StopReplica (5), v0-4: the controller tells this broker to stop leading or following partitions, and
// whether to delete their logs (a deleted topic, a reassigned replica).
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const stopReplicaHandler = defineHandler({
  apiKey: ApiKey.StopReplica,
  minVersion: 0,
  maxVersion: 4,
  uses: ['replication', 'acls'],
  handle(request, ctx, { replication, acls }) {
    if (!acls.authorize(ctx, AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME)) return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, partitionErrors: [] };
    return replication.stopReplica(request);
  },
});
