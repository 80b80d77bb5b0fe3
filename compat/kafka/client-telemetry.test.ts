// KIP-714 client telemetry with real clients. @platformatic/kafka's admin sets two client-metrics
// subscriptions (config resources of type 16, as kafka-client-metrics.sh does), one per client id, and
// lists them with ListConfigResources v0. @confluentinc/kafka-javascript (librdkafka 2.15) asks
// GetTelemetrySubscriptions as soon as it sees the API advertised and gets the union of the ones it
// matches; it then pushes exactly those metrics every interval.ms (1 s here) with the compression the
// broker prefers (zstd), and follows a change of its subscription while it runs; a third client, matched
// by none, is asked for nothing and pushes nothing. The
// broker's /metrics shows what was pushed per client instance, under OpenTelemetry's names made
// Prometheus names, with the client id and the broker (node_id) each per-broker metric is about.
// Closing the clients sends their terminating push, answered at once, so closing is not slowed.
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import { freePort } from '../../test/helpers/free-port.js';
import { scrape, type Scrape } from '../../test/helpers/prometheus.js';
import { JsonLinesChild } from '../helpers/json-lines-child.js';
import { createTopic } from '../helpers/kafka-admin.js';
import { runNodeJson } from '../helpers/npm-clients.js';
import { kafkaForTests } from '../helpers/skein-process.js';

const DRIVER = new URL('ckjs_telemetry.mjs', import.meta.url);
const ADMIN = new URL('platformatic_kafka.mjs', import.meta.url);
const HTTP_PORT = await freePort();
const PARTITIONS = 2;
const SCRAPE_EVERY_MS = 200;

const kafka = kafkaForTests({
  'http.port': String(HTTP_PORT),
  'offsets.topic.num.partitions': '1',
  'group.initial.rebalance.delay.ms': '0',
});

afterEach(() => JsonLinesChild.killAll());

/** Scrapes until `ready` holds for a scrape, failing after `timeoutMs` with the clients' output. */
async function scrapeUntil(what: string, ready: (s: Scrape) => boolean, clients: JsonLinesChild, timeoutMs = 20_000): Promise<Scrape> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await scrape(HTTP_PORT);
    if (ready(s)) return s;
    if (Date.now() > deadline) throw new Error(`no ${what} on /metrics within ${timeoutMs} ms\n${s.text.split('\n').filter((l) => l.startsWith('org_apache_kafka')).join('\n')}\n${clients.report()}`);
    await sleep(SCRAPE_EVERY_MS);
  }
}

const has = (s: Scrape, name: string, labels: Record<string, string>) => s.has(name) && s.samples(name, labels).length > 0;

/** The client ids of the pushed series, with the metric families each pushed. */
function pushedByClient(s: Scrape): Map<string, Set<string>> {
  const byClient = new Map<string, Set<string>>();
  for (const line of s.text.split('\n')) {
    const m = /^(org_apache_kafka_[a-z0-9_]+)\{.*client_id="([^"]*)"/.exec(line);
    if (m) byClient.set(m[2]!, (byClient.get(m[2]!) ?? new Set()).add(m[1]!));
  }
  return byClient;
}

const SUBSCRIPTIONS = [
  { name: 'producers', configs: { metrics: 'org.apache.kafka.producer.', 'interval.ms': '1000', match: 'client_id=telemetry-producer' } },
  {
    name: 'consumer-coordinators',
    configs: { metrics: 'org.apache.kafka.consumer.coordinator.', 'interval.ms': '1000', match: 'client_id=telemetry-consumer,client_software_name=confluent-kafka-javascript' },
  },
];

