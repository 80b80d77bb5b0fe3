// DescribeShareGroupOffsets (90), v0 (KIP-932): each share-partition's start offset for the groups
// named (kafka-share-groups.sh --describe asks it); the share-partitions' state is the partition leaders'.
import { ApiKey, ErrorCode, ZERO_UUID } from '../../../protocol/kafka/index.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const describeShareGroupOffsetsHandler = defineHandler({
  apiKey: ApiKey.DescribeShareGroupOffsets,
  minVersion: 0,
  maxVersion: 0,
  uses: ['shares', 'acls'],
  async handle(request, ctx, { shares, acls }) {
    // Kafka: DESCRIBE on the group, then DESCRIBE on each topic: a named topic the asker may not describe
    // answers TOPIC_AUTHORIZATION_FAILED per partition (its id withheld), and "every topic" (null) leaves
    // such topics out.
    const mayDescribe = (g: { groupId: string }) => acls.authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId);
    const topicVisible = (t: { topicName?: string }) => acls.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, t.topicName ?? '');
    const refused = request.groups.filter((g) => !mayDescribe(g)).map((g) => ({ groupId: g.groupId, topics: [], errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null }));
    const allowed = request.groups.filter(mayDescribe);
    const described = (await shares.describeOffsets(allowed.map((g) => ({ ...g, topics: g.topics?.filter(topicVisible) ?? null })))) ?? [];
    const groups = described.map((answer, i) => {
      const asked = allowed[i]!.topics;
      // A group-level error (not its coordinator, unknown group) is the whole answer.
      if (answer.errorCode !== ErrorCode.NONE) return answer;
      if (asked === null) return { ...answer, topics: answer.topics?.filter(topicVisible) ?? [] };
      const hidden = asked.filter((t) => !topicVisible(t)).map((t) => ({
        topicName: t.topicName,
        topicId: ZERO_UUID,
        partitions: t.partitions.map((partitionIndex) => ({ partitionIndex, startOffset: -1, leaderEpoch: -1, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null })),
      }));
      return { ...answer, topics: [...(answer.topics ?? []), ...hidden] };
    });
    return { throttleTimeMs: 0, groups: [...refused, ...groups] };
  },
});
