// `skein perf produce`'s core: Kafka's ProducerPerformance on Skein's client. Sends numRecords records of
// recordSize bytes (one random payload, no key) to a topic, paced to `throughput` records/s (-1: as fast
// as it can), batched per partition as Kafka's producer does (batchSize bytes or lingerMs, a sticky
// partition for keyless records, maxInFlight requests per connection), and measures what Kafka's tool
// prints: records/s, MB/s, average and maximum latency (send to acknowledgement) and percentiles.
import { randomBytes } from 'node:crypto';
import { initCompression } from '../../protocol/kafka/compression/codecs.js';
import { ApiKey } from '../../protocol/kafka/index.js';
import { buildRecordBatch, type RecordInput } from '../../protocol/kafka/records/batch-builder.js';
import type { Compression } from '../../protocol/kafka/records/batch-header.js';
import { PRODUCE_VERSION, produceBatch } from '../kafka/client/producer.js';
import { Cluster, type PartitionLeader } from './cluster.js';
import type { ConnectionSecurity } from '../kafka/client/connection.js';
import { formatLatency, LatencyRecorder, type LatencySummary } from './latency.js';

/**
 * Latency samples kept for percentiles at most (8 bytes each: 80 MB). A longer run still counts every
 * record in the average and maximum; its percentiles come from the first this many, as Kafka's tool
 * samples rather than keeping every record.
 */
export const LATENCY_SAMPLES_MAX = 10_000_000;

export interface ProducerPerfSettings {
  bootstrap: readonly string[];
  /** TLS and SASL login for SASL or SSL listeners (--command-config). */
  security?: ConnectionSecurity;
  topic: string;
  numRecords: number;
  recordSize: number;
  /** Records per second to aim at; -1 sends as fast as acknowledgements allow. */
  throughput: number;
  acks: -1 | 0 | 1;
  batchSize: number;
  lingerMs: number;
  maxInFlight: number;
  compression: Compression;
  reportingIntervalMs: number;
}

/** What was acknowledged in one reporting interval: Kafka's periodic line. */
export interface ProducerWindow {
  records: number;
  bytes: number;
  elapsedMs: number;
  avgMs: number;
  maxMs: number;
}

export interface ProducerPerfHooks {
  /** Every acknowledgement: the records and bytes acknowledged so far. */
  onProgress?(records: number, bytes: number): void;
  /** Every reporting interval. */
  onWindow?(window: ProducerWindow): void;
}

/** The final figures, named as Kafka's summary line names them. */
export interface ProducerPerfResult {
  records: number;
  recordsPerSec: number;
  mbPerSec: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
  elapsedMs: number;
  failed: number;
  firstError?: string;
}

interface OpenBatch {
  partition: PartitionLeader;
  records: RecordInput[];
  sentAt: number[];
  bytes: number;
  openedAt: number;
}

const MB = 1024 * 1024;

export function producerResult(records: number, bytes: number, elapsedMs: number, latency: LatencySummary, failed: number, firstError?: string): ProducerPerfResult {
  const seconds = elapsedMs / 1000;
  return {
    records,
    recordsPerSec: seconds > 0 ? records / seconds : 0,
    mbPerSec: seconds > 0 ? bytes / seconds / MB : 0,
    avgLatencyMs: latency.avgMs,
    maxLatencyMs: latency.maxMs,
    p50Ms: latency.p50,
    p95Ms: latency.p95,
    p99Ms: latency.p99,
    p999Ms: latency.p999,
    elapsedMs,
    failed,
    ...(firstError === undefined ? {} : { firstError }),
  };
}

/** Kafka's final line: "N records sent, R records/sec (M MB/sec), A ms avg latency, ... 99.9th." */
export function formatProducerSummary(r: ProducerPerfResult): string {
  const latency = { avgMs: r.avgLatencyMs, maxMs: r.maxLatencyMs, p50: r.p50Ms, p95: r.p95Ms, p99: r.p99Ms, p999: r.p999Ms };
  return `${r.records} records sent, ${r.recordsPerSec.toFixed(1)} records/sec (${r.mbPerSec.toFixed(2)} MB/sec), ${formatLatency(latency)}`;
}

