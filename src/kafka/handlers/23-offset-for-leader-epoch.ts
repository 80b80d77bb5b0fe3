// OffsetForLeaderEpoch (23), v0-4: where each asked-about leader epoch ends in the partition's log, from
// its leader epoch cache, as Kafka's Partition.lastOffsetForLeaderEpoch answers: the latest epoch ends at
// the log end, an older one where the next starts (with the largest known epoch at or below it). A
// consumer that sees an end below its position knows the log was truncated under it (KIP-320); a
// follower truncates to it (KIP-101/279). current_leader_epoch fences stale clients like Fetch does.
import { ApiKey, ErrorCode, type OffsetForLeaderEpochResponseInput } from '../../../protocol/kafka/index.js';
import { UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET } from '../../log/leader-epoch-cache.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

type TopicResult = NonNullable<OffsetForLeaderEpochResponseInput['topics']>[number];
type PartitionResult = NonNullable<TopicResult['partitions']>[number];

export const offsetForLeaderEpochHandler = defineHandler({
  apiKey: ApiKey.OffsetForLeaderEpoch,
  minVersion: 0,
  maxVersion: 4,
  uses: ['partitions', 'acls'],
  handle(request, ctx, { partitions, acls }) {
    // A follower's request (replica id >= 0) needs CLUSTER_ACTION; a consumer's DESCRIBE on each topic.
    const follower = request.replicaId >= 0;
    const clusterAction = follower && acls.authorize(ctx, AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME);
    const refusalOf = (topic: string) => {
      if (follower) return clusterAction ? undefined : ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
      return acls.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, topic) ? undefined : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
    };
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map(({ partition: index, currentLeaderEpoch, leaderEpoch }): PartitionResult => {
          const undefinedEnd = { partition: index, leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
          const refusal = refusalOf(t.topic);
          if (refusal !== undefined) return { ...undefinedEnd, errorCode: refusal };
          const partition = partitions.leader(t.topic, index, currentLeaderEpoch);
          if (typeof partition === 'number') return { ...undefinedEnd, errorCode: partition };
          const end = partition.log.endOffsetForEpoch(leaderEpoch);
          if (!end) return { ...undefinedEnd, errorCode: ErrorCode.NONE };
          return { partition: index, errorCode: ErrorCode.NONE, leaderEpoch: end.epoch, endOffset: end.endOffset };
        }),
      })),
    };
  },
});
