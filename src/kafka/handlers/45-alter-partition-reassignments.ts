// AlterPartitionReassignments (45), v0: move partitions to new replicas, or with null replicas cancel
// their reassignment (KIP-455). Served by the controller, as Kafka's ZooKeeper-mode broker does (clients
// send it there); another broker answers NOT_CONTROLLER for the whole request and the client finds the
// controller again. A broker alone (no zookeeper.connect) has every partition on itself only: moving one
// there changes nothing, anywhere else names a broker that does not exist.
import { ApiKey, ErrorCode, errorInfo, type AlterPartitionReassignmentsResponseInput } from '../../../protocol/kafka/index.js';
import type { ReassignRefusal } from '../controller/controller-core.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';
import { groupByTopic } from '../topics/group-by-topic.js';

interface Outcome {
  topic: string;
  partition: number;
  errorCode: number;
  message?: string;
}

function grouped(outcomes: readonly Outcome[]): AlterPartitionReassignmentsResponseInput['responses'] {
  return groupByTopic(outcomes).map(([name, list]) => ({
    name,
    partitions: list.map((o) => ({
      partitionIndex: o.partition,
      errorCode: o.errorCode,
      errorMessage: o.errorCode === ErrorCode.NONE ? null : (o.message ?? errorInfo(o.errorCode).message),
    })),
  }));
}

const CODES: Record<ReassignRefusal['kind'], number> = {
  unknown: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  invalid: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
  noneInProgress: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
};

export const alterPartitionReassignmentsHandler = defineHandler({
  apiKey: ApiKey.AlterPartitionReassignments,
  minVersion: 0,
  maxVersion: 0,
  uses: ['controller', 'topics', 'config', 'acls'],
  async handle(request, ctx, { controller, topics, config, acls }): Promise<AlterPartitionReassignmentsResponseInput> {
    if (!acls.authorize(ctx, AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, responses: [] };
    const asked = request.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, replicas: p.replicas })));
    const answer = (outcomes: Outcome[]): AlterPartitionReassignmentsResponseInput => ({ throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses: grouped(outcomes) });
    if (!controller) {
      const self = config.brokerId;
      return answer(
        asked.map((a) => {
          const known = a.partition >= 0 && a.partition < (topics.get(a.topic)?.replicas.length ?? 0);
          let errorCode: number = ErrorCode.NONE;
          if (!known) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          else if (a.replicas === null) errorCode = ErrorCode.NO_REASSIGNMENT_IN_PROGRESS;
          else if (a.replicas.length !== 1 || a.replicas[0] !== self) errorCode = ErrorCode.INVALID_REPLICA_ASSIGNMENT;
          return { ...a, errorCode };
        }),
      );
    }
    const refusals = await controller.reassign(asked);
    if (refusals === undefined) return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: errorInfo(ErrorCode.NOT_CONTROLLER).message, responses: [] };
    return answer(
      refusals.map(({ topic, partition, refusal }) => ({
        topic,
        partition,
        errorCode: refusal ? CODES[refusal.kind] : ErrorCode.NONE,
        message: refusal?.kind === 'invalid' ? refusal.message : undefined,
      })),
    );
  },
});
