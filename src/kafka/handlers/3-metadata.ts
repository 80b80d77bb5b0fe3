// Metadata (3), v0-13: brokers, cluster id, controller, and topics with their partitions' leaders and
// replicas, from the broker's metadata view (in a cluster, what the controller last sent). Names a
// client asks for that do not exist are auto-created when the broker and (v4+) the request allow it. v12 may name topics by id instead; v10 and v11 carry the id field but Kafka refuses
// ids (and null names) there with INVALID_REQUEST. v13 adds a top-level error code (KIP-1102), which a
// broker sets only to send clients back to their bootstrap servers (REBOOTSTRAP_REQUIRED); Skein never does.
import { ApiKey, ErrorCode, KafkaProtocolError, ZERO_UUID, type MetadataRequest, type MetadataResponseInput } from '../../../protocol/kafka/index.js';
import { OPERATIONS_NOT_REQUESTED } from '../authorized-operations.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { topicNameProblem } from '../../log/topic-name.js';
import { defineHandler } from '../handler.js';
import type { TopicRecord } from '../metadata/topic-store.js';
import { isInternalTopic } from '../metadata/topic-name.js';
import type { MetadataView } from '../metadata/metadata-view.js';
import { describePartitions } from '../metadata/partition-description.js';
import type { Asker, Authorization, TopicAdmin } from '../services.js';

type TopicOut = NonNullable<MetadataResponseInput['topics']>[number];
type TopicIn = NonNullable<MetadataRequest['topics']>[number];

/** The first version whose requests may name topics by id (and whose responses may omit names). */
const TOPIC_IDS_VERSION = 12;

function describeTopic(metadata: MetadataView, topic: TopicRecord): TopicOut {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.topicId,
    isInternal: isInternalTopic(topic.name),
    // A partition still being created, or whose leader is not alive, has no leader yet; clients retry,
    // as with Kafka's elections.
    partitions: describePartitions(metadata, topic).map(({ led, ...p }) => ({ errorCode: led ? ErrorCode.NONE : ErrorCode.LEADER_NOT_AVAILABLE, ...p })),
  };
}

function missing(name: string | null, topicId: string, errorCode: number): TopicOut {
  return { errorCode, name, topicId, isInternal: false, partitions: [] };
}

/**
 * Kafka's answer to a request it refuses as a whole (MetadataRequest.getErrorResponse): every topic asked
 * for with the error, a null name written as "" (no version before 12 can carry null), no brokers.
 */
function refuseAll(topics: readonly TopicIn[], errorCode: number): MetadataResponseInput {
  return { throttleTimeMs: 0, topics: topics.map((t) => missing(t.name ?? '', t.topicId, errorCode)) };
}

async function byName(topics: TopicAdmin, metadata: MetadataView, name: string, mayCreate: boolean, acls: Authorization, asker: Asker): Promise<TopicOut> {
  if (topicNameProblem(name)) return missing(name, ZERO_UUID, ErrorCode.INVALID_TOPIC_EXCEPTION);
  // As Kafka: a topic the principal may not describe is refused whether it exists or not, so its
  // existence does not leak; creating one needs CREATE on the cluster or on the topic.
  if (!acls.authorize(asker, AclOperation.DESCRIBE, ResourceType.TOPIC, name)) return missing(name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  let found = topics.get(name);
  if (!found && mayCreate && !mayCreateTopic(acls, asker, name)) return missing(name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  if (!found && mayCreate) {
    try {
      found = await topics.autoCreate(name);
    } catch (err) {
      // Another broker created it first, and ours has not heard yet: Kafka answers LEADER_NOT_AVAILABLE
      // (retriable) so the client asks again.
      if (err instanceof KafkaProtocolError && err.code === ErrorCode.TOPIC_ALREADY_EXISTS) return missing(name, ZERO_UUID, ErrorCode.LEADER_NOT_AVAILABLE);
      // Kafka reports a failed auto-creation (say, a replication factor above the live brokers) per topic.
      if (err instanceof KafkaProtocolError) return missing(name, ZERO_UUID, err.code);
      throw err;
    }
  }
  return found ? describeTopic(metadata, found) : missing(name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
}

/** CreateTopics' and auto-creation's check: CREATE on the cluster, or on the topic (Kafka's KafkaApis). */
export function mayCreateTopic(acls: Authorization, asker: Asker, name: string): boolean {
  return acls.authorize(asker, AclOperation.CREATE, ResourceType.CLUSTER, CLUSTER_NAME) || acls.authorize(asker, AclOperation.CREATE, ResourceType.TOPIC, name);
}

export const metadataHandler = defineHandler({
  apiKey: ApiKey.Metadata,
  minVersion: 0,
  maxVersion: 13,
  uses: ['topics', 'metadata', 'clusterId', 'acls'],
  async handle(request, ctx, { topics: topicAdmin, metadata, clusterId, acls }) {
    const describable = (name: string) => acls.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, name);
    const { apiVersion } = ctx;
    // v0 asks for every topic with an empty list; v1+ with null (an empty list then means none).
    const all = request.topics === null || (apiVersion === 0 && request.topics.length === 0);
    const asked = request.topics ?? [];
    if (!all && apiVersion < TOPIC_IDS_VERSION && asked.some((t) => t.name === null || t.topicId !== ZERO_UUID)) {
      return refuseAll(asked, ErrorCode.INVALID_REQUEST);
    }
    // Topics Kafka looked up by id and did not find carry no authorized operations.
    const byIdUnknown = new Set<TopicOut>();
    let topics: TopicOut[];
    if (all) {
      // Topics the principal may not describe are left out, as if they did not exist.
      topics = topicAdmin
        .list()
        .filter((t) => describable(t.name))
        .map((t) => describeTopic(metadata, t));
    } else if (asked.some((t) => t.topicId !== ZERO_UUID || t.name === null)) {
      // As Kafka, a request naming any topic by id is answered for its ids only.
      topics = asked
        .filter((t) => t.topicId !== ZERO_UUID || t.name === null)
        .map(({ topicId }) => {
          const found = topicAdmin.getById(topicId);
          if (found && !describable(found.name)) return missing(null, topicId, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
          if (found) return describeTopic(metadata, found);
          const unknown = missing(null, topicId, ErrorCode.UNKNOWN_TOPIC_ID);
          byIdUnknown.add(unknown);
          return unknown;
        });
    } else {
      const mayCreate = request.allowAutoTopicCreation;
      topics = await Promise.all(asked.map(({ name }) => byName(topicAdmin, metadata, name!, mayCreate, acls, ctx)));
    }
    if (apiVersion >= 8 && request.includeTopicAuthorizedOperations) {
      for (const t of topics) {
        if (!byIdUnknown.has(t) && typeof t.name === 'string' && t.errorCode !== ErrorCode.TOPIC_AUTHORIZATION_FAILED) t.topicAuthorizedOperations = acls.authorizedOperations(ctx, ResourceType.TOPIC, t.name);
      }
    }
    const clusterOperations = apiVersion >= 8 && apiVersion <= 10 && request.includeClusterAuthorizedOperations;
    return {
      throttleTimeMs: 0,
      brokers: metadata.liveBrokers(ctx.listener),
      clusterId,
      controllerId: metadata.controllerId(),
      topics,
      clusterAuthorizedOperations: clusterOperations ? acls.authorizedOperations(ctx, ResourceType.CLUSTER, CLUSTER_NAME) : OPERATIONS_NOT_REQUESTED,
      errorCode: ErrorCode.NONE,
    };
  },
});
