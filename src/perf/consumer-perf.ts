// `skein perf consume`'s core: Kafka's ConsumerPerformance on Skein's client. Reads `messages` records of
// a topic from the start of every partition, one Fetch in flight per leader as Kafka's consumer keeps,
// and measures Kafka's columns (start/end time, MB and records consumed and per second) plus the Fetch
// round-trip latency: average, maximum and percentiles.
//
// Records are counted from batch headers and MB is the size of the record batches received, so the
// command measures the broker, not record decoding in JavaScript.
import { readInt64 } from '../../protocol/bytes.js';
import { ApiKey, ErrorCode, errorInfo, KafkaProtocolError, type FetchRequestInput } from '../../protocol/kafka/index.js';
import { BATCH_LENGTH_AT, BATCH_LENGTH_OVERHEAD, LAST_OFFSET_DELTA_AT, RECORDS_COUNT_AT } from '../../protocol/kafka/records/batch-header.js';
import type { ConnectionSecurity, KafkaConnection } from '../kafka/client/connection.js';
import { EARLIEST, FETCH_VERSION, listOffset } from '../kafka/client/consumer.js';
import { Cluster } from './cluster.js';
import { LatencyRecorder, type LatencySummary } from './latency.js';

/** Fetch round trips kept for percentiles at most (8 bytes each); the average and maximum see all. */
const FETCH_SAMPLES_MAX = 1 << 20;
/** A Fetch's answer may take maxWaitMs by design; beyond that plus this, the broker is not answering. */
const FETCH_TIMEOUT_MS = 30_000;
const MB = 1024 * 1024;

export interface ConsumerPerfSettings {
  bootstrap: readonly string[];
  /** TLS and SASL login for SASL or SSL listeners (--command-config). */
  security?: ConnectionSecurity;
  topic: string;
  messages: number;
  /** Bytes per partition per Fetch (Kafka's max.partition.fetch.bytes). */
  fetchSize: number;
  /** Bytes per Fetch (fetch.max.bytes). */
  maxBytes: number;
  maxWaitMs: number;
  /** Gives up after this long without a new record (Kafka's --timeout). */
  timeoutMs: number;
}

/** Kafka's ConsumerPerformance columns, then the Fetch latency figures. */
export interface ConsumerPerfResult {
  startTime: string;
  endTime: string;
  dataConsumedMB: number;
  mbPerSec: number;
  dataConsumedMsgs: number;
  msgsPerSec: number;
  rebalanceTimeMs: number;
  fetchTimeMs: number;
  fetchMBPerSec: number;
  fetchMsgsPerSec: number;
  fetches: number;
  fetchLatency: LatencySummary;
}

export interface ConsumerPerfHooks {
  /** After every Fetch: records and bytes consumed so far. */
  onProgress?(records: number, bytes: number): void;
}

interface Position {
  partition: number;
  offset: number;
}

/** Records at or after `from` in a records field, and the offset after its last whole batch. */
export function countBatches(records: Buffer | null, from: number): { records: number; bytes: number; next: number } {
  let count = 0;
  let pos = 0;
  let next = from;
  if (records) {
    while (records.length - pos >= RECORDS_COUNT_AT + 4) {
      const size = records.readInt32BE(pos + BATCH_LENGTH_AT) + BATCH_LENGTH_OVERHEAD;
      if (size > records.length - pos) break;
      const base = readInt64(records, pos);
      const last = base + records.readInt32BE(pos + LAST_OFFSET_DELTA_AT);
      // A batch may begin before the fetch offset; its earlier records are not ours.
      count += Math.min(records.readInt32BE(pos + RECORDS_COUNT_AT), last - Math.max(base, from) + 1);
      next = last + 1;
      pos += size;
    }
  }
  return { records: count, bytes: pos, next };
}

