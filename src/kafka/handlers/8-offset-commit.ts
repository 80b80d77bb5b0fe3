// OffsetCommit (8), v0-10: a group's consumed positions, acknowledged once durable in __consumer_offsets.
// As in Kafka's handler, partitions of topics that do not exist are answered UNKNOWN_TOPIC_OR_PARTITION
// here and only the rest go to the coordinator; a request left with nothing to commit never reaches it.
// v9 carries a KIP-848 member epoch where v8 has the generation; for a classic group it is the
// generation, and a commit naming one for a group the coordinator does not have is GROUP_ID_NOT_FOUND.
// v10 names topics by id (KIP-516): an id this broker does not know is UNKNOWN_TOPIC_ID.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { KnownPartitions } from '../groups/known-partitions.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { refuseOffsetCommit } from '../groups/refusals.js';
import { defineHandler } from '../handler.js';

const TOPIC_IDS_MIN_VERSION = 10;
/** Never a topic's name (topic-name.ts refuses the empty name): stands for an id no topic has. */
const NO_TOPIC = '';

export const offsetCommitHandler = defineHandler({
  apiKey: ApiKey.OffsetCommit,
  minVersion: 0,
  maxVersion: 10,
  uses: ['groups', 'topics', 'acls'],
  async handle(request, ctx, { groups, topics, acls }) {
    const byId = ctx.apiVersion >= TOPIC_IDS_MIN_VERSION;
    const asked = byId ? request.topics.map((t) => ({ ...t, name: topics.getById(t.topicId)?.name ?? NO_TOPIC })) : request.topics;
    let answered;
    // As Kafka: READ on the group, then READ on each topic (TOPIC_AUTHORIZATION_FAILED for its partitions).
    if (!acls.authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId)) answered = refuseOffsetCommit({ topics: asked }, ErrorCode.GROUP_AUTHORIZATION_FAILED).topics;
    else {
      const split = new KnownPartitions(asked, topics, (t) => t === NO_TOPIC || acls.authorize(ctx, AclOperation.READ, ResourceType.TOPIC, t));
      const committed = split.known.length > 0 ? await groups.offsetCommit({ ...request, topics: split.known, apiVersion: ctx.apiVersion }) : { topics: [] };
      answered = split.merge(committed.topics);
    }
    if (!byId) return { throttleTimeMs: 0, topics: answered };
    return {
      throttleTimeMs: 0,
      topics: answered.map((t, i) => ({
        topicId: request.topics[i]!.topicId,
        partitions: t.name === NO_TOPIC ? t.partitions.map((p) => ({ ...p, errorCode: ErrorCode.UNKNOWN_TOPIC_ID })) : t.partitions,
      })),
    };
  },
});
