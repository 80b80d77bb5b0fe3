// /metrics of a whole node (ZooKeeper and a broker in ZooKeeper mode, as skein start runs them), scraped
// while kafkajs produces and consumes and parsed by a Prometheus text-format parser that is not
// prom-client: the counters must equal what the clients moved, the gauges the logs and groups.
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startProcessHttp } from '../../../src/http/process-endpoints.js';
import { HTTP_CONNECTIONS_MAX, type RunningHttp } from '../../../src/http/http-listener.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { scrape } from '../../helpers/prometheus.js';
import { startTestServer, type TestServer } from '../zookeeper/harness.js';

const TOPIC = 'metrics-scrape';
const PARTITIONS = 3;
const BATCHES = 60;
const PER_BATCH = 50;
const PRODUCED = BATCHES * PER_BATCH;
const GROUP = 'metrics-group';

let zk: TestServer;
let broker: TestBroker;
let http: RunningHttp;
let kafka: Kafka;

beforeAll(async () => {
  zk = await startTestServer({ tickTime: 2000, minSessionTimeout: 4000 });
  broker = await startTestBroker({ 'zookeeper.connect': `127.0.0.1:${zk.port}`, 'offsets.topic.num.partitions': '1', 'group.initial.rebalance.delay.ms': '0' });
  http = await startProcessHttp(
    { host: '127.0.0.1', port: 0 },
    { broker: broker.broker, zookeeper: zk.server, dataDirs: [zk.dir, broker.dataDir] },
    broker.broker.log,
  );
  // The broker is the controller once it has elected itself and told itself so (UpdateMetadata).
  for (let i = 0; broker.broker.metadata.controllerId() < 0; i++) {
    if (i > 500) throw new Error('no controller after 10 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  kafka = new Kafka({ clientId: 'metrics-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }], waitForLeaders: true });
  await admin.disconnect();
}, 60_000);

afterAll(async () => {
  await http?.close();
  await broker?.close();
  await zk?.destroy();
});

async function produce(producer: Producer, count: number, at: number): Promise<void> {
  await producer.send({ topic: TOPIC, messages: Array.from({ length: count }, (_, i) => ({ key: `k${at + i}`, value: `value-${at + i}` })) });
}

