// ListOffsets (2), v0-11: the log start (-2, EARLIEST), the end a client may read to (-1, LATEST: the
// high watermark, or the last stable offset under READ_COMMITTED (v2+); the log end for replicas and
// debugging tools), the record with the largest timestamp (-3, MAX_TIMESTAMP, KIP-734), or the first
// record at or after a timestamp, found through the time index.
//
// The tiered-storage specs are answered as Kafka answers them for a log without remote storage, which
// every Skein log is: the earliest local offset (-4, EARLIEST_LOCAL, KIP-405, v8+) is the log start, and
// the latest tiered offset (-5, LATEST_TIERED, KIP-1005, v9+) and the earliest offset pending upload
// (-6, EARLIEST_PENDING_UPLOAD, KIP-1023, v11, which adds no field) are -1 with no epoch, as nothing is
// tiered. v10 adds timeout_ms, the wait for a remote-storage lookup (KIP-1075); with no remote reads
// there is nothing to wait for.
//
// From v1, a negative timestamp that is none of these specs, or one asked in a version older than the
// one that introduced it, is UNSUPPORTED_VERSION for that partition (Kafka 4.x's
// ReplicaManager.isListOffsetsTimestampUnsupported), checked after duplicates and before leadership.
//
// v0 answers with a list of offsets (old_style_offsets), as Kafka's legacy lookup does: for LATEST the
// log end then the segment base offsets below it, newest first, for EARLIEST the log start, at most
// max_num_offsets of them. Kafka answers a v0 lookup by timestamp from segment file modification
// times, which the log does not keep; Skein answers it with the offset the time index gives (or the end).
import { ApiKey, ErrorCode, type ListOffsetsRequest, type ListOffsetsResponseInput } from '../../../protocol/kafka/index.js';
import type { TimestampAndOffset } from '../../log/partition-log.js';
import { errorCodeOf } from '../fetch/partition-access.js';
import { CONSUMER_REPLICA_ID, IsolationLevel } from '../fetch/fetch-reader.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler, type RequestContext } from '../handler.js';
import type { PartitionAccess } from '../services.js';
import type { Partition } from '../partitions/partition.js';

type TopicResponse = NonNullable<ListOffsetsResponseInput['topics']>[number];
type PartitionResponse = NonNullable<TopicResponse['partitions']>[number];
type PartitionRequest = ListOffsetsRequest['topics'][number]['partitions'][number];

export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
export const MAX_TIMESTAMP = -3;
export const EARLIEST_LOCAL_TIMESTAMP = -4;
export const LATEST_TIERED_TIMESTAMP = -5;
export const EARLIEST_PENDING_UPLOAD_TIMESTAMP = -6;
/** The first version each spec may be asked in (Kafka's timestampMinSupportedVersion). */
const SPEC_MIN_VERSION = new Map<number, number>([
  [EARLIEST_TIMESTAMP, 1],
  [LATEST_TIMESTAMP, 1],
  [MAX_TIMESTAMP, 7],
  [EARLIEST_LOCAL_TIMESTAMP, 8],
  [LATEST_TIERED_TIMESTAMP, 9],
  [EARLIEST_PENDING_UPLOAD_TIMESTAMP, 11],
]);
const UNKNOWN = -1;

/**
 * Kafka 4.x's isListOffsetsTimestampUnsupported. v0, gone from Kafka 4.0 and kept here for old clients,
 * is Kafka 3.x's legacy lookup, which took any timestamp.
 */
function unsupportedSpec(timestamp: number, version: number): boolean {
  return version >= 1 && timestamp < 0 && version < (SPEC_MIN_VERSION.get(timestamp) ?? Infinity);
}

function failed(partitionIndex: number, errorCode: number): PartitionResponse {
  return { partitionIndex, errorCode, oldStyleOffsets: [], timestamp: UNKNOWN, offset: UNKNOWN, leaderEpoch: UNKNOWN };
}

function found(partitionIndex: number, at: TimestampAndOffset | undefined): PartitionResponse {
  if (!at) return { partitionIndex, errorCode: ErrorCode.NONE, oldStyleOffsets: [], timestamp: UNKNOWN, offset: UNKNOWN, leaderEpoch: UNKNOWN };
  return { partitionIndex, errorCode: ErrorCode.NONE, oldStyleOffsets: [at.offset], timestamp: at.timestamp, offset: at.offset, leaderEpoch: at.leaderEpoch };
}

/**
 * The timestamp lookup. `readableEnd` is the offset a client may read below (undefined for replicas and
 * debugging tools, which see the whole log): an offset there or beyond is not answered, as in Kafka.
 */
