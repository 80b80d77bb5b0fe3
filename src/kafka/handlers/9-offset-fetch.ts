// OffsetFetch (9), v0-10: a group's committed offsets (-1 where none), for named partitions or, with null
// topics (v2+), every partition the group committed. v8 asks for several groups at once; before, one
// group travels at the top level. v0-1 have no top-level error code, so a group's error goes on every
// partition asked for (Kafka: OffsetFetchRequest.getErrorResponse). v9 adds the asking member's id and
// epoch, which only KIP-848 groups check (Kafka's ClassicGroup.validateOffsetFetch ignores them), so a
// classic group answers as for v8. v10 names topics by id (KIP-516): an id this broker does not know is
// UNKNOWN_TOPIC_ID for each partition asked, and a group's offsets for a topic the broker no longer has
// (no id to name it by) are left out.
import { ApiKey, ErrorCode, type OffsetFetchRequest, type OffsetFetchResponseInput } from '../../../protocol/kafka/index.js';
import type { OffsetFetchRequestGroup, OffsetFetchRequestTopic, OffsetFetchResponseGroup } from '../groups/api.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';
import type { TopicAdmin } from '../services.js';

/** v8 made OffsetFetch a batch of groups (KIP-709). */
const BATCHED_MIN_VERSION = 8;
/** v2 added the top-level error code. */
const TOP_LEVEL_ERROR_MIN_VERSION = 2;
/** v10 names topics by id. */
const TOPIC_IDS_MIN_VERSION = 10;

function partitionWithError(partitionIndex: number, errorCode: number): OffsetFetchResponseGroup['topics'][number]['partitions'][number] {
  return { partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode };
}

function partitionsWithError(
  topics: ReadonlyArray<{ name: string; partitionIndexes: number[] }>,
  errorCode: number,
): OffsetFetchResponseGroup['topics'] {
  return topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => partitionWithError(p, errorCode)) }));
}

type AskedGroup = OffsetFetchRequest['groups'][number];

/** A v10 group's topics by name for the coordinator, and the ids it named that no topic has. */
function namedGroup(g: AskedGroup, topics: Pick<TopicAdmin, 'getById'>): { group: OffsetFetchRequestGroup; unknown: NonNullable<AskedGroup['topics']> } {
  if (g.topics === null) return { group: { groupId: g.groupId, topics: null }, unknown: [] };
  const known: OffsetFetchRequestTopic[] = [];
  const unknown: NonNullable<AskedGroup['topics']> = [];
  for (const t of g.topics) {
    const name = topics.getById(t.topicId)?.name;
    if (name === undefined) unknown.push(t);
    else known.push({ name, partitionIndexes: t.partitionIndexes });
  }
  return { group: { groupId: g.groupId, topics: known }, unknown };
}

/** v10: the coordinator's answers with topic ids, the unknown ids answered, topics with no id left out. */
async function byTopicIds(request: OffsetFetchRequest, topics: Pick<TopicAdmin, 'get' | 'getById'>, fetch: (groups: OffsetFetchRequestGroup[]) => Promise<OffsetFetchResponseGroup[]>): Promise<OffsetFetchResponseInput> {
  const named = request.groups.map((g) => namedGroup(g, topics));
  const answered = await fetch(named.map((n) => n.group));
  const groups = answered.map((g, i) => ({
    groupId: g.groupId,
    errorCode: g.errorCode,
    topics: [
      ...g.topics.flatMap((t) => {
        const topicId = topics.get(t.name)?.topicId;
        return topicId === undefined ? [] : [{ topicId, partitions: t.partitions }];
      }),
      ...named[i]!.unknown.map((t) => ({ topicId: t.topicId, partitions: t.partitionIndexes.map((p) => partitionWithError(p, ErrorCode.UNKNOWN_TOPIC_ID)) })),
    ],
  }));
  return { throttleTimeMs: 0, groups };
}

/**
 * The coordinator's answers, as Kafka filters them: a group the principal may not DESCRIBE gets
 * GROUP_AUTHORIZATION_FAILED; a topic it may not DESCRIBE is left out of an all-topics answer and
 * TOPIC_AUTHORIZATION_FAILED where it was named.
 */
async function authorizedOffsets(
  asked: OffsetFetchRequestGroup[],
  fetch: (groups: OffsetFetchRequestGroup[]) => Promise<OffsetFetchResponseGroup[]>,
  mayDescribe: (type: typeof ResourceType.GROUP | typeof ResourceType.TOPIC, name: string) => boolean,
): Promise<OffsetFetchResponseGroup[]> {
  const allowed = asked.filter((g) => mayDescribe(ResourceType.GROUP, g.groupId));
  const answered = allowed.length > 0 ? await fetch(allowed) : [];
  let next = 0;
  return asked.map((g) => {
    if (!allowed.includes(g)) return { groupId: g.groupId, topics: [], errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    const answer = answered[next++]!;
    const topics = answer.topics.flatMap((t) => {
      if (mayDescribe(ResourceType.TOPIC, t.name)) return [t];
      return g.topics === null ? [] : [{ name: t.name, partitions: t.partitions.map((p) => partitionWithError(p.partitionIndex, ErrorCode.TOPIC_AUTHORIZATION_FAILED)) }];
    });
    return { ...answer, topics };
  });
}

export const offsetFetchHandler = defineHandler({
  apiKey: ApiKey.OffsetFetch,
  minVersion: 0,
  maxVersion: 10,
  uses: ['groups', 'topics', 'acls'],
  async handle(request, ctx, { groups, topics: topicAdmin, acls }): Promise<OffsetFetchResponseInput> {
    const { requireStable } = request;
    const mayDescribe = (type: typeof ResourceType.GROUP | typeof ResourceType.TOPIC, name: string) => acls.authorize(ctx, AclOperation.DESCRIBE, type, name);
    const offsetFetch = async (asked: OffsetFetchRequestGroup[]) => ({
      groups: await authorizedOffsets(asked, async (allowed) => (await groups.offsetFetch({ groups: allowed, requireStable })).groups, mayDescribe),
    });
    if (ctx.apiVersion >= TOPIC_IDS_MIN_VERSION) {
      return byTopicIds(request, topicAdmin, async (asked) => (await offsetFetch(asked)).groups);
    }
    if (ctx.apiVersion >= BATCHED_MIN_VERSION) {
      const response = await offsetFetch(request.groups.map((g) => ({ groupId: g.groupId, topics: g.topics })));
      return { throttleTimeMs: 0, groups: response.groups };
    }
    const response = await offsetFetch([{ groupId: request.groupId, topics: request.topics }]);
    const { topics, errorCode } = response.groups[0]!;
    if (ctx.apiVersion < TOP_LEVEL_ERROR_MIN_VERSION && errorCode !== ErrorCode.NONE) {
      return { throttleTimeMs: 0, topics: partitionsWithError(request.topics ?? [], errorCode) };
    }
    return { throttleTimeMs: 0, topics, errorCode };
  },
});
