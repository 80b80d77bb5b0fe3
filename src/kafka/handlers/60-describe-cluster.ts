// DescribeCluster (60), v0-1: the cluster id, the controller and every live broker with its rack. In
// ZooKeeper mode only brokers are described; asking for controllers (endpoint type 2) is refused as
// Kafka's ZooKeeper-mode broker refuses it.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { OPERATIONS_NOT_REQUESTED } from '../authorized-operations.js';
import { CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

const BROKERS_ENDPOINT = 1;

export const describeClusterHandler = defineHandler({
  apiKey: ApiKey.DescribeCluster,
  minVersion: 0,
  maxVersion: 1,
  uses: ['metadata', 'clusterId', 'acls'],
  handle(request, ctx, { metadata, clusterId, acls }) {
    if (request.endpointType !== BROKERS_ENDPOINT) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
        errorMessage: 'The broker only supports DescribeCluster for brokers.',
        endpointType: request.endpointType,
        clusterId,
        brokers: [],
      };
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      endpointType: BROKERS_ENDPOINT,
      clusterId,
      controllerId: metadata.controllerId(),
      brokers: metadata.liveBrokers(ctx.listener).map((b) => ({ brokerId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? acls.authorizedOperations(ctx, ResourceType.CLUSTER, CLUSTER_NAME) : OPERATIONS_NOT_REQUESTED,
    };
  },
});