test('librdkafka pushes exactly the metrics its client-metrics subscriptions ask for, shown per client instance on /metrics', async () => {
  const topic = 'telemetry-topic';
  await createTopic(kafka().bootstrap, topic, PARTITIONS);
  const set = await runNodeJson<{ described: { name: string; configs: Record<string, string> }[]; listed: string[] }>(ADMIN, 'clientMetrics', { bootstrap: kafka().bootstrap, subscriptions: SUBSCRIPTIONS });
  expect(set.listed).toEqual(['consumer-coordinators', 'producers']);
  expect(set.described).toEqual(SUBSCRIPTIONS);

  const input = { bootstrap: kafka().bootstrap, topic, groupId: 'telemetry-group' };
  const clients = new JsonLinesChild('ckjs-telemetry', process.execPath, [fileURLToPath(DRIVER), 'clients', JSON.stringify(input)]);
  await JsonLinesChild.until('6 records read', () => clients.all('record').length >= 6, [clients], 30_000);

  const producer = { client_id: 'telemetry-producer' };
  const consumer = { client_id: 'telemetry-consumer' };
  const s = await scrapeUntil(
    'pushed producer and consumer metrics',
    (s) =>
      has(s, 'org_apache_kafka_producer_connection_creation_total', producer) &&
      has(s, 'org_apache_kafka_consumer_coordinator_assigned_partitions', consumer) &&
      s.value('org_apache_kafka_consumer_coordinator_assigned_partitions', consumer) === PARTITIONS,
    clients,
  );
  // A monotonic sum is a counter; the producer connected to the broker at least once.
  expect(s.family('org_apache_kafka_producer_connection_creation_total').type).toBe('COUNTER');
  expect(s.sum('org_apache_kafka_producer_connection_creation_total', producer)).toBeGreaterThanOrEqual(1);
  // Per-broker metrics carry the broker's id (librdkafka's node.id attribute).
  const latency = s.samples('org_apache_kafka_producer_node_request_latency_avg', producer);
  expect(latency.length).toBeGreaterThan(0);
  for (const m of latency) expect(m.labels?.node_id).toMatch(/^-?[0-9]+$/);
  // One instance id per client, in Kafka's text form of a uuid (22 characters of base64url).
  const ids = new Set([...s.samples('org_apache_kafka_producer_connection_creation_total', producer), ...s.samples('org_apache_kafka_consumer_coordinator_assigned_partitions', consumer)].map((m) => m.labels?.client_instance_id));
  expect(ids.size).toBe(2);
  for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  expect(s.value('kafka_server_client_metrics_instance_count')).toBeGreaterThanOrEqual(2);

  // A changed subscription reaches the running client: its next push, under the old subscription id, is
  // refused (UNKNOWN_SUBSCRIPTION_ID), it asks again at once and then pushes only what is asked for now,
  // as the same instance.
  const producerId = s.samples('org_apache_kafka_producer_connection_creation_total', producer)[0]!.labels?.client_instance_id;
  const narrowed = { name: 'producers', configs: { ...SUBSCRIPTIONS[0]!.configs, metrics: 'org.apache.kafka.producer.connection.' } };
  await runNodeJson(ADMIN, 'clientMetrics', { bootstrap: kafka().bootstrap, subscriptions: [narrowed] });
  const after = await scrapeUntil(
    "the producer's connection metrics only",
    (s) => [...(pushedByClient(s).get('telemetry-producer') ?? [])].every((name) => name.startsWith('org_apache_kafka_producer_connection_')),
    clients,
  );
  expect(after.samples('org_apache_kafka_producer_connection_creation_total', producer).map((m) => m.labels?.client_instance_id)).toEqual([producerId]);

  await clients.stop();
  expect(clients.all('closed')).toHaveLength(1);
  // Each client pushed what its subscription asks for and nothing else; the bystander, matched by no
  // subscription, nothing, not even the terminating push every subscribed client sends as it closes.
  const pushed = pushedByClient(await scrape(HTTP_PORT));
  expect([...pushed.keys()].sort()).toEqual(['telemetry-consumer', 'telemetry-producer']);
  for (const name of pushed.get('telemetry-producer')!) expect(name).toMatch(/^org_apache_kafka_producer_/);
  for (const name of pushed.get('telemetry-consumer')!) expect(name).toMatch(/^org_apache_kafka_consumer_coordinator_/);
}, 60_000);
