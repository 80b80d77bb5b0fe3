// `skein perf` without a server: its options parse to the settings the cores take (defaults as Kafka's
// tools have them, bad values refused in one line), and the figures print in Kafka's words.
import { CommanderError, type Command } from 'commander';
import { describe, expect, test } from 'vitest';
import { buildRecordBatch } from '../../../protocol/kafka/records/batch-builder.js';
import { consumerTable, parseZkModes, zkLoadTable } from '../../../src/cli/commands/perf.js';
import { buildProgram, oneLineCommanderErrors } from '../../../src/cli/program.js';
import { consumerResult, countBatches, formatConsumerRow } from '../../../src/perf/consumer-perf.js';
import { formatLatency, LatencyRecorder } from '../../../src/perf/latency.js';
import { formatProducerSummary, formatProducerWindow, producerResult } from '../../../src/perf/producer-perf.js';

/** Parses `skein perf ...` and returns what the action would get, without running it. */
async function parsePerf(args: string[]): Promise<{ positional: unknown; options: Record<string, unknown> }> {
  const program = buildProgram();
  const perf = program.commands.find((c) => c.name() === 'perf')!;
  let captured: { positional: unknown; options: Record<string, unknown> } | undefined;
  for (const sub of perf.commands) {
    sub.action((positional: unknown, options: Record<string, unknown>) => {
      captured = { positional, options };
    });
  }
  await program.parseAsync(['perf', ...args], { from: 'user' });
  return captured!;
}

async function parseError(args: string[]): Promise<string> {
  const program = buildProgram();
  let err = '';
  const quiet = (c: Command): void => {
    c.configureOutput({ writeOut: () => undefined, writeErr: (s) => (err += s) });
    for (const sub of c.commands) quiet(sub);
  };
  quiet(program);
  oneLineCommanderErrors(program);
  for (const c of program.commands) c.configureOutput({ writeErr: (s) => (err += s) });
  const thrown = await program.parseAsync(['perf', ...args], { from: 'user' }).catch((e: unknown) => e);
  expect(thrown).toBeInstanceOf(CommanderError);
  return err;
}

describe('skein perf options', () => {
  test('produce: defaults as kafka-producer-perf-test runs them, short and long flags', async () => {
    const d = await parsePerf(['produce', 'perf']);
    expect(d.positional).toBe('perf');
    expect(d.options).toMatchObject({ numRecords: 100_000, recordSize: 100, throughput: -1, acks: '1', batchSize: 16384, lingerMs: 5, maxInFlight: 5, compression: 'none', reportingInterval: 5000, progress: true, format: 'table' });
    const o = await parsePerf(['produce', 't', '-n', '10', '-s', '7', '-t', '500', '--acks', 'all', '-z', 'lz4', '--no-progress', '--format', 'json', '-b', 'h:1,h:2']);
    expect(o.options).toMatchObject({ numRecords: 10, recordSize: 7, throughput: 500, acks: 'all', compression: 'lz4', progress: false, format: 'json', bootstrapServer: 'h:1,h:2' });
  });

  test('consume and zk: defaults and modes', async () => {
    expect((await parsePerf(['consume', 'perf'])).options).toMatchObject({ messages: 100_000, fetchSize: 1048576, maxBytes: 52428800, maxWaitMs: 500, timeout: 10_000 });
    expect((await parsePerf(['consume', 'perf', '-m', '42'])).options).toMatchObject({ messages: 42 });
    const zk = await parsePerf(['zk']);
    expect(zk.positional).toEqual(['get', 'set', 'create']);
    expect(zk.options).toMatchObject({ sessions: 10, outstanding: 8, seconds: 10, size: 100 });
    expect((await parsePerf(['zk', 'mix', 'get', '--seconds', '2'])).positional).toEqual(['mix', 'get']);
    expect(parseZkModes(['mix', 'create'])).toEqual(['mix', 'create']);
    expect(() => parseZkModes(['delete'])).toThrow(/mode delete is not one of get, set, create, mix/);
  });

  test('bad values are one line naming the option, before anything connects', async () => {
    expect(await parseError(['produce', 't', '-n', '0'])).toMatch(/^skein perf produce: option '-n, --num-records <n>' argument '0' is invalid\. must be a whole number from 1/);
    expect(await parseError(['produce', 't', '--acks', '2'])).toMatch(/^skein perf produce: option '--acks <acks>' argument '2' is invalid/);
    expect(await parseError(['produce'])).toMatch(/^skein perf produce: missing required argument 'topic'/);
    expect(await parseError(['consume', 't', '-m', 'lots'])).toMatch(/^skein perf consume: option '-m, --messages <n>' argument 'lots' is invalid/);
    expect(await parseError(['zk', '--seconds', '0'])).toMatch(/^skein perf zk: option '--seconds <s>' argument '0' is invalid/);
  });
});

