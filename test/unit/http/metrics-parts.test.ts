// The pieces behind /metrics, /readyz and /commands that need no server: counters, histogram samples,
// the storage probe, and JSON with exact 64-bit integers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, expect, test } from 'vitest';
import { toJson } from '../../../src/http/admin-commands.js';
import { startHttp } from '../../../src/http/http-listener.js';
import { storageWritable } from '../../../src/http/readiness.js';
import { createLogger } from '../../../src/logger.js';
import { LATENCY_BUCKETS_MS, RequestMetrics } from '../../../src/metrics/request-metrics.js';
import { histogramSamples, registerScraped } from '../../../src/metrics/scraped.js';
import { TopicTraffic } from '../../../src/metrics/topic-traffic.js';
import { Scrape } from '../../helpers/prometheus.js';

const dir = mkdtempSync(join(tmpdir(), 'skein-metrics-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a topic keeps one counts object, and topics gone from the cluster are dropped at scrape time', () => {
  const traffic = new TopicTraffic();
  const a = traffic.of('a');
  a.messagesIn += 3;
  expect(traffic.of('a')).toBe(a);
  traffic.of('b').bytesIn += 7;
  expect([...traffic.live((t) => t === 'a')].map(([t, c]) => [t, c.messagesIn])).toEqual([['a', 3]]);
  expect(traffic.of('b').bytesIn).toBe(0);
});

test('request latencies land in the first bucket at or above them; keys outside the table are ignored', () => {
  const r = new RequestMetrics();
  const width = LATENCY_BUCKETS_MS.length + 1;
  r.record(0, 0.5);
  r.record(0, 0.6);
  r.record(0, 1e9);
  r.record(9999, 1);
  r.record(-1, 1);
  expect(r.requests[0]).toBe(3);
  expect(r.totalTimeMsBuckets[0]).toBe(1);
  expect(r.totalTimeMsBuckets[1]).toBe(1);
  expect(r.totalTimeMsBuckets[width - 1]).toBe(1);
  expect(r.requests.reduce((a, b) => a + b, 0)).toBe(3);
});

test('histogram samples are cumulative and format as a Prometheus histogram', async () => {
  const registry = new Registry();
  registerScraped(registry, { name: 'h_ms', help: 'h', type: 'histogram', samples: () => histogramSamples('h_ms', [1, 10], [2, 0, 3], 0, 42, { request: 'Produce' }) });
  const s = new Scrape(await registry.metrics());
  expect(s.family('h_ms').type).toBe('HISTOGRAM');
  expect(s.seriesValue('h_ms_bucket', { request: 'Produce', le: '1' })).toBe(2);
  expect(s.seriesValue('h_ms_bucket', { request: 'Produce', le: '10' })).toBe(2);
  expect(s.seriesValue('h_ms_bucket', { request: 'Produce', le: '+Inf' })).toBe(5);
  expect(s.seriesValue('h_ms_count', { request: 'Produce' })).toBe(5);
  expect(s.seriesValue('h_ms_sum', { request: 'Produce' })).toBe(42);
});

test('storage that cannot take a file fails readiness with the reason, and leaves nothing behind when it can', async () => {
  expect(await storageWritable(dir)).toEqual({ name: `storage writable: ${dir}`, ok: true });
  const file = join(dir, 'not-a-dir');
  writeFileSync(file, 'x');
  const failed = await storageWritable(file);
  expect(failed.ok).toBe(false);
  expect(failed.detail).toMatch(/ENOTDIR/);
  expect((await storageWritable(join(dir, 'missing', 'deeper'))).ok).toBe(false);
});

test('64-bit integers are written exactly, as Java longs (signed)', () => {
  expect(toJson({ id: 72058691625943040n, top: 0xffff_ffff_ffff_fffen, n: 1, s: 'x' })).toBe(
    '{\n  "id": 72058691625943040,\n  "top": -2,\n  "n": 1,\n  "s": "x"\n}',
  );
});

test('/readyz answers 503 naming the failed check; /commands is absent without a ZooKeeper server', async () => {
  const running = await startHttp(
    { host: '127.0.0.1', port: 0, log: createLogger('silent') },
    { registry: new Registry(), readiness: () => Promise.resolve([{ name: 'storage writable: /x', ok: false, detail: 'EROFS' }]) },
  );
  try {
    const res = await fetch(`http://127.0.0.1:${running.port}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'not ready', checks: [{ name: 'storage writable: /x', ok: false, detail: 'EROFS' }] });
    expect((await fetch(`http://127.0.0.1:${running.port}/commands/ruok`)).status).toBe(404);
    const head = await fetch(`http://127.0.0.1:${running.port}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  } finally {
    await running.close();
  }
});
