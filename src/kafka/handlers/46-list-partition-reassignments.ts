// ListPartitionReassignments (46), v0: the reassignments in progress, of the partitions named or of all
// (KIP-455). Served by the controller, as Kafka's ZooKeeper-mode broker does; another broker answers
// NOT_CONTROLLER. Partitions not being reassigned (or unknown) are left out, as Kafka leaves them. A
// broker alone has none in progress.
import { ApiKey, ErrorCode, errorInfo, type ListPartitionReassignmentsResponseInput } from '../../../protocol/kafka/index.js';
import type { Reassignment } from '../controller/controller-core.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';
import { groupByTopic } from '../topics/group-by-topic.js';

function grouped(list: readonly Reassignment[]): ListPartitionReassignmentsResponseInput['topics'] {
  return groupByTopic(list).map(([name, parts]) => ({
    name,
    partitions: parts.map((r) => ({ partitionIndex: r.partition, replicas: r.replicas, addingReplicas: r.adding, removingReplicas: r.removing })),
  }));
}

export const listPartitionReassignmentsHandler = defineHandler({
  apiKey: ApiKey.ListPartitionReassignments,
  minVersion: 0,
  maxVersion: 0,
  uses: ['controller', 'acls'],
  async handle(request, ctx, { controller, acls }): Promise<ListPartitionReassignmentsResponseInput> {
    if (!acls.authorize(ctx, AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, topics: [] };
    const which = request.topics === null ? 'all' : request.topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })));
    const list = controller ? await controller.reassignments(which) : [];
    if (list === undefined) return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: errorInfo(ErrorCode.NOT_CONTROLLER).message, topics: [] };
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: grouped(list) };
  },
});
