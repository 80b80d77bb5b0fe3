#!/usr/bin/env node
// consumer-perf-test: Kafka's kafka-consumer-perf-test on Skein's client. Reads --messages records of
// --topic from the start of every partition, one Fetch in flight per leader as Kafka's consumer keeps,
// and prints Kafka's summary (start/end time, MB and records consumed and per second) plus the
// Fetch round-trip latency: average, maximum and percentiles.
//
// Records are counted from batch headers and MB is the size of the record batches received, so the
// tool measures the broker, not record decoding in JavaScript.
//
//   node dist/bench/kafka/consumer-perf-test.js --bootstrap 127.0.0.1:9092 --topic perf --messages 1000000
import { readInt64 } from '../../protocol/bytes.js';
import { ApiKey, ErrorCode, errorInfo, type FetchRequestInput } from '../../protocol/kafka/index.js';
import { BATCH_LENGTH_AT, BATCH_LENGTH_OVERHEAD, LAST_OFFSET_DELTA_AT, RECORDS_COUNT_AT } from '../../protocol/kafka/records/batch-header.js';
import type { KafkaConnection } from '../../src/kafka/client/connection.js';
import { EARLIEST, FETCH_VERSION, listOffset } from '../../src/kafka/client/consumer.js';
import { bootstrapOption, flag, intOption, parseArgs, runTool, UsageError } from './perf-args.js';
import { Cluster, type PartitionLeader } from './cluster.js';
import { LatencyRecorder } from './perf-stats.js';

const USAGE = `usage: consumer-perf-test --bootstrap HOST:PORT --topic TOPIC --messages N
  [--fetch-size BYTES per partition (1048576)] [--max-bytes BYTES per fetch (52428800)]
  [--max-wait-ms MS (500)] [--timeout MS without progress (10000)]`;

const OPTIONS = ['bootstrap', 'bootstrap-server', 'topic', 'messages', 'fetch-size', 'max-bytes', 'max-wait-ms', 'timeout'];


interface Position {
  partition: number;
  offset: number;
}

/** Records at or after `from` in a records field, and the offset after its last whole batch. */
function countBatches(records: Buffer | null, from: number): { records: number; bytes: number; next: number } {
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

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  const bootstrap = bootstrapOption(args, USAGE);
  const topic = flag(args, 'topic');
  if (!topic) throw new UsageError(`--topic is required\n${USAGE}`);
  const messages = intOption(args, 'messages', USAGE);
  const fetchSize = intOption(args, 'fetch-size', USAGE, 1024 * 1024);
  const maxBytes = intOption(args, 'max-bytes', USAGE, 50 * 1024 * 1024);
  const maxWaitMs = intOption(args, 'max-wait-ms', USAGE, 500);
  const timeoutMs = intOption(args, 'timeout', USAGE, 10_000);

  const cluster = await Cluster.connect(bootstrap, 'consumer-perf-test');
  const partitions = await cluster.partitions(topic);
  const byLeader = new Map<KafkaConnection, Position[]>();
  for (const p of partitions) {
    const start = (await listOffset(p.conn, topic, p.partition, EARLIEST, { version: p.conn.versionFor(ApiKey.ListOffsets, 7) })).offset;
    byLeader.set(p.conn, [...(byLeader.get(p.conn) ?? []), { partition: p.partition, offset: start }]);
  }
  const latency = new LatencyRecorder(1 << 20);
  const startWall = Date.now();
  const start = performance.now();
  let consumed = 0;
  let bytes = 0;
  let lastProgress = start;

  const fetchLoop = async (conn: KafkaConnection, positions: Position[]): Promise<void> => {
    const version = conn.versionFor(ApiKey.Fetch, FETCH_VERSION);
    while (consumed < messages && performance.now() - lastProgress < timeoutMs) {
      const request: FetchRequestInput = {
        replicaId: -1,
        maxWaitMs,
        minBytes: 1,
        maxBytes,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{ topic, partitions: positions.map((p) => ({ partition: p.partition, fetchOffset: p.offset, partitionMaxBytes: fetchSize, currentLeaderEpoch: -1, logStartOffset: -1 })) }],
        forgottenTopicsData: [],
        rackId: '',
      };
      const sent = performance.now();
      const response = await conn.send(ApiKey.Fetch, version, request, { timeoutMs: 30_000 + maxWaitMs });
      latency.record(performance.now() - sent);
      if (response.errorCode !== ErrorCode.NONE) throw new Error(`fetch failed: ${errorInfo(response.errorCode).name}`);
      for (const t of response.responses) {
        for (const p of t.partitions) {
          const position = positions.find((x) => x.partition === p.partitionIndex)!;
          if (p.errorCode !== ErrorCode.NONE) throw new Error(`fetch from ${topic}-${p.partitionIndex} at ${position.offset} failed: ${errorInfo(p.errorCode).name}`);
          const got = countBatches(p.records, position.offset);
          if (got.records > 0) lastProgress = performance.now();
          consumed += got.records;
          bytes += got.bytes;
          position.offset = got.next;
        }
      }
    }
  };
  await Promise.all([...byLeader].map(([conn, positions]) => fetchLoop(conn, positions)));
  const elapsedMs = performance.now() - start;
  const seconds = elapsedMs / 1000;
  const mb = bytes / (1024 * 1024);
  const iso = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
  process.stdout.write('start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n');
  process.stdout.write(
    `${iso(startWall)}, ${iso(startWall + elapsedMs)}, ${mb.toFixed(4)}, ${(mb / seconds).toFixed(4)}, ${consumed}, ${(consumed / seconds).toFixed(4)}, 0, ${elapsedMs.toFixed(0)}, ${(mb / seconds).toFixed(4)}, ${(consumed / seconds).toFixed(4)}\n`,
  );
  const s = latency.summary();
  process.stdout.write(
    `${latency.recorded} fetches, ${s.avgMs.toFixed(2)} ms avg latency, ${s.maxMs.toFixed(2)} ms max latency, ${s.p50.toFixed(0)} ms 50th, ${s.p95.toFixed(0)} ms 95th, ${s.p99.toFixed(0)} ms 99th, ${s.p999.toFixed(0)} ms 99.9th.\n`,
  );
  await cluster.close();
  if (consumed < messages) {
    process.stderr.write(`only ${consumed} of ${messages} records arrived within ${timeoutMs} ms of the last progress\n`);
    return 1;
  }
  return 0;
}

runTool(main);