test('a scrape under load parses, and its counters and gauges match what was produced and consumed', async () => {
  const producer = kafka.producer();
  await producer.connect();
  // Scrapes run alongside the producers: each must parse and messages-in never goes back.
  let scraping = true;
  let scrapes = 0;
  let lastSeen = 0;
  const scraper = (async () => {
    while (scraping) {
      const s = await scrape(http.port);
      const seen = s.has('kafka_server_brokertopicmetrics_messagesin_total') ? s.sum('kafka_server_brokertopicmetrics_messagesin_total', { topic: TOPIC }) : 0;
      expect(seen).toBeGreaterThanOrEqual(lastSeen);
      lastSeen = seen;
      scrapes++;
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const sends: Promise<void>[] = [];
  for (let b = 0; b < BATCHES; b++) sends.push(produce(producer, PER_BATCH, b * PER_BATCH));
  await Promise.all(sends);
  scraping = false;
  await scraper;
  expect(scrapes).toBeGreaterThan(0);

  let s = await scrape(http.port);
  expect(s.value('kafka_server_brokertopicmetrics_messagesin_total', { topic: TOPIC })).toBe(PRODUCED);
  const bytesIn = s.value('kafka_server_brokertopicmetrics_bytesin_total', { topic: TOPIC });
  const logBytes = s.sum('kafka_log_log_size', { topic: TOPIC });
  expect(bytesIn).toBeGreaterThan(PRODUCED * 'value-0'.length);
  // The log holds exactly the batches appended (the broker stores them as produced).
  expect(logBytes).toBe(bytesIn);
  expect(s.sum('kafka_log_log_logendoffset', { topic: TOPIC })).toBe(PRODUCED);
  expect(s.samples('kafka_log_log_logendoffset', { topic: TOPIC })).toHaveLength(PARTITIONS);
  // Every produce request was counted once and timed once.
  const produces = s.value('kafka_network_requestmetrics_requests_total', { request: 'Produce' });
  expect(produces).toBeGreaterThanOrEqual(BATCHES);
  expect(s.family('kafka_network_requestmetrics_totaltimems').type).toBe('HISTOGRAM');
  expect(s.seriesValue('kafka_network_requestmetrics_totaltimems_count', { request: 'Produce' })).toBe(produces);
  expect(s.seriesValue('kafka_network_requestmetrics_totaltimems_bucket', { request: 'Produce', le: '+Inf' })).toBe(produces);
  expect(s.seriesValue('kafka_network_requestmetrics_totaltimems_sum', { request: 'Produce' })).toBeGreaterThan(0);
  expect(s.value('kafka_controller_kafkacontroller_activecontrollercount')).toBe(1);
  expect(s.value('kafka_controller_kafkacontroller_offlinepartitionscount')).toBe(0);
  expect(s.value('kafka_server_replicamanager_underreplicatedpartitions')).toBe(0);
  await producer.disconnect();

  // A group reads everything and commits: bytes out covers every batch, lag is zero.
  const consumer = kafka.consumer({ groupId: GROUP, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  let consumed = 0;
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      autoCommitInterval: 50,
      eachMessage: async () => {
        if (++consumed === PRODUCED) resolve();
      },
    });
  });
  await done;
  await consumer.stop();
  await consumer.disconnect();
  s = await scrape(http.port);
  expect(s.value('kafka_server_brokertopicmetrics_bytesout_total', { topic: TOPIC })).toBeGreaterThanOrEqual(bytesIn);
  expect(s.sum('kafka_consumergroup_current_offset', { consumergroup: GROUP, topic: TOPIC })).toBe(PRODUCED);
  expect(s.sum('kafka_consumergroup_lag', { consumergroup: GROUP, topic: TOPIC })).toBe(0);

  // Ten more records nobody reads are ten records of lag.
  const late = kafka.producer();
  await late.connect();
  await produce(late, 10, PRODUCED);
  await late.disconnect();
  s = await scrape(http.port);
  expect(s.value('kafka_server_brokertopicmetrics_messagesin_total', { topic: TOPIC })).toBe(PRODUCED + 10);
  expect(s.sum('kafka_consumergroup_lag', { consumergroup: GROUP, topic: TOPIC })).toBe(10);

  // ZooKeeper's side of the same process: the broker's znodes and session, under ZooKeeper's metric names.
  const tree = zk.server.tree;
  expect(s.value('znode_count')).toBe(tree.nodeCount);
  expect(s.value('global_sessions')).toBe(zk.server.tracker.size);
  expect(s.value('ephemerals_count')).toBe(tree.ephemeralCount);
  expect(s.family('fsynctime').type).toBe('SUMMARY');
  expect(s.seriesValue('updatelatency_count', {})).toBeGreaterThan(0);
  // And Node's own process metrics from prom-client.
  expect(s.has('process_cpu_user_seconds_total')).toBe(true);
  expect(s.has('nodejs_eventloop_lag_seconds')).toBe(true);
}, 120_000);

test('health, readiness, bad paths and methods', async () => {
  const base = `http://127.0.0.1:${http.port}`;
  let res = await fetch(`${base}/healthz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'up' });
  res = await fetch(`${base}/readyz`);
  const ready = (await res.json()) as { status: string; checks: { name: string; ok: boolean }[] };
  expect(res.status).toBe(200);
  expect(ready.status).toBe('ready');
  expect(ready.checks.map((c) => c.name)).toEqual(
    expect.arrayContaining([`storage writable: ${zk.dir}`, `storage writable: ${broker.dataDir}`, 'zookeeper serving', 'zookeeper reachable', 'group state loaded', 'transaction state loaded']),
  );
  for (const path of ['/', '/metricsx', '/metrics/..%2f..', '/commandsx', '/%zz']) {
    res = await fetch(`${base}${path}`);
    expect(res.status, path).toBe(404);
    await res.text();
  }
  // Percent signs that decode to nothing are an unknown command, not a failure.
  res = await fetch(`${base}/commands/%E0%A4%A`);
  expect(res.status).toBe(200);
  expect(((await res.json()) as { error: string }).error).toBe('Unknown command: %E0%A4%A');
  res = await fetch(`${base}/metrics`, { method: 'POST', body: 'x'.repeat(100_000) });
  expect(res.status).toBe(405);
  await res.text();
  // A header block over the limit is refused without reaching a handler.
  res = await fetch(`${base}/healthz`, { headers: { 'x-big': 'y'.repeat(20_000) } });
  expect(res.status).toBe(431);
  await res.text();
});

test('every metric the Grafana dashboard in docs/grafana queries is one the node exports', async () => {
  const dashboard = readFileSync(new URL('../../../docs/grafana/skein.json', import.meta.url), 'utf8');
  const { panels } = JSON.parse(dashboard) as { panels: { targets?: { expr: string }[] }[] };
  const exprs = panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
  const labels = new Set(['topic', 'request', 'le', 'consumergroup', 'instance']);
  const names = new Set(exprs.flatMap((e) => [...e.matchAll(/([a-z][a-z0-9_]+)(?=\{|\)|\[| \*)/g)].map((m) => m[1]!)).filter((n) => !labels.has(n)));
  expect(names.size).toBeGreaterThan(20);
  const text = (await scrape(http.port)).text;
  for (const name of names) {
    const family = name.replace(/_(bucket|sum|count)$/, '');
    expect(text, name).toMatch(new RegExp(`^# TYPE (${name}|${family}) `, 'm'));
  }
});

test('connections past the limit are closed at once, and the listener serves again when they go', async () => {
  const open = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const socket = connect(http.port, '127.0.0.1', () => resolve(socket));
      socket.once('error', reject);
    });
  const held: Socket[] = [];
  for (let i = 0; i < HTTP_CONNECTIONS_MAX; i++) held.push(await open());
  // Let the server count them all before the one over the limit arrives.
  await new Promise((r) => setTimeout(r, 100));
  const extra = await open();
  await new Promise<void>((resolve) => extra.once('close', () => resolve()));
  for (const socket of held) socket.destroy();
  await new Promise((r) => setTimeout(r, 100));
  expect((await fetch(`http://127.0.0.1:${http.port}/healthz`)).status).toBe(200);
});
