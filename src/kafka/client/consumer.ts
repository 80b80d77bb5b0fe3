// Reading through a KafkaConnection: one partition's batches by Fetch, its offsets by ListOffsets.
// Records are decoded only when asked for, so tools that count bytes and batches skip the work.
import { ApiKey, ErrorCode, KafkaProtocolError, errorInfo } from '../../../protocol/kafka/index.js';
import { BATCH_LENGTH_AT, BATCH_LENGTH_OVERHEAD, readBatchHeader, type BatchHeader } from '../../../protocol/kafka/records/batch-header.js';
import { batchRecords, type BatchRecord } from '../../../protocol/kafka/records/batch-records.js';
import type { KafkaConnection } from './connection.js';

/** The Fetch version this client writes: the newest that names topics (v13+ name them by id). */
export const FETCH_VERSION = 12;
/** The ListOffsets version this client writes (v8-10 add only the tiered-storage specs). */
export const LIST_OFFSETS_VERSION = 7;

export const EARLIEST = -2;
export const LATEST = -1;

export interface FetchOptions {
  maxWaitMs?: number;
  minBytes?: number;
  /** The whole response's limit. */
  maxBytes?: number;
  /** This partition's limit (the first batch comes back even if larger: KIP-74). */
  partitionMaxBytes?: number;
  isolationLevel?: 0 | 1;
  currentLeaderEpoch?: number;
  /** -1 for a consumer; a broker id for a follower. */
  replicaId?: number;
  version?: number;
}

export interface FetchedPartition {
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  /** read_committed: the aborted transactions among the batches returned; null for read_uncommitted. */
  abortedTransactions: { producerId: number; firstOffset: number }[] | null;
  /** The whole batches returned, as stored; a partial batch at the end (Kafka may send one) is left out. */
  batches: Buffer[];
  /** Headers of `batches`, in order. */
  headers: BatchHeader[];
  /** Bytes of `batches`. */
  sizeBytes: number;
  /** Where the next fetch starts: after the last whole batch, or the fetch offset if none came. */
  nextOffset: number;
}

/** Splits a records field into whole batches (a follower's fetcher reads the leader's answers with it too). */
export function splitBatches(records: Buffer | null): { batches: Buffer[]; headers: BatchHeader[]; sizeBytes: number } {
  const batches: Buffer[] = [];
  const headers: BatchHeader[] = [];
  let pos = 0;
  if (records) {
    while (records.length - pos >= BATCH_LENGTH_OVERHEAD) {
      const size = records.readInt32BE(pos + BATCH_LENGTH_AT) + BATCH_LENGTH_OVERHEAD;
      if (size > records.length - pos) break;
      headers.push(readBatchHeader(records, pos));
      batches.push(records.subarray(pos, pos + size));
      pos += size;
    }
  }
  return { batches, headers, sizeBytes: pos };
}

/** Fetches `topic`/`partition` from `offset`; a partition error is thrown as KafkaProtocolError. */
export async function fetchPartition(conn: KafkaConnection, topic: string, partition: number, offset: number, options: FetchOptions = {}): Promise<FetchedPartition> {
  const maxWaitMs = options.maxWaitMs ?? 0;
  const response = await conn.send(
    ApiKey.Fetch,
    options.version ?? FETCH_VERSION,
    {
      replicaId: options.replicaId ?? -1,
      maxWaitMs,
      minBytes: options.minBytes ?? 1,
      maxBytes: options.maxBytes ?? 50 * 1024 * 1024,
      isolationLevel: options.isolationLevel ?? 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          partitions: [
            { partition, currentLeaderEpoch: options.currentLeaderEpoch ?? -1, fetchOffset: offset, logStartOffset: -1, partitionMaxBytes: options.partitionMaxBytes ?? 1024 * 1024 },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    },
    { timeoutMs: 30_000 + maxWaitMs },
  );
  if (response.errorCode !== ErrorCode.NONE) throw new KafkaProtocolError(response.errorCode, `fetch from ${conn.address} failed: ${errorInfo(response.errorCode).name}`);
  const p = response.responses[0]?.partitions[0];
  if (!p) throw new KafkaProtocolError(ErrorCode.UNKNOWN_SERVER_ERROR, `no answer for ${topic}-${partition} in the fetch response`);
  if (p.errorCode !== ErrorCode.NONE) {
    throw new KafkaProtocolError(p.errorCode, `fetch from ${topic}-${partition} at ${offset} failed: ${errorInfo(p.errorCode).name}`);
  }
  const { batches, headers, sizeBytes } = splitBatches(p.records);
  const last = headers[headers.length - 1];
  return {
    highWatermark: p.highWatermark,
    lastStableOffset: p.lastStableOffset,
    logStartOffset: p.logStartOffset,
    abortedTransactions: p.abortedTransactions?.map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset })) ?? null,
    batches,
    headers,
    sizeBytes,
    nextOffset: last ? last.baseOffset + last.lastOffsetDelta + 1 : offset,
  };
}

/** The records of fetched batches at or after `fromOffset` (a batch may begin before the fetch offset). */
export function recordsOf(fetched: Pick<FetchedPartition, 'batches'>, fromOffset = 0): BatchRecord[] {
  const out: BatchRecord[] = [];
  for (const batch of fetched.batches) for (const r of batchRecords(batch)) if (r.offset >= fromOffset) out.push(r);
  return out;
}

export interface ListedOffset {
  offset: number;
  timestamp: number;
  leaderEpoch: number;
}

/** ListOffsets for one partition: EARLIEST, LATEST, -3 (max timestamp) or a timestamp. */
export async function listOffset(
  conn: KafkaConnection,
  topic: string,
  partition: number,
  timestamp: number,
  options: { isolationLevel?: 0 | 1; version?: number } = {},
): Promise<ListedOffset> {
  const response = await conn.send(ApiKey.ListOffsets, options.version ?? LIST_OFFSETS_VERSION, {
    replicaId: -1,
    isolationLevel: options.isolationLevel ?? 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }] }],
  });
  const p = response.topics[0]?.partitions[0];
  if (!p) throw new KafkaProtocolError(ErrorCode.UNKNOWN_SERVER_ERROR, `no answer for ${topic}-${partition} in the ListOffsets response`);
  if (p.errorCode !== ErrorCode.NONE) throw new KafkaProtocolError(p.errorCode, `ListOffsets on ${topic}-${partition} failed: ${errorInfo(p.errorCode).name}`);
  return { offset: p.offset, timestamp: p.timestamp, leaderEpoch: p.leaderEpoch };
}
