// DescribeTopicPartitions (75), v0 (KIP-966): Metadata's picture of topics' partitions a page at a time,
// as Kafka's DescribeTopicPartitionsRequestHandler and KRaftMetadataCache serve it. Topics (all of them
// when the list is empty) are taken in name order from the cursor's topic on, the cursor's topic from its
// partition; an answer holds at most min(response_partition_limit, max.request.partition.size.limit)
// partitions (at least 1), and when it stops short, next_cursor names where the next page starts. A
// page that fills up exactly at a topic's end names the next topic at partition 0, as Kafka does.
// Named topics that do not exist are answered UNKNOWN_TOPIC_OR_PARTITION (INVALID_TOPIC_EXCEPTION for
// an invalid name); a listing of all topics has none. A cursor whose topic is not among those named, or
// whose partition is negative, makes the whole request INVALID_REQUEST. As Kafka, a topic the principal
// may not DESCRIBE is left out of a listing of all and TOPIC_AUTHORIZATION_FAILED where named.
//
// Eligible leader replicas (KIP-966) are what a controller with ELR off reports: empty lists. Skein's
// ZooKeeper-mode controller keeps no ELR.
import { ApiKey, ErrorCode, ZERO_UUID, type DescribeTopicPartitionsResponseInput } from '../../../protocol/kafka/index.js';
import { topicNameProblem } from '../../log/topic-name.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';
import { describePartitions } from '../metadata/partition-description.js';
import { isInternalTopic } from '../metadata/topic-name.js';

type TopicOut = NonNullable<DescribeTopicPartitionsResponseInput['topics']>[number];

/** Kafka's answer to a request refused as a whole (DescribeTopicPartitionsRequest.getErrorResponse). */
function refuseAll(names: readonly string[], errorCode: number): DescribeTopicPartitionsResponseInput {
  return { throttleTimeMs: 0, topics: names.map((name) => ({ errorCode, name, topicId: ZERO_UUID, isInternal: false, partitions: [] })), nextCursor: null };
}

export const describeTopicPartitionsHandler = defineHandler({
  apiKey: ApiKey.DescribeTopicPartitions,
  minVersion: 0,
  maxVersion: 0,
  uses: ['topics', 'metadata', 'config', 'acls'],
  handle(request, ctx, { topics: topicAdmin, metadata, config, acls }) {
    const describable = (name: string) => acls.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, name);
    const all = request.topics.length === 0;
    const { cursor } = request;
    const from = cursor?.topicName ?? '';
    const asked = request.topics.map((t) => t.name);
    const names = [...new Set(all ? topicAdmin.list().map((t) => t.name).filter(describable) : asked)].filter((n) => n >= from).sort();
    if (cursor && ((!all && !names.includes(cursor.topicName)) || cursor.partitionIndex < 0)) return refuseAll(asked, ErrorCode.INVALID_REQUEST);

    let remaining = Math.max(Math.min(config.values['max.request.partition.size.limit'], request.responsePartitionLimit), 1);
    const topics: TopicOut[] = [];
    for (const name of names) {
      if (remaining === 0) return { throttleTimeMs: 0, topics, nextCursor: { topicName: name, partitionIndex: 0 } };
      if (!describable(name)) {
        topics.push({ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name, topicId: ZERO_UUID, isInternal: false, partitions: [] });
        continue;
      }
      const topic = topicAdmin.get(name);
      if (!topic) {
        if (!all) {
          const errorCode = topicNameProblem(name) ? ErrorCode.INVALID_TOPIC_EXCEPTION : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          topics.push({ errorCode, name, topicId: ZERO_UUID, isInternal: isInternalTopic(name), partitions: [] });
        }
        continue;
      }
      const start = name === cursor?.topicName ? cursor.partitionIndex : 0;
      const end = Math.min(topic.replicas.length, start + remaining);
      const partitions = describePartitions(metadata, topic, start, end).map(({ led: _, ...p }) => ({
        errorCode: ErrorCode.NONE,
        ...p,
        eligibleLeaderReplicas: [],
        lastKnownELR: [],
      }));
      topics.push({ errorCode: ErrorCode.NONE, name, topicId: topic.topicId, isInternal: isInternalTopic(name), partitions, topicAuthorizedOperations: acls.authorizedOperations(ctx, ResourceType.TOPIC, name) });
      if (end < topic.replicas.length) return { throttleTimeMs: 0, topics, nextCursor: { topicName: name, partitionIndex: end } };
      remaining -= partitions.length;
    }
    return { throttleTimeMs: 0, topics, nextCursor: null };
  },
});
