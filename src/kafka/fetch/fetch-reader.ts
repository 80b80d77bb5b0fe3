// One pass over the partitions of a Fetch request, as Kafka's ReplicaManager.readFromLog does it: in
// request order, each partition limited by its partition_max_bytes and by what is left of the
// response's max_bytes, the first non-empty partition allowed one batch over the limits (KIP-74).
// Batches come back as the log stores them, never copied or re-encoded.
import { ErrorCode, type FetchRequest, type FetchResponseInput } from '../../../protocol/kafka/index.js';
import { Compression } from '../../../protocol/kafka/records/batch-header.js';
import type { EpochEndOffset } from '../../log/leader-epoch-cache.js';
import type { PartitionLog, ReadResult } from '../../log/partition-log.js';
import type { Partition } from '../partitions/partition.js';
import type { RequestContext, ServicesOf } from '../handler.js';
import type { PartitionAccess } from '../services.js';
import type { WatchedPartition } from './long-poll.js';
import { errorCodeOf } from './partition-access.js';

type TopicResponse = NonNullable<FetchResponseInput['responses']>[number];
type PartitionResponse = NonNullable<TopicResponse['partitions']>[number];

export const IsolationLevel = { ReadUncommitted: 0, ReadCommitted: 1 } as const;

/** Fetches from ordinary consumers carry this replica id. */
export const CONSUMER_REPLICA_ID = -1;
/** A debugging consumer (Kafka's DEBUGGING_CONSUMER_ID) reads up to the log end, past the high watermark. */
export const DEBUGGING_REPLICA_ID = -2;

const EMPTY_RECORDS = Buffer.alloc(0);

export interface FetchRead {
  responses: TopicResponse[];
  /** Bytes of records in the responses. */
  bytes: number;
  /** Some partition answered with an error or a diverging epoch, which makes Kafka answer at once. */
  hasError: boolean;
  /** The partitions read without error, for a long poll to watch. */
  watched: WatchedPartition[];
}

function failed(partitionIndex: number, errorCode: number): PartitionResponse {
  return {
    partitionIndex,
    errorCode,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: EMPTY_RECORDS,
  };
}

/**
 * A partition's answer without error: its watermarks and `records`. A read_committed fetch that read
 * [fetchOffset, readEnd) also gets the aborted transactions overlapping it, whose records the consumer
 * drops (Kafka's collectAbortedTransactions with the end of the fetched data as upper bound).
 */
function answered(partitionIndex: number, log: PartitionLog, readCommitted: boolean, records: PartitionResponse['records'], read?: { fetchOffset: number; readEnd: number }): PartitionResponse {
  const aborted = readCommitted && read && read.readEnd > read.fetchOffset ? log.abortedTransactions(read.fetchOffset, read.readEnd) : [];
  return {
    partitionIndex,
    errorCode: ErrorCode.NONE,
    highWatermark: log.highWatermark,
    lastStableOffset: log.lastStableOffset,
    logStartOffset: log.logStartOffset,
    abortedTransactions: readCommitted ? aborted : null,
    preferredReadReplica: -1,
    records,
  };
}

/**
 * The offset a fetcher may read up to (exclusive): the last stable offset for read_committed consumers,
 * the high watermark for the others, the log end for a debugging tool.
 */
function readLimit(log: PartitionLog, replicaId: number, readCommitted: boolean): number {
  if (replicaId === DEBUGGING_REPLICA_ID) return log.logEndOffset;
  return readCommitted ? log.lastStableOffset : log.highWatermark;
}

interface Planned {
  topic: string;
  partitionIndex: number;
  fetchOffset: number;
  /** partition_max_bytes, at least 0. */
  limit: number;
  partition: Partition | number;
  /** Where the fetcher's last fetched epoch really ended, when its log diverged from this one. */
  diverging: EpochEndOffset | undefined;
  /** Exclusive end of what may be read: the high watermark for consumers, the leader's log end for a follower. */
  upTo: number;
}

type FetchPartition = FetchRequest['topics'][number]['partitions'][number];

