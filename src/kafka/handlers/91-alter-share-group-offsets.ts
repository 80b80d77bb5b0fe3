// AlterShareGroupOffsets (91), v0 (KIP-932): sets the start offset of share-partitions of an empty share
// group (kafka-share-groups.sh --reset-offsets). Kafka's checks: READ on the group (else
// GROUP_AUTHORIZATION_FAILED for all), READ on each topic (TOPIC_AUTHORIZATION_FAILED for its partitions).
import { ApiKey, ErrorCode, ZERO_UUID } from '../../../protocol/kafka/index.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const alterShareGroupOffsetsHandler = defineHandler({
  apiKey: ApiKey.AlterShareGroupOffsets,
  minVersion: 0,
  maxVersion: 0,
  uses: ['shares', 'acls'],
  async handle(request, ctx, { shares, acls }) {
    const refuseTopic = (t: (typeof request.topics)[number], errorCode: number) => ({ topicName: t.topicName, topicId: ZERO_UUID, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode, errorMessage: null })) });
    if (!acls.authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId)) {
      const code = ErrorCode.GROUP_AUTHORIZATION_FAILED;
      return { throttleTimeMs: 0, errorCode: code, errorMessage: null, responses: request.topics.map((t) => refuseTopic(t, code)) };
    }
    const mayRead = (t: { topicName: string }) => acls.authorize(ctx, AclOperation.READ, ResourceType.TOPIC, t.topicName);
    const refused = request.topics.filter((t) => !mayRead(t)).map((t) => refuseTopic(t, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
    const answer = await shares.alterOffsets(request.groupId, request.topics.filter(mayRead));
    return { throttleTimeMs: 0, ...answer, responses: [...refused, ...answer.responses] };
  },
});
