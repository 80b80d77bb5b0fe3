// DeleteShareGroupOffsets (92), v0 (KIP-932): forgets an empty share group's state for whole topics, so
// their partitions start again as new ones (kafka-share-groups.sh --delete-offsets). Kafka's checks:
// DELETE on the group (else GROUP_AUTHORIZATION_FAILED), READ on each topic (TOPIC_AUTHORIZATION_FAILED).
import { ApiKey, ErrorCode, ZERO_UUID } from '../../../protocol/kafka/index.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const deleteShareGroupOffsetsHandler = defineHandler({
  apiKey: ApiKey.DeleteShareGroupOffsets,
  minVersion: 0,
  maxVersion: 0,
  uses: ['shares', 'acls'],
  async handle(request, ctx, { shares, acls }) {
    if (!acls.authorize(ctx, AclOperation.DELETE, ResourceType.GROUP, request.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null, responses: [] };
    }
    const mayRead = (t: { topicName: string }) => acls.authorize(ctx, AclOperation.READ, ResourceType.TOPIC, t.topicName);
    const refused = request.topics.filter((t) => !mayRead(t)).map((t) => ({ topicName: t.topicName, topicId: ZERO_UUID, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null }));
    const answer = await shares.deleteOffsets(request.groupId, request.topics.filter(mayRead));
    return { throttleTimeMs: 0, ...answer, responses: [...refused, ...answer.responses] };
  },
});
