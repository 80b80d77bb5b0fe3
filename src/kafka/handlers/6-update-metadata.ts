// UpdateMetadata (6), v0-8: the controller's picture of the cluster (live brokers, partition leaders,
// ISRs, leader epochs), which Metadata, FindCoordinator and DescribeCluster then answer from. Refused, as
// Kafka refuses it, from a controller older than the last one heard (STALE_CONTROLLER_EPOCH) or for an
// earlier registration of this broker (STALE_BROKER_EPOCH).
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const updateMetadataHandler = defineHandler({
  apiKey: ApiKey.UpdateMetadata,
  minVersion: 0,
  maxVersion: 8,
  uses: ['metadataUpdates', 'acls'],
  handle(request, ctx, { metadataUpdates, acls }) {
    if (!acls.authorize(ctx, AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME)) return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED };
    // A broker without zookeeper.connect is its own cluster: there is no controller to hear from.
    if (!metadataUpdates) return { errorCode: ErrorCode.INVALID_REQUEST };
    if (request.brokerEpoch !== -1 && request.brokerEpoch < metadataUpdates.brokerEpoch) return { errorCode: ErrorCode.STALE_BROKER_EPOCH };
    if (request.controllerEpoch < metadataUpdates.controllerEpoch) return { errorCode: ErrorCode.STALE_CONTROLLER_EPOCH };
    metadataUpdates.update(request);
    return { errorCode: ErrorCode.NONE };
  },
});
