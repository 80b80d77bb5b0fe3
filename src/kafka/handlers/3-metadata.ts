// Metadata (3), v0-12: brokers, cluster id, controller, and topics with their partitions' leaders and
// replicas. Names a client asks for that do not exist are auto-created when the broker and (v4+) the
// request allow it.
import { ApiKey, ErrorCode, KafkaProtocolError, ZERO_UUID, type MetadataResponseInput } from '../../../protocol/kafka/index.js';
import { topicNameProblem } from '../../log/topic-name.js';
import type { Broker } from '../broker.js';
import { defineHandler } from '../handler.js';
import type { TopicRecord } from '../metadata/topic-store.js';
import { isInternalTopic } from '../metadata/topic-name.js';

type TopicOut = NonNullable<MetadataResponseInput['topics']>[number];

function describeTopic(broker: Broker, topic: TopicRecord): TopicOut {
  const open = broker.replicas.partitionsOf(topic.name) ?? [];
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.topicId,
    isInternal: isInternalTopic(topic.name),
    partitions: topic.replicas.map((replicas, index) => {
      const p = open[index];
      // A partition still being created has no leader yet; clients retry, as with Kafka's elections.
      if (!p) {
        return { errorCode: ErrorCode.LEADER_NOT_AVAILABLE, partitionIndex: index, leaderId: -1, leaderEpoch: -1, replicaNodes: replicas, isrNodes: [], offlineReplicas: [] };
      }
      return {
        errorCode: ErrorCode.NONE,
        partitionIndex: index,
        leaderId: p.leaderId,
        leaderEpoch: p.leaderEpoch,
        replicaNodes: p.replicas,
        isrNodes: p.isr,
        offlineReplicas: [],
      };
    }),
  };
}

function missing(name: string | null, topicId: string, errorCode: number): TopicOut {
  return { errorCode, name, topicId, isInternal: false, partitions: [] };
}

export const metadataHandler = defineHandler({
  apiKey: ApiKey.Metadata,
  minVersion: 0,
  maxVersion: 12,
  async handle(request, ctx) {
    const { broker } = ctx;
    // v0 asks for every topic with an empty list; v1+ with null (an empty list then means none).
    const all = request.topics === null || (ctx.apiVersion === 0 && request.topics.length === 0);
    let topics: TopicOut[];
    if (all) {
      topics = broker.topics.list().map((t) => describeTopic(broker, t));
    } else {
      const mayCreate = request.allowAutoTopicCreation;
      topics = await Promise.all(
        request.topics!.map(async ({ name, topicId }): Promise<TopicOut> => {
          if (name === null || name === '') {
            const byId = topicId !== ZERO_UUID ? broker.topics.getById(topicId) : undefined;
            return byId ? describeTopic(broker, byId) : missing(null, topicId, ErrorCode.UNKNOWN_TOPIC_ID);
          }
          if (topicNameProblem(name)) return missing(name, ZERO_UUID, ErrorCode.INVALID_TOPIC_EXCEPTION);
          let found = broker.topics.get(name);
          if (!found && mayCreate) {
            try {
              found = await broker.topics.autoCreate(name);
            } catch (err) {
              // Kafka reports a failed auto-creation (say, a replication factor above the live brokers) per topic.
              if (err instanceof KafkaProtocolError) return missing(name, ZERO_UUID, err.code);
              throw err;
            }
          }
          return found ? describeTopic(broker, found) : missing(name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        }),
      );
    }
    return {
      throttleTimeMs: 0,
      brokers: broker.liveBrokers().map((b) => ({ ...b, rack: null })),
      clusterId: broker.clusterId,
      controllerId: broker.brokerId,
      topics,
    };
  },
});
