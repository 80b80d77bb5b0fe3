// DescribeShareGroupOffsets (90), v0 (KIP-932): each share-partition's start offset for the groups
// named (kafka-share-groups.sh --describe asks it); the share-partitions' state is the partition leaders'.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const describeShareGroupOffsetsHandler = defineHandler({
  apiKey: ApiKey.DescribeShareGroupOffsets,
  minVersion: 0,
  maxVersion: 0,
  uses: ['shares', 'acls'],
  async handle(request, ctx, { shares, acls }) {
    // Kafka: DESCRIBE on the group (topic DESCRIBE is not checked yet: docs/acls.md).
    const mayDescribe = (g: { groupId: string }) => acls.authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId);
    const refused = request.groups.filter((g) => !mayDescribe(g)).map((g) => ({ groupId: g.groupId, topics: [], errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null }));
    return { throttleTimeMs: 0, groups: [...refused, ...((await shares.describeOffsets(request.groups.filter(mayDescribe))) ?? [])] };
  },
});