/** Kafka's periodic line. */
export function formatProducerWindow(w: ProducerWindow): string {
  const seconds = w.elapsedMs / 1000;
  return `${w.records} records sent, ${(w.records / seconds).toFixed(1)} records/sec (${(w.bytes / seconds / MB).toFixed(2)} MB/sec), ${w.avgMs.toFixed(1)} ms avg latency, ${w.maxMs.toFixed(1)} ms max latency.`;
}

export async function runProducerPerf(s: ProducerPerfSettings, hooks: ProducerPerfHooks = {}): Promise<ProducerPerfResult> {
  await initCompression();
  const cluster = await Cluster.connect(s.bootstrap, 'skein-perf-produce', s.security);
  try {
    const partitions = await cluster.partitions(s.topic);
    const versions = new Map(partitions.map((p) => [p.conn, p.conn.versionFor(ApiKey.Produce, PRODUCE_VERSION)]));
    // Kafka's payload: one random record of capital letters reused for every send.
    const payload = Buffer.from(randomBytes(s.recordSize).map((b) => 65 + (b % 26)));
    const latency = new LatencyRecorder(Math.min(s.numRecords, LATENCY_SAMPLES_MAX));
    const inFlight = new Map<object, Set<Promise<void>>>();
    let failed = 0;
    let firstError: unknown;
    let ackedRecords = 0;
    let ackedBytes = 0;

    const start = performance.now();
    let windowStart = start;
    let windowRecords = 0;
    let windowBytes = 0;
    const report = setInterval(() => {
      const now = performance.now();
      const w = latency.takeWindow();
      hooks.onWindow?.({ records: windowRecords, bytes: windowBytes, elapsedMs: now - windowStart, avgMs: w.avgMs, maxMs: w.maxMs });
      windowStart = now;
      windowRecords = 0;
      windowBytes = 0;
    }, s.reportingIntervalMs);

    const send = async (batch: OpenBatch): Promise<void> => {
      const conn = batch.partition.conn;
      const pending = inFlight.get(conn) ?? new Set();
      inFlight.set(conn, pending);
      while (pending.size >= s.maxInFlight) await Promise.race(pending);
      const encoded = buildRecordBatch(batch.records, { baseTimestamp: Math.floor(performance.timeOrigin + batch.openedAt), compression: s.compression });
      const done = produceBatch(conn, s.topic, batch.partition.partition, encoded, { acks: s.acks, version: versions.get(conn)! }).then(
        () => {
          const now = performance.now();
          for (const t of batch.sentAt) latency.record(now - t);
          ackedRecords += batch.records.length;
          ackedBytes += batch.bytes;
          windowRecords += batch.records.length;
          windowBytes += batch.bytes;
          hooks.onProgress?.(ackedRecords, ackedBytes);
        },
        (err: unknown) => {
          failed += batch.records.length;
          firstError ??= err;
        },
      );
      if (s.acks === 0) {
        // No answer comes: the socket draining is the only back-pressure there is.
        await done;
        await conn.drained();
        return;
      }
      const tracked = done.finally(() => pending.delete(tracked));
      pending.add(tracked);
    };

    let next = 0;
    let open: OpenBatch | undefined;
    try {
      for (let i = 0; i < s.numRecords; i++) {
        if (s.throughput > 0) {
          const due = start + (i * 1000) / s.throughput;
          const wait = due - performance.now();
          if (wait > 1) {
            if (open && performance.now() - open.openedAt >= s.lingerMs) {
              await send(open);
              open = undefined;
            }
            await new Promise((r) => setTimeout(r, wait));
          }
        }
        const now = performance.now();
        open ??= { partition: partitions[next++ % partitions.length]!, records: [], sentAt: [], bytes: 0, openedAt: now };
        open.records.push({ value: payload, timestamp: Math.floor(performance.timeOrigin + now) });
        open.sentAt.push(now);
        open.bytes += s.recordSize;
        if (open.bytes >= s.batchSize) {
          await send(open);
          open = undefined;
        }
      }
      if (open) await send(open);
      for (const pending of inFlight.values()) await Promise.all(pending);
    } finally {
      clearInterval(report);
    }
    const elapsed = performance.now() - start;
    const error = firstError === undefined ? undefined : firstError instanceof Error ? firstError.message : String(firstError);
    return producerResult(latency.recorded, ackedBytes, elapsed, latency.summary(), failed, error);
  } finally {
    await cluster.close();
  }
}