/**
 * A follower's fetch (replica_id >= 0) goes to the partition's replication core, which records where
 * the follower is (ISR, high watermark) and answers with the range to send, a diverging epoch or
 * Kafka's error. A partition with no core has a single replica: no follower belongs to it.
 */
function followerRead(partitions: PartitionAccess, topic: string, p: FetchPartition, replicaId: number): { partition: Partition; upTo: number; diverging: EpochEndOffset | undefined } | number {
  const partition = partitions.hosted(topic, p.partition);
  if (!partition) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  const answer = partition.replication?.onFollowerFetch({
    replicaId,
    fetchOffset: p.fetchOffset,
    lastFetchedEpoch: p.lastFetchedEpoch,
    currentLeaderEpoch: p.currentLeaderEpoch >= 0 ? p.currentLeaderEpoch : null,
    logStartOffset: p.logStartOffset,
  });
  if (!answer) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  if (answer.errorCode !== ErrorCode.NONE) return answer.errorCode;
  return { partition, upTo: answer.toOffset, diverging: answer.divergingEpoch ?? undefined };
}

/**
 * Kafka's check of a fetch naming its last fetched epoch (Fetch v12+): if that epoch ended here before
 * the fetch offset, or this log never had it, the fetcher's log diverged and it gets the epoch and end
 * offset to truncate to instead of records. OFFSET_OUT_OF_RANGE when the epoch cannot be placed at all
 * or the fetch offset is below the log start.
 */
function divergence(log: PartitionLog, fetchOffset: number, lastFetchedEpoch: number): EpochEndOffset | number | undefined {
  const end = log.endOffsetForEpoch(lastFetchedEpoch);
  if (!end || fetchOffset < log.logStartOffset) return ErrorCode.OFFSET_OUT_OF_RANGE;
  return end.epoch < lastFetchedEpoch || end.endOffset < fetchOffset ? end : undefined;
}

/**
 * Reads the fetched partitions with Kafka's rules: in request order, each limited by its partition_max_bytes
 * and by what is left of max_bytes, only the first non-empty one allowed past them (KIP-74).
 *
 * When max_bytes covers every partition's limit (the usual case: consumers ask 1 MiB per partition and
 * 50 MiB in all) the reads run in parallel, each as if first; walking the results in order then gives
 * Kafka's answer, except where an earlier partition took a batch larger than its limit and left less
 * than a later one read, which is then read again with the smaller limit.
 */
/** Fetch v10 is the first a client that reads zstd sends (KIP-110). */
const FIRST_FETCH_VERSION_WITH_ZSTD = 10;

/**
 * Whether the topic's compression.type is zstd: Kafka answers older fetches of such a topic with
 * UNSUPPORTED_COMPRESSION_TYPE rather than batches the client cannot read.
 */
function storesZstd(partitions: PartitionAccess, topic: string, log: PartitionLog): boolean {
  return partitions.produceConfig(topic, log).recompression?.codec === Compression.Zstd;
}

/**
 * Reads what a Fetch asks for; a topic `mayRead` refuses is TOPIC_AUTHORIZATION_FAILED for each of its
 * partitions (Kafka's answer to a consumer without READ, and to a follower without CLUSTER_ACTION).
 */
