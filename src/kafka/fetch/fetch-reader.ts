// One pass over the partitions of a Fetch request, as Kafka's ReplicaManager.readFromLog does it: in
// request order, each partition limited by its partition_max_bytes and by what is left of the
// response's max_bytes, the first non-empty partition allowed one batch over the limits (KIP-74).
// Batches come back as the log stores them, never copied or re-encoded.
import { ErrorCode, type FetchRequest, type FetchResponseInput } from '../../../protocol/kafka/index.js';
import type { PartitionLog } from '../../log/partition-log.js';
import type { RequestContext } from '../handler.js';
import type { WatchedPartition } from './long-poll.js';
import { errorCodeOf, leaderPartition } from './partition-access.js';

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
  /** Some partition answered with an error, which makes Kafka answer at once. */
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
 * The offset a fetcher may read up to (exclusive). Without transactions the last stable offset is the
 * high watermark, so both isolation levels stop there.
 */
function readLimit(log: PartitionLog, replicaId: number): number {
  return replicaId === DEBUGGING_REPLICA_ID ? log.logEndOffset : log.highWatermark;
}

export async function readFetch(ctx: RequestContext, request: FetchRequest): Promise<FetchRead> {
  const { broker } = ctx;
  const replicaId = request.replicaId;
  const readCommitted = request.isolationLevel === IsolationLevel.ReadCommitted;
  let remaining = Math.max(0, request.maxBytes);
  let minOneBatch = true;
  let bytes = 0;
  let hasError = false;
  const watched: WatchedPartition[] = [];
  const responses: TopicResponse[] = [];
  for (const topic of request.topics) {
    const partitions: PartitionResponse[] = [];
    responses.push({ topic: topic.topic, partitions });
    for (const p of topic.partitions) {
      // Followers are the replication issue's: no broker replicates from this one yet.
      const partition = replicaId >= 0 ? ErrorCode.NOT_LEADER_OR_FOLLOWER : leaderPartition(broker, topic.topic, p.partition, p.currentLeaderEpoch);
      if (typeof partition === 'number') {
        hasError = true;
        partitions.push(failed(p.partition, partition));
        continue;
      }
      const log = partition.log;
      const maxBytes = Math.min(Math.max(0, p.partitionMaxBytes), remaining);
      try {
        const read = await log.read(p.fetchOffset, maxBytes, { upToOffset: readLimit(log, replicaId), minOneBatch });
        const highWatermark = log.highWatermark;
        partitions.push({
          partitionIndex: p.partition,
          errorCode: ErrorCode.NONE,
          highWatermark,
          lastStableOffset: highWatermark,
          logStartOffset: log.logStartOffset,
          abortedTransactions: readCommitted ? [] : null,
          preferredReadReplica: -1,
          records: read.chunks,
        });
        if (read.sizeBytes > 0) minOneBatch = false;
        remaining = Math.max(0, remaining - read.sizeBytes);
        bytes += read.sizeBytes;
        watched.push({ log, maxBytes: Math.max(0, p.partitionMaxBytes) });
      } catch (err) {
        hasError = true;
        partitions.push(failed(p.partition, errorCodeOf(err, ctx.log, { topic: topic.topic, partition: p.partition, fetchOffset: p.fetchOffset })));
      }
    }
  }
  return { responses, bytes, hasError, watched };
}
