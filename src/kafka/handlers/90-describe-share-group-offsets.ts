// DescribeShareGroupOffsets (90), v0 (KIP-932): each share-partition's start offset for the groups
// named (kafka-share-groups.sh --describe asks it); the share-partitions' state is the partition leaders'.
import { ApiKey } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';

export const describeShareGroupOffsetsHandler = defineHandler({
  apiKey: ApiKey.DescribeShareGroupOffsets,
  minVersion: 0,
  maxVersion: 0,
  uses: ['shares'],
  async handle(request, _ctx, { shares }) {
    return { throttleTimeMs: 0, groups: await shares.describeOffsets(request.groups) };
  },
});