async function lookup(partition: Partition, timestamp: number, readableEnd: number | undefined): Promise<TimestampAndOffset | undefined> {
  const log = partition.log;
  const epoch = partition.leaderEpoch;
  switch (timestamp) {
    case LATEST_TIMESTAMP:
      return { offset: readableEnd ?? log.logEndOffset, timestamp: UNKNOWN, leaderEpoch: epoch };
    case EARLIEST_TIMESTAMP:
    case EARLIEST_LOCAL_TIMESTAMP:
      return { offset: log.logStartOffset, timestamp: UNKNOWN, leaderEpoch: epoch };
    case LATEST_TIERED_TIMESTAMP:
    case EARLIEST_PENDING_UPLOAD_TIMESTAMP:
      return { offset: UNKNOWN, timestamp: UNKNOWN, leaderEpoch: UNKNOWN };
    default: {
      const at = timestamp === MAX_TIMESTAMP ? await log.maxTimestampOffset() : await log.offsetForTimestamp(timestamp);
      return at && (readableEnd === undefined || at.offset < readableEnd) ? at : undefined;
    }
  }
}

/** v0: Kafka's legacy list, newest offset first. */
async function legacyOffsets(partition: Partition, timestamp: number, maxNumOffsets: number, readableEnd: number | undefined): Promise<number[]> {
  const log = partition.log;
  let offsets: number[];
  if (timestamp === LATEST_TIMESTAMP) {
    const bases = log.segmentBaseOffsets().map((b) => Math.max(b, log.logStartOffset));
    offsets = [...new Set([log.logEndOffset, ...bases])].sort((a, b) => b - a);
  } else if (timestamp === EARLIEST_TIMESTAMP) {
    offsets = [log.logStartOffset];
  } else {
    offsets = [(await log.offsetForTimestamp(timestamp))?.offset ?? log.logEndOffset];
  }
  if (readableEnd !== undefined && offsets.some((o) => o > readableEnd)) offsets = [readableEnd, ...offsets.filter((o) => o <= readableEnd)];
  return offsets.slice(0, Math.max(0, maxNumOffsets));
}

async function listPartition(
  ctx: RequestContext,
  partitions: PartitionAccess,
  request: ListOffsetsRequest,
  topic: string,
  p: PartitionRequest,
  duplicate: boolean,
): Promise<PartitionResponse> {
  const index = p.partitionIndex;
  if (duplicate) return failed(index, ErrorCode.INVALID_REQUEST);
  if (unsupportedSpec(p.timestamp, ctx.apiVersion)) return failed(index, ErrorCode.UNSUPPORTED_VERSION);
  const partition = partitions.leader(topic, index, p.currentLeaderEpoch);
  if (typeof partition === 'number') return failed(index, partition);
  // Only consumers are held to the high watermark, read_committed ones to the last stable offset.
  const log = partition.log;
  const readCommitted = ctx.apiVersion >= 2 && request.isolationLevel === IsolationLevel.ReadCommitted;
  const readableEnd = request.replicaId === CONSUMER_REPLICA_ID ? (readCommitted ? log.lastStableOffset : log.highWatermark) : undefined;
  try {
    if (ctx.apiVersion === 0) {
      const offsets = await legacyOffsets(partition, p.timestamp, p.maxNumOffsets, readableEnd);
      return { partitionIndex: index, errorCode: ErrorCode.NONE, oldStyleOffsets: offsets };
    }
    return found(index, await lookup(partition, p.timestamp, readableEnd));
  } catch (err) {
    return failed(index, errorCodeOf(err, ctx.log, { topic, partition: index, timestamp: p.timestamp }));
  }
}

export const listOffsetsHandler = defineHandler({
  apiKey: ApiKey.ListOffsets,
  minVersion: 0,
  maxVersion: 11,
  uses: ['partitions', 'acls'],
  async handle(request, ctx, { partitions, acls }) {
    // Kafka refuses a partition named twice in one request (v1+) rather than answer it twice.
    const key = (topic: string, index: number): string => `${topic}\0${index}`;
    const seen = new Map<string, number>();
    for (const t of request.topics) for (const p of t.partitions) seen.set(key(t.name, p.partitionIndex), (seen.get(key(t.name, p.partitionIndex)) ?? 0) + 1);
    const isDuplicate = (topic: string, index: number): boolean => ctx.apiVersion >= 1 && seen.get(key(topic, index))! > 1;
    const topics: TopicResponse[] = await Promise.all(
      request.topics.map(async (t) => ({
        name: t.name,
        partitions: acls.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, t.name)
          ? await Promise.all(t.partitions.map((p) => listPartition(ctx, partitions, request, t.name, p, isDuplicate(t.name, p.partitionIndex))))
          : t.partitions.map((p) => failed(p.partitionIndex, ErrorCode.TOPIC_AUTHORIZATION_FAILED)),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
});
