// OffsetDelete (47), v0: removes a group's committed offsets for some partitions, refused for topics the
// group still consumes. As in Kafka's handler, partitions that do not exist are answered
// UNKNOWN_TOPIC_OR_PARTITION here; a group-level error replaces every partition's answer.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { KnownPartitions } from '../groups/known-partitions.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const offsetDeleteHandler = defineHandler({
  apiKey: ApiKey.OffsetDelete,
  minVersion: 0,
  maxVersion: 0,
  uses: ['groups', 'topics', 'acls'],
  async handle(request, ctx, { groups, topics, acls }) {
    if (!acls.authorize(ctx, AclOperation.DELETE, ResourceType.GROUP, request.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: [] };
    const split = new KnownPartitions(request.topics, topics, (t) => acls.authorize(ctx, AclOperation.READ, ResourceType.TOPIC, t));
    const deleted = await groups.offsetDelete({ groupId: request.groupId, topics: split.known });
    if (deleted.errorCode !== ErrorCode.NONE) return { throttleTimeMs: 0, errorCode: deleted.errorCode, topics: [] };
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, topics: split.merge(deleted.topics) };
  },
});
