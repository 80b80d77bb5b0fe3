// `skein perf produce|consume|zk` as a user runs them, each a `node dist/src/cli/main.js` process against
// one `skein start` node, briefly: what produce acknowledged, consume reads back in full, and every
// command prints Kafka's (or zkperf's) figures as text and as JSON.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { expectOneLine, skein, skeinJson, SkeinNode } from '../../helpers/skein-cli.js';

let node: SkeinNode;

beforeAll(async () => {
  node = await SkeinNode.start();
}, 90_000);
afterAll(async () => {
  await node?.stop();
});

test('perf produce then perf consume: the records sent are the records read, in Kafka\'s figures', async () => {
  expect((await skein(node, ['topic', 'create', 'perf', '-p', '3'])).code).toBe(0);
  const produced = await skein(node, ['perf', 'produce', 'perf', '-n', '20000', '-s', '50', '--reporting-interval', '100']);
  expect(produced.code, produced.stderr).toBe(0);
  const lines = produced.stdout.trimEnd().split('\n');
  expect(lines[lines.length - 1]).toMatch(
    /^20000 records sent, [\d.]+ records\/sec \([\d.]+ MB\/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.$/,
  );
  // Periodic lines before it, when the run outlasts the interval (not on a terminal: no live line instead).
  for (const l of lines.slice(0, -1)) expect(l).toMatch(/^\d+ records sent, [\d.]+ records\/sec \([\d.]+ MB\/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency\.$/);

  const json = await skeinJson<{ topic: string; records: number; recordsPerSec: number; p999Ms: number; failed: number }>(node, ['perf', 'produce', 'perf', '-n', '5000', '--acks', 'all']);
  expect(json).toMatchObject({ topic: 'perf', records: 5000, failed: 0 });
  expect(json.recordsPerSec).toBeGreaterThan(0);

  const consumed = await skein(node, ['perf', 'consume', 'perf', '-m', '25000']);
  expect(consumed.code, consumed.stderr).toBe(0);
  const [header, row, fetches] = consumed.stdout.trimEnd().split('\n');
  expect(header).toBe('start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec');
  expect(row).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}, [\d.]+, [\d.]+, 25000, [\d.]+, 0, \d+, [\d.]+, [\d.]+$/);
  expect(fetches).toMatch(/^\d+ fetches, [\d.]+ ms avg latency, .* 99\.9th\.$/);

  const read = await skeinJson<{ dataConsumedMsgs: number; dataConsumedMB: number }>(node, ['perf', 'consume', 'perf', '-m', '25000']);
  expect(read.dataConsumedMsgs).toBe(25000);
  expect(read.dataConsumedMB).toBeGreaterThan((25000 * 50) / (1024 * 1024));
}, 60_000);

test('perf consume asking for more than the topic holds ends in one line with exit 1', async () => {
  expect((await skein(node, ['topic', 'create', 'small', '-p', '1'])).code).toBe(0);
  expect((await skein(node, ['perf', 'produce', 'small', '-n', '10'])).code).toBe(0);
  const r = await skein(node, ['perf', 'consume', 'small', '-m', '11', '--timeout', '500', '--max-wait-ms', '100']);
  expect(r.stdout).toMatch(/, 10, /);
  expectOneLine(r, 1, /^skein perf consume: only 10 of 11 records arrived within 500 ms of the last progress/);
}, 30_000);

test('perf zk: ops/s and percentiles per mode, as a table and as JSON', async () => {
  const table = await skein(node, ['perf', 'zk', 'get', 'create', '--seconds', '1', '--sessions', '2', '--outstanding', '4']);
  expect(table.code, table.stderr).toBe(0);
  expect(table.stdout).toMatch(/^MODE\s+OPS\s+OPS\/S\s+P50 US\s+P99 US\s+ERRORS\nget\s+\d+\s+\d+\s+\d+\s+\d+\s+0\ncreate\s+\d+\s+\d+\s+\d+\s+\d+\s+0\n$/);
  const [set] = await skeinJson<{ mode: string; ops: number; opsPerSec: number; p50us: number; p99us: number; errors: number }[]>(node, ['perf', 'zk', 'set', '--seconds', '1']);
  expect(set).toMatchObject({ mode: 'set', sessions: 10, outstanding: 8, errors: 0 });
  expect(set!.ops).toBeGreaterThan(0);
  expect(set!.p99us).toBeGreaterThanOrEqual(set!.p50us);
}, 30_000);

test('perf against nothing listening fails in one line', async () => {
  expectOneLine(await skein(undefined, ['perf', 'zk', 'get', '--seconds', '1', '--server', '127.0.0.1:1']), 1, /^skein perf zk: cannot connect to ZooKeeper/);
  expectOneLine(await skein(undefined, ['perf', 'produce', 't', '-n', '1', '-b', '127.0.0.1:1']), 1, /^skein perf produce: cannot connect to 127\.0\.0\.1:1/);
}, 30_000);
