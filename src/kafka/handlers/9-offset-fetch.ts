// OffsetFetch (9), v0-8: a group's committed offsets (-1 where none), for named partitions or, with null
// topics (v2+), every partition the group committed. v8 asks for several groups at once; before, one
// group travels at the top level. v0-1 have no top-level error code, so a group's error goes on every
// partition asked for (Kafka: OffsetFetchRequest.getErrorResponse).
import { ApiKey, ErrorCode, type OffsetFetchResponseInput } from '../../../protocol/kafka/index.js';
import type { OffsetFetchResponseGroup } from '../groups/api.js';
import { defineHandler } from '../handler.js';

/** v8 made OffsetFetch a batch of groups (KIP-709). */
const BATCHED_MIN_VERSION = 8;
/** v2 added the top-level error code. */
const TOP_LEVEL_ERROR_MIN_VERSION = 2;

function partitionsWithError(
  topics: ReadonlyArray<{ name: string; partitionIndexes: number[] }>,
  errorCode: number,
): OffsetFetchResponseGroup['topics'] {
  return topics.map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode })),
  }));
}

export const offsetFetchHandler = defineHandler({
  apiKey: ApiKey.OffsetFetch,
  minVersion: 0,
  maxVersion: 8,
  uses: ['groups'],
  async handle(request, ctx, { groups }): Promise<OffsetFetchResponseInput> {
    const { requireStable } = request;
    if (ctx.apiVersion >= BATCHED_MIN_VERSION) {
      const response = await groups.offsetFetch({ groups: request.groups.map((g) => ({ groupId: g.groupId, topics: g.topics })), requireStable });
      return { throttleTimeMs: 0, groups: response.groups };
    }
    const response = await groups.offsetFetch({ groups: [{ groupId: request.groupId, topics: request.topics }], requireStable });
    const { topics, errorCode } = response.groups[0]!;
    if (ctx.apiVersion < TOP_LEVEL_ERROR_MIN_VERSION && errorCode !== ErrorCode.NONE) {
      return { throttleTimeMs: 0, topics: partitionsWithError(request.topics ?? [], errorCode) };
    }
    return { throttleTimeMs: 0, topics, errorCode };
  },
});
