// Fetch (1), v4-18: stored batches as they are, up to the high watermark (read_committed: the last stable
// offset, with the aborted transactions among the batches returned), within max_bytes and
// partition_max_bytes (KIP-74: the first batch even if larger). With less than min_bytes readable it long-polls until appends bring enough or max_wait_ms
// passes, then reads again.
//
// Fetch sessions (KIP-227, v7+): librdkafka, kafkajs and kafka-python send session id 0 with epoch -1
// (sessionless) and get full responses. Skein keeps no incremental sessions, which Kafka allows (its
// cache may have no free slot): a request to open one (epoch 0) gets a full response with session id 0,
// after which the Java client keeps sending full requests; a request continuing a session (epoch > 0)
// names one this broker never gave out, so it gets FETCH_SESSION_ID_NOT_FOUND.
//
// As in Kafka, the broker's fetch.max.bytes caps the client's max_bytes.
//
// A consumer under a consumer_byte_rate quota asks for no more than the quota allows over the window;
// a response that takes its rate over the quota is not sent: Kafka answers it empty with the throttle
// time, and takes its bytes back off the rate, so the client reads them after backing off.
//
// v13-18 (topic ids, the replica state, leader endpoints for a client at the wrong broker, a follower's
// high watermark) are translated to and from what the reader takes in fetch-versions.ts.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { readFetch } from '../fetch/fetch-reader.js';
import { FIRST_FETCH_VERSION_WITH_LEADER_ENDPOINTS, fetchLeaderHints, nameTopics, withTopicIds } from '../fetch/fetch-versions.js';
import { waitForBytes } from '../fetch/long-poll.js';
import { defineHandler } from '../handler.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';

/** Session epochs that ask for a full fetch: open a new session (0) or fetch without one (-1). */
const INITIAL_EPOCH = 0;
const FINAL_EPOCH = -1;
const NO_SESSION = 0;

function recordBytes(records: Uint8Array | readonly Uint8Array[] | null | undefined): number {
  if (records === null || records === undefined) return 0;
  return records instanceof Uint8Array ? records.byteLength : records.reduce((sum, c) => sum + c.byteLength, 0);
}

export const fetchHandler = defineHandler({
  apiKey: ApiKey.Fetch,
  minVersion: 4,
  maxVersion: 18,
  uses: ['partitions', 'config', 'topics', 'metadata', 'acls', 'quotas', 'clock'],
  async handle(asked, ctx, services) {
    const named = nameTopics(asked, ctx.apiVersion, services.topics);
    const { quotas } = services;
    const user = ctx.principal.name;
    const clientId = ctx.clientId ?? '';
    const underQuota = named.request.replicaId < 0 && quotas.enforces('fetch');
    const request = underQuota ? { ...named.request, maxBytes: Math.max(1, Math.min(named.request.maxBytes, Math.floor(quotas.maxValueInWindow('fetch', user, clientId)))) } : named.request;
    const epoch = request.sessionEpoch;
    if (ctx.apiVersion >= 7 && epoch !== INITIAL_EPOCH && epoch !== FINAL_EPOCH) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: NO_SESSION, responses: [] };
    }
    // A response can be as large as fetch.max.bytes: build one per connection at a time, and only for a
    // client that takes its replies, so pipelined fetches from a client that never reads cost nothing.
    await ctx.replyTurn();
    // A follower (replica id >= 0) needs CLUSTER_ACTION on the cluster for everything, a consumer READ on each topic.
    const { acls } = services;
    const followerAllowed = request.replicaId >= 0 && acls.authorize(ctx, AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME);
    const mayRead = (topic: string) => (request.replicaId >= 0 ? followerAllowed : acls.authorize(ctx, AclOperation.READ, ResourceType.TOPIC, topic));
    let read = await readFetch(ctx, request, services, mayRead);
    const answerNow = request.maxWaitMs <= 0 || read.bytes >= request.minBytes || read.hasError || read.watched.length === 0 || named.unknown.length > 0;
    if (!answerNow) {
      await waitForBytes(read.watched, request.minBytes - read.bytes, request.maxWaitMs, ctx.signal);
      ctx.signal.throwIfAborted();
      read = await readFetch(ctx, request, services, mayRead);
    }
    if (underQuota) {
      const now = services.clock.now();
      const throttleTimeMs = quotas.record('fetch', user, clientId, read.bytes, now);
      if (throttleTimeMs > 0) {
        quotas.unrecord('fetch', user, clientId, read.bytes, now);
        // The records read are not sent: take them back off the topics' BytesOut.
        for (const t of read.responses) {
          for (const p of t.partitions ?? []) {
            const sent = recordBytes(p.records);
            if (sent > 0 && t.topic !== undefined) services.partitions.traffic.of(t.topic).bytesOut -= sent;
          }
        }
        return { throttleTimeMs, errorCode: ErrorCode.NONE, sessionId: NO_SESSION, responses: [], nodeEndpoints: [] };
      }
    }
    const responses = withTopicIds(named, read.responses);
    const nodeEndpoints = ctx.apiVersion >= FIRST_FETCH_VERSION_WITH_LEADER_ENDPOINTS ? fetchLeaderHints(responses, services.metadata, ctx.listener) : [];
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: NO_SESSION, responses, nodeEndpoints };
  },
});
