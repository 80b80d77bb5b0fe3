// OffsetCommit (8), v0-8: a group's consumed positions, acknowledged once durable in __consumer_offsets.
// As in Kafka's handler, partitions of topics that do not exist are answered UNKNOWN_TOPIC_OR_PARTITION
// here and only the rest go to the coordinator; a request left with nothing to commit never reaches it.
import { ApiKey } from '../../../protocol/kafka/index.js';
import { KnownPartitions } from '../groups/known-partitions.js';
import { defineHandler } from '../handler.js';

export const offsetCommitHandler = defineHandler({
  apiKey: ApiKey.OffsetCommit,
  minVersion: 0,
  maxVersion: 8,
  uses: ['groups', 'topics'],
  async handle(request, _ctx, { groups, topics }) {
    const split = new KnownPartitions(request.topics, topics);
    const committed = split.known.length > 0 ? await groups.offsetCommit({ ...request, topics: split.known }) : { topics: [] };
    return { throttleTimeMs: 0, topics: split.merge(committed.topics) };
  },
});