/** Kafka's time format in ConsumerPerformance: "2026-12-03 12:00:00:000". */
function kafkaTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}:${iso.slice(20, 23)}`;
}

export function consumerResult(startWallMs: number, elapsedMs: number, records: number, bytes: number, fetches: number, latency: LatencySummary): ConsumerPerfResult {
  const seconds = elapsedMs / 1000;
  const mb = bytes / MB;
  const perSec = (n: number) => (seconds > 0 ? n / seconds : 0);
  return {
    startTime: kafkaTime(startWallMs),
    endTime: kafkaTime(startWallMs + elapsedMs),
    dataConsumedMB: mb,
    mbPerSec: perSec(mb),
    dataConsumedMsgs: records,
    msgsPerSec: perSec(records),
    // Partitions are read directly, without a group: no rebalance, so fetch time is all the time.
    rebalanceTimeMs: 0,
    fetchTimeMs: Math.round(elapsedMs),
    fetchMBPerSec: perSec(mb),
    fetchMsgsPerSec: perSec(records),
    fetches,
    fetchLatency: latency,
  };
}

export const CONSUMER_HEADER = 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';

/** Kafka's data row under CONSUMER_HEADER. */
export function formatConsumerRow(r: ConsumerPerfResult): string {
  return [
    r.startTime,
    r.endTime,
    r.dataConsumedMB.toFixed(4),
    r.mbPerSec.toFixed(4),
    r.dataConsumedMsgs,
    r.msgsPerSec.toFixed(4),
    r.rebalanceTimeMs,
    r.fetchTimeMs,
    r.fetchMBPerSec.toFixed(4),
    r.fetchMsgsPerSec.toFixed(4),
  ].join(', ');
}

export async function runConsumerPerf(s: ConsumerPerfSettings, hooks: ConsumerPerfHooks = {}): Promise<ConsumerPerfResult> {
  const cluster = await Cluster.connect(s.bootstrap, 'skein-perf-consume', s.security);
  try {
    const partitions = await cluster.partitions(s.topic);
    const byLeader = new Map<KafkaConnection, Position[]>();
    for (const p of partitions) {
      const start = (await listOffset(p.conn, s.topic, p.partition, EARLIEST, { version: p.conn.versionFor(ApiKey.ListOffsets, 7) })).offset;
      byLeader.set(p.conn, [...(byLeader.get(p.conn) ?? []), { partition: p.partition, offset: start }]);
    }
    const latency = new LatencyRecorder(FETCH_SAMPLES_MAX);
    const startWall = Date.now();
    const start = performance.now();
    let consumed = 0;
    let bytes = 0;
    let lastProgress = start;

    const fetchLoop = async (conn: KafkaConnection, positions: Position[]): Promise<void> => {
      const version = conn.versionFor(ApiKey.Fetch, FETCH_VERSION);
      while (consumed < s.messages && performance.now() - lastProgress < s.timeoutMs) {
        const request: FetchRequestInput = {
          replicaId: -1,
          maxWaitMs: s.maxWaitMs,
          minBytes: 1,
          maxBytes: s.maxBytes,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [{ topic: s.topic, partitions: positions.map((p) => ({ partition: p.partition, fetchOffset: p.offset, partitionMaxBytes: s.fetchSize, currentLeaderEpoch: -1, logStartOffset: -1 })) }],
          forgottenTopicsData: [],
          rackId: '',
        };
        const sent = performance.now();
        const response = await conn.send(ApiKey.Fetch, version, request, { timeoutMs: FETCH_TIMEOUT_MS + s.maxWaitMs });
        latency.record(performance.now() - sent);
        if (response.errorCode !== ErrorCode.NONE) throw new KafkaProtocolError(response.errorCode, `fetch from ${s.topic} failed: ${errorInfo(response.errorCode).name}`);
        for (const t of response.responses) {
          for (const p of t.partitions) {
            const position = positions.find((x) => x.partition === p.partitionIndex)!;
            if (p.errorCode !== ErrorCode.NONE) {
              throw new KafkaProtocolError(p.errorCode, `fetch from ${s.topic}-${p.partitionIndex} at ${position.offset} failed: ${errorInfo(p.errorCode).name}`);
            }
            const got = countBatches(p.records, position.offset);
            if (got.records > 0) lastProgress = performance.now();
            consumed += got.records;
            bytes += got.bytes;
            position.offset = got.next;
          }
        }
        hooks.onProgress?.(consumed, bytes);
      }
    };
    await Promise.all([...byLeader].map(([conn, positions]) => fetchLoop(conn, positions)));
    return consumerResult(startWall, performance.now() - start, consumed, bytes, latency.recorded, latency.summary());
  } finally {
    await cluster.close();
  }
}