describe('figures', () => {
  test('percentiles and the latency tail as Kafka prints them', () => {
    const r = new LatencyRecorder(1000);
    for (let i = 1; i <= 1000; i++) r.record(i);
    const s = r.summary();
    expect(s).toEqual({ avgMs: 500.5, maxMs: 1000, p50: 501, p95: 951, p99: 991, p999: 1000 });
    expect(formatLatency(s)).toBe('500.50 ms avg latency, 1000.00 ms max latency, 501 ms 50th, 951 ms 95th, 991 ms 99th, 1000 ms 99.9th.');
    // Past its capacity it still counts every sample in the average and maximum.
    const small = new LatencyRecorder(2);
    for (const v of [1, 2, 30]) small.record(v);
    expect(small.summary()).toMatchObject({ avgMs: 11, maxMs: 30, p50: 2 });
    expect(small.recorded).toBe(3);
  });

  test("the producer's summary and periodic lines", () => {
    const latency = { avgMs: 2.5, maxMs: 40.123, p50: 2, p95: 5, p99: 9.6, p999: 30 };
    const r = producerResult(200_000, 20_000_000, 2000, latency, 0);
    expect(formatProducerSummary(r)).toBe(
      '200000 records sent, 100000.0 records/sec (9.54 MB/sec), 2.50 ms avg latency, 40.12 ms max latency, 2 ms 50th, 5 ms 95th, 10 ms 99th, 30 ms 99.9th.',
    );
    expect(r).toMatchObject({ records: 200_000, recordsPerSec: 100_000, p99Ms: 9.6, failed: 0 });
    expect(r).not.toHaveProperty('firstError');
    expect(formatProducerWindow({ records: 5000, bytes: 500_000, elapsedMs: 5000, avgMs: 1.25, maxMs: 7 })).toBe(
      '5000 records sent, 1000.0 records/sec (0.10 MB/sec), 1.3 ms avg latency, 7.0 ms max latency.',
    );
  });

  test("the consumer's columns, with Kafka's time format", () => {
    const latency = { avgMs: 1, maxMs: 3, p50: 1, p95: 2, p99: 3, p999: 3 };
    const r = consumerResult(Date.UTC(2026, 11, 3, 12, 0, 0, 5), 2000, 100_000, 10 * 1024 * 1024, 12, latency);
    expect(formatConsumerRow(r)).toBe('2026-12-03 12:00:00:005, 2026-12-03 12:00:02:005, 10.0000, 5.0000, 100000, 50000.0000, 0, 2000, 5.0000, 50000.0000');
    expect(consumerTable(r).split('\n')).toEqual([
      'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
      formatConsumerRow(r),
      '12 fetches, 1.00 ms avg latency, 3.00 ms max latency, 1 ms 50th, 2 ms 95th, 3 ms 99th, 3 ms 99.9th.',
      '',
    ]);
  });

  test('the consumer counts records from batch headers, skipping those before the fetch offset', () => {
    const batch = (base: number, n: number) => {
      const b = buildRecordBatch(Array.from({ length: n }, () => ({ value: Buffer.from('v') })), { baseTimestamp: 0 });
      b.writeBigInt64BE(BigInt(base), 0);
      return b;
    };
    const records = Buffer.concat([batch(10, 5), batch(15, 3)]);
    expect(countBatches(records, 12)).toEqual({ records: 6, bytes: records.length, next: 18 });
    // A partial batch at the end (the broker cuts at the fetch size) is left for the next Fetch.
    expect(countBatches(records.subarray(0, records.length - 1), 10)).toEqual({ records: 5, bytes: batch(10, 5).length, next: 15 });
    expect(countBatches(null, 7)).toEqual({ records: 0, bytes: 0, next: 7 });
  });

  test("zk's table: one row per mode", () => {
    const row = (mode: 'get' | 'set', opsPerSec: number) => ({ mode, sessions: 1, outstanding: 1, ops: opsPerSec * 2, opsPerSec, p50us: 80, p99us: 900, errors: 0 });
    expect(zkLoadTable([row('get', 50_000), row('set', 9000)])).toBe(
      'MODE  OPS     OPS/S  P50 US  P99 US  ERRORS\nget   100000  50000      80     900       0\nset    18000   9000      80     900       0\n',
    );
  });
});