export async function readFetch(ctx: RequestContext, request: FetchRequest, { partitions, config }: ServicesOf<'partitions' | 'config'>, mayRead: (topic: string) => boolean): Promise<FetchRead> {
  const replicaId = request.replicaId;
  const traffic = partitions.traffic;
  const readCommitted = request.isolationLevel === IsolationLevel.ReadCommitted;
  const plan: Planned[] = [];
  let limits = 0;
  for (const topic of request.topics) {
    const allowed = mayRead(topic.topic);
    for (const p of topic.partitions) {
      const limit = Math.max(0, p.partitionMaxBytes);
      if (!allowed) {
        plan.push({ topic: topic.topic, partitionIndex: p.partition, fetchOffset: p.fetchOffset, limit, partition: ErrorCode.TOPIC_AUTHORIZATION_FAILED, diverging: undefined, upTo: 0 });
        continue;
      }
      if (replicaId >= 0) {
        const f = followerRead(partitions, topic.topic, p, replicaId);
        const planned = { topic: topic.topic, partitionIndex: p.partition, fetchOffset: p.fetchOffset, limit };
        if (typeof f === 'number') plan.push({ ...planned, partition: f, diverging: undefined, upTo: 0 });
        else {
          if (!f.diverging) limits += limit;
          plan.push({ ...planned, ...f });
        }
        continue;
      }
      let partition = partitions.leader(topic.topic, p.partition, p.currentLeaderEpoch, topic.topicId);
      if (typeof partition !== 'number' && ctx.apiVersion < FIRST_FETCH_VERSION_WITH_ZSTD && storesZstd(partitions, topic.topic, partition.log)) {
        partition = ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
      }
      let diverging: EpochEndOffset | undefined;
      if (typeof partition !== 'number' && p.lastFetchedEpoch >= 0) {
        const check = divergence(partition.log, p.fetchOffset, p.lastFetchedEpoch);
        if (typeof check === 'number') partition = check;
        else diverging = check;
      }
      if (typeof partition !== 'number' && !diverging) limits += limit;
      const upTo = typeof partition === 'number' ? 0 : readLimit(partition.log, replicaId, readCommitted);
      plan.push({ topic: topic.topic, partitionIndex: p.partition, fetchOffset: p.fetchOffset, limit, partition, diverging, upTo });
    }
  }
  const read = (entry: Planned, log: PartitionLog, maxBytes: number, minOneBatch: boolean): Promise<ReadResult | Error> =>
    log.read(entry.fetchOffset, maxBytes, { upToOffset: entry.upTo, minOneBatch }).catch((err: unknown) => err as Error);
  const maxBytes = Math.max(0, Math.min(request.maxBytes, config.values['fetch.max.bytes']));
  const speculative = limits <= maxBytes ? plan.map((e) => (typeof e.partition === 'number' || e.diverging ? undefined : read(e, e.partition.log, e.limit, true))) : [];

  let remaining = maxBytes;
  let minOneBatch = true;
  let bytes = 0;
  let hasError = false;
  const watched: WatchedPartition[] = [];
  const responses: TopicResponse[] = [];
  let current: TopicResponse | undefined;
  for (let i = 0; i < plan.length; i++) {
    const entry = plan[i]!;
    if (current?.topic !== entry.topic) {
      current = { topic: entry.topic, partitions: [] };
      responses.push(current);
    }
    const partitions = current.partitions as PartitionResponse[];
    if (typeof entry.partition === 'number') {
      hasError = true;
      partitions.push(failed(entry.partitionIndex, entry.partition));
      continue;
    }
    const log = entry.partition.log;
    if (entry.diverging) {
      hasError = true;
      const { epoch, endOffset } = entry.diverging;
      partitions.push({ ...answered(entry.partitionIndex, log, readCommitted, EMPTY_RECORDS), divergingEpoch: { epoch, endOffset } });
      continue;
    }
    const allowed = Math.min(entry.limit, remaining);
    let result = await speculative[i];
    if (result === undefined || (!(result instanceof Error) && result.sizeBytes > allowed)) result = await read(entry, log, allowed, minOneBatch);
    if (result instanceof Error) {
      hasError = true;
      partitions.push(failed(entry.partitionIndex, errorCodeOf(result, ctx.log, { topic: entry.topic, partition: entry.partitionIndex, fetchOffset: entry.fetchOffset })));
      continue;
    }
    partitions.push(answered(entry.partitionIndex, log, readCommitted, result.chunks, { fetchOffset: entry.fetchOffset, readEnd: result.nextOffset }));
    if (result.sizeBytes > 0) minOneBatch = false;
    remaining = Math.max(0, remaining - result.sizeBytes);
    bytes += result.sizeBytes;
    // BytesOut counts what consumers read; followers' fetches are replication traffic, as in Kafka.
    if (replicaId < 0 && result.sizeBytes > 0) traffic.of(entry.topic).bytesOut += result.sizeBytes;
    // A follower waits for the leader's appends; a consumer for the high watermark to move.
    watched.push({ log, maxBytes: entry.limit, wakeOnAppend: replicaId >= 0, readCommitted: readCommitted && replicaId < 0 });
  }
  return { responses, bytes, hasError, watched };
}
