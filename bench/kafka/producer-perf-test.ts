#!/usr/bin/env node
// producer-perf-test: Kafka's kafka-producer-perf-test on Skein's client. Sends --num-records records of
// --record-size bytes (one random payload, no key) to --topic, paced to --throughput records/s (-1: as fast
// as it can), batched per partition as Kafka's producer does (--batch-size bytes or --linger-ms, sticky
// partition for keyless records, --max-in-flight requests per connection), and prints Kafka's report
// lines: records/s, MB/s, average and maximum latency (send to acknowledgement) and percentiles.
//
//   node dist/bench/kafka/producer-perf-test.js --bootstrap 127.0.0.1:9092 --topic perf \
//     --num-records 1000000 --record-size 100 --throughput -1 --acks 1
import { randomBytes } from 'node:crypto';
import { ApiKey } from '../../protocol/kafka/index.js';
import { buildRecordBatch, type RecordInput } from '../../protocol/kafka/records/batch-builder.js';
import { Compression } from '../../protocol/kafka/records/batch-header.js';
import { initCompression } from '../../protocol/kafka/compression/codecs.js';
import { PRODUCE_VERSION, produceBatch } from '../../src/kafka/client/producer.js';
import { bootstrapOption, flag, intOption, parseArgs, runTool, UsageError } from './perf-args.js';
import { Cluster, type PartitionLeader } from './cluster.js';
import { formatSummary, formatWindow, LatencyRecorder } from './perf-stats.js';

const USAGE = `usage: producer-perf-test --bootstrap HOST:PORT --topic TOPIC --num-records N --record-size BYTES
  [--throughput RECORDS_PER_SEC (-1: unlimited)] [--acks 0|1|-1] [--batch-size BYTES (16384)]
  [--linger-ms MS (5)] [--max-in-flight N (5)] [--compression none|gzip|snappy|lz4|zstd]
  [--reporting-interval MS (5000)]`;

const OPTIONS = ['bootstrap', 'bootstrap-server', 'topic', 'num-records', 'record-size', 'throughput', 'acks', 'batch-size', 'linger-ms', 'max-in-flight', 'compression', 'reporting-interval'];
const CODECS: Record<string, Compression> = { none: Compression.None, gzip: Compression.Gzip, snappy: Compression.Snappy, lz4: Compression.Lz4, zstd: Compression.Zstd };


interface OpenBatch {
  partition: PartitionLeader;
  records: RecordInput[];
  sentAt: number[];
  bytes: number;
  openedAt: number;
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  const bootstrap = bootstrapOption(args, USAGE);
  const topic = flag(args, 'topic');
  if (!topic) throw new UsageError(`--topic is required\n${USAGE}`);
  const numRecords = intOption(args, 'num-records', USAGE);
  const recordSize = intOption(args, 'record-size', USAGE);
  const throughput = intOption(args, 'throughput', USAGE, -1);
  const acks = intOption(args, 'acks', USAGE, 1);
  const batchSize = intOption(args, 'batch-size', USAGE, 16384);
  const lingerMs = intOption(args, 'linger-ms', USAGE, 5);
  const maxInFlight = Math.max(1, intOption(args, 'max-in-flight', USAGE, 5));
  const reportMs = intOption(args, 'reporting-interval', USAGE, 5000);
  const compression = CODECS[flag(args, 'compression') ?? 'none'];
  if (compression === undefined) throw new UsageError(`--compression must be one of ${Object.keys(CODECS).join(', ')}`);
  await initCompression();

  const cluster = await Cluster.connect(bootstrap, 'producer-perf-test');
  const partitions = await cluster.partitions(topic);
  const versions = new Map(partitions.map((p) => [p.conn, p.conn.versionFor(ApiKey.Produce, PRODUCE_VERSION)]));
  // Kafka's payload: one random record reused for every send.
  const payload = Buffer.from(randomBytes(recordSize).map((b) => 65 + (b % 26)));
  const latency = new LatencyRecorder(numRecords);
  const inFlight = new Map<object, Set<Promise<void>>>();
  let failures = 0;
  let firstError: unknown;
  let ackedBytes = 0;

  const start = performance.now();
  let windowStart = start;
  let windowRecords = 0;
  let windowBytes = 0;
  const report = setInterval(() => {
    const now = performance.now();
    const w = latency.takeWindow();
    process.stdout.write(`${formatWindow(windowRecords, windowBytes, now - windowStart, w.avgMs, w.maxMs)}\n`);
    windowStart = now;
    windowRecords = 0;
    windowBytes = 0;
  }, reportMs);

  const send = async (batch: OpenBatch): Promise<void> => {
    const conn = batch.partition.conn;
    const pending = inFlight.get(conn) ?? new Set();
    inFlight.set(conn, pending);
    while (pending.size >= maxInFlight) await Promise.race(pending);
    const encoded = buildRecordBatch(batch.records, { baseTimestamp: Math.floor(performance.timeOrigin + batch.openedAt), compression });
    const done = produceBatch(conn, topic, batch.partition.partition, encoded, { acks, version: versions.get(conn)! }).then(
      () => {
        const now = performance.now();
        for (const t of batch.sentAt) latency.record(now - t);
        ackedBytes += batch.bytes;
        windowRecords += batch.records.length;
        windowBytes += batch.bytes;
      },
      (err: unknown) => {
        failures += batch.records.length;
        firstError ??= err;
      },
    );
    if (acks === 0) {
      await done;
      await conn.drained();
      return;
    }
    const tracked = done.finally(() => pending.delete(tracked));
    pending.add(tracked);
  };

  let next = 0;
  let open: OpenBatch | undefined;
  for (let i = 0; i < numRecords; i++) {
    if (throughput > 0) {
      const due = start + (i * 1000) / throughput;
      const wait = due - performance.now();
      if (wait > 1) {
        if (open && performance.now() - open.openedAt >= lingerMs) {
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
    open.bytes += recordSize;
    if (open.bytes >= batchSize) {
      await send(open);
      open = undefined;
    }
  }
  if (open) await send(open);
  for (const pending of inFlight.values()) await Promise.all(pending);
  const elapsed = performance.now() - start;
  clearInterval(report);
  process.stdout.write(`${formatSummary(latency.recorded, ackedBytes, elapsed, latency)}\n`);
  await cluster.close();
  if (failures > 0) {
    process.stderr.write(`${failures} records failed; first error: ${(firstError as Error)?.message ?? String(firstError)}\n`);
    return 1;
  }
  return 0;
}

runTool(main);
