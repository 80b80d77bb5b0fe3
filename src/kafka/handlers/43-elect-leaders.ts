// ElectLeaders (43), v0-2: preferred (type 0) or unclean (type 1) leader election for the named
// partitions, or all of them with a null list. Served by the controller, as Kafka's ZooKeeper-mode broker
// does (the Java Admin sends it there); another broker answers NOT_CONTROLLER for every partition. A
// broker alone leads everything already: ELECTION_NOT_NEEDED.
import { ApiKey, ErrorCode, errorInfo, type ElectLeadersResponseInput } from '../../../protocol/kafka/index.js';
import type { ElectionOutcome } from '../controller/controller-core.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

const UNCLEAN = 1;

interface Result {
  topic: string;
  partitionResult: { partitionId: number; errorCode: number; errorMessage: string | null }[];
}

function grouped(items: readonly { topic: string; partition: number; errorCode: number }[]): Result[] {
  const byTopic = new Map<string, Result>();
  for (const i of items) {
    let r = byTopic.get(i.topic);
    if (!r) byTopic.set(i.topic, (r = { topic: i.topic, partitionResult: [] }));
    const message = i.errorCode === ErrorCode.NONE ? null : errorInfo(i.errorCode).message;
    r.partitionResult.push({ partitionId: i.partition, errorCode: i.errorCode, errorMessage: message });
  }
  return [...byTopic.values()];
}

export const electLeadersHandler = defineHandler({
  apiKey: ApiKey.ElectLeaders,
  minVersion: 0,
  maxVersion: 2,
  uses: ['controller', 'topics', 'acls'],
  async handle(request, ctx, { controller, topics, acls }): Promise<ElectLeadersResponseInput> {
    // ALTER on the cluster, else Kafka answers with a top-level CLUSTER_AUTHORIZATION_FAILED and no results.
    if (!acls.authorize(ctx, AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, replicaElectionResults: [] };
    const asked =
      request.topicPartitions === null
        ? 'all'
        : request.topicPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
    if (!controller) {
      const all = asked === 'all' ? topics.list().flatMap((t) => t.replicas.map((_, partition) => ({ topic: t.name, partition }))) : asked;
      const known = (tp: { topic: string; partition: number }) => tp.partition >= 0 && tp.partition < (topics.get(tp.topic)?.replicas.length ?? 0);
      return {
        throttleTimeMs: 0,
        replicaElectionResults: grouped(all.map((tp) => ({ ...tp, errorCode: known(tp) ? ErrorCode.ELECTION_NOT_NEEDED : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }))),
      };
    }
    const type = request.electionType === UNCLEAN ? 'unclean' : 'preferred';
    const outcomes = await controller.electLeaders(type, asked);
    if (outcomes === undefined) {
      const all = asked === 'all' ? [] : asked;
      return { throttleTimeMs: 0, replicaElectionResults: grouped(all.map((tp) => ({ ...tp, errorCode: ErrorCode.NOT_CONTROLLER }))) };
    }
    const code: Record<ElectionOutcome, number> = {
      elected: ErrorCode.NONE,
      notNeeded: ErrorCode.ELECTION_NOT_NEEDED,
      notAvailable: type === 'preferred' ? ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE : ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE,
      unknown: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    };
    return { throttleTimeMs: 0, replicaElectionResults: grouped(outcomes.map((o) => ({ ...o, errorCode: code[o.outcome] }))) };
  },
});
