// DescribeShareGroupOffsets (90), v0-1 (KIP-932): each share-partition's start offset (v1: and its lag)
// for the groups named (kafka-share-groups.sh --describe asks it), read from the share coordinators.
import { ApiKey, ErrorCode, ZERO_UUID } from '../../../protocol/kafka/index.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const describeShareGroupOffsetsHandler = defineHandler({
  apiKey: ApiKey.DescribeShareGroupOffsets,
  minVersion: 0,
  maxVersion: 1,
  uses: ['shares', 'acls'],
  async handle(request, ctx, { shares, acls }) {
    // Kafka: DESCRIBE on the group, then DESCRIBE on each topic: a topic named is refused per partition
    // (its id withheld), one found for a group described whole (null topics) is left out.
    const mayDescribe = (g: { groupId: string }) => acls.authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId);
    const mayDescribeTopic = (name: string) => acls.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, name);
    const refused = request.groups.filter((g) => !mayDescribe(g)).map((g) => ({ groupId: g.groupId, topics: [], errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null }));
    const asked = request.groups.filter(mayDescribe);
    const described = (await shares.describeOffsets(asked)) ?? [];
    const groups = described.map((g, i) => {
      const whole = asked[i]?.topics === null;
      const topics = (g.topics ?? []).flatMap((t) => {
        if (mayDescribeTopic(t.topicName ?? '')) return [t];
        if (whole) return [];
        return [{ ...t, topicId: ZERO_UUID, partitions: (t.partitions ?? []).map((p) => ({ ...p, startOffset: -1, lag: -1, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })) }];
      });
      return { ...g, topics };
    });
    return { throttleTimeMs: 0, groups: [...refused, ...groups] };
  },
});
