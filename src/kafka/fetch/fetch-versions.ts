// What Fetch v13-18 add over v12, kept apart from the read itself (fetch-reader.ts reads by topic name):
//
// - v13 (KIP-516) names topics by id, in the request and in the response. An id this broker does not know
//   (never created, or a topic deleted and re-created under the same name, which gets a new id) is
//   answered for each of its partitions with UNKNOWN_TOPIC_ID, as Kafka's KafkaApis.handleFetch does with
//   the partitions whose id it could not resolve; the client then refreshes its metadata.
// - v15 (KIP-903) moves the replica id into the tagged ReplicaState; only brokers send it.
// - v16 (KIP-951) tells a client that asked the wrong broker where the leader is: a partition answered
//   NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH carries the current leader and epoch, and the response
//   the endpoints of those leaders, so the client need not wait for a metadata refresh.
// - v17 (KIP-853) adds the fetcher's replica directory id, which a broker without KRaft ignores.
// - v18 (KIP-1166) adds the high watermark a follower knows, so a leader can answer its long poll when
//   the watermark moves; Skein's followers fetch with v12, and a consumer's value means nothing.
import { ErrorCode, type FetchRequest, type FetchResponseInput } from '../../../protocol/kafka/index.js';
import { leaderHints, type NodeEndpoint } from '../metadata/leader-hints.js';
import type { MetadataView } from '../metadata/metadata-view.js';
import type { TopicAdmin } from '../services.js';

type TopicResponse = NonNullable<FetchResponseInput['responses']>[number];
type PartitionResponse = NonNullable<TopicResponse['partitions']>[number];

const FIRST_FETCH_VERSION_WITH_TOPIC_IDS = 13;
const FIRST_FETCH_VERSION_WITH_REPLICA_STATE = 15;
export const FIRST_FETCH_VERSION_WITH_LEADER_ENDPOINTS = 16;

/** A Fetch request with every topic named, and what could not be named. */
export interface NamedFetch {
  /** The request as fetch-reader.ts reads it: topics by name, the replica id where v0-14 carry it. */
  request: FetchRequest;
  /** The topic id of each name, for the response (v13+). */
  idOf: ReadonlyMap<string, string>;
  /** Topics whose id this broker does not know, answered UNKNOWN_TOPIC_ID. */
  unknown: FetchRequest['topics'];
}

/** Who fetches: a follower's broker id, or -1 for a consumer (v15+ carry it in the replica state). */
export function fetchReplicaId(request: FetchRequest, apiVersion: number): number {
  return apiVersion >= FIRST_FETCH_VERSION_WITH_REPLICA_STATE ? request.replicaState.replicaId : request.replicaId;
}

/** Puts v13+ requests in the shape the reader takes; older ones pass as they are. */
export function nameTopics(request: FetchRequest, apiVersion: number, topics: Pick<TopicAdmin, 'getById'>): NamedFetch {
  const replicaId = fetchReplicaId(request, apiVersion);
  if (apiVersion < FIRST_FETCH_VERSION_WITH_TOPIC_IDS) return { request: { ...request, replicaId }, idOf: new Map(), unknown: [] };
  const idOf = new Map<string, string>();
  const known: FetchRequest['topics'] = [];
  const unknown: FetchRequest['topics'] = [];
  for (const t of request.topics) {
    const record = topics.getById(t.topicId);
    if (!record) {
      unknown.push(t);
      continue;
    }
    idOf.set(record.name, record.topicId);
    known.push({ ...t, topic: record.name });
  }
  return { request: { ...request, replicaId, topics: known }, idOf, unknown };
}

function unknownTopicId(partitionIndex: number): PartitionResponse {
  return {
    partitionIndex,
    errorCode: ErrorCode.UNKNOWN_TOPIC_ID,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: Buffer.alloc(0),
  };
}

/** The reader's responses with the topic ids v13+ put on the wire, and the unknown ids answered. */
export function withTopicIds(named: NamedFetch, responses: TopicResponse[]): TopicResponse[] {
  if (named.idOf.size === 0 && named.unknown.length === 0) return responses;
  return [
    ...responses.map((r) => ({ ...r, topicId: named.idOf.get(r.topic!) })),
    ...named.unknown.map((t) => ({ topicId: t.topicId, partitions: t.partitions.map((p) => unknownTopicId(p.partition)) })),
  ];
}

/** The errors after which a v16+ client is told the current leader (Kafka's KafkaApis.handleFetch). */
const WRONG_LEADER: ReadonlySet<number> = new Set([ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.FENCED_LEADER_EPOCH]);

/** KIP-951 for Fetch: the current leader of each partition at the wrong broker, and the leaders' endpoints. */
export function fetchLeaderHints(responses: TopicResponse[], metadata: MetadataView, listener: string): NodeEndpoint[] {
  const answers = responses.flatMap((t) =>
    t.topic === undefined ? [] : ((t.partitions ?? []) as PartitionResponse[]).map((p) => ({ topic: t.topic!, partition: p.partitionIndex!, answer: p })),
  );
  return leaderHints(answers, WRONG_LEADER, metadata, listener);
}
