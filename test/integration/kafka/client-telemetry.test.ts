// KIP-714 over the wire against an in-process broker with its HTTP listener: GetTelemetrySubscriptions and
// PushTelemetry advertised at v0 (and not with telemetry.enable=false, as Kafka without a reporter);
// client-metrics subscriptions set with IncrementalAlterConfigs, shown by DescribeConfigs, listed by
// ListConfigResources, refused with Kafka's errors when invalid, and matched on what the client said of
// itself; a zstd push of librdkafka's real payload shown on /metrics under the client id of the request
// header, Kafka's errors for a push too soon and for a payload that is not OTLP, and the broker serving on.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode, ZERO_UUID } from '../../../protocol/kafka/index.js';
import { compress, initCompression } from '../../../protocol/kafka/compression/codecs.js';
import { Compression } from '../../../protocol/kafka/records/batch-header.js';
import { startProcessHttp } from '../../../src/http/process-endpoints.js';
import type { RunningHttp } from '../../../src/http/http-listener.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { kafkaRequest } from '../../helpers/kafka-request.js';
import { scrape } from '../../helpers/prometheus.js';

const PRODUCER_PUSH = readFileSync(new URL('../../fixtures/otlp/librdkafka-2.15-producer.bin', import.meta.url));

let broker: TestBroker;
let http: RunningHttp;

beforeAll(async () => {
  await initCompression();
  broker = await startTestBroker();
  http = await startProcessHttp({ host: '127.0.0.1', port: 0 }, { broker: broker.broker, dataDirs: [broker.dataDir] }, broker.broker.log);
});

afterAll(async () => {
  await http?.close();
  await broker?.close();
});

const CLIENT_METRICS = 16;
const { SET, DELETE, APPEND } = { SET: 0, DELETE: 1, APPEND: 2 };

/** IncrementalAlterConfigs of one client-metrics subscription: its error code and message. */
async function alterSubscription(name: string, configs: { name: string; configOperation: number; value: string | null }[], validateOnly = false) {
  const r = await kafkaRequest(broker.bootstrap, ApiKey.IncrementalAlterConfigs, 1, { resources: [{ resourceType: CLIENT_METRICS, resourceName: name, configs }], validateOnly });
  return { errorCode: r.responses[0]!.errorCode, errorMessage: r.responses[0]!.errorMessage };
}

const apiVersions = async (bootstrap: string) => (await kafkaRequest(bootstrap, ApiKey.ApiVersions, 3, { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.15.0' })).apiKeys;

test('advertised at v0; not at all with telemetry.enable=false', async () => {
  const keys = await apiVersions(broker.bootstrap);
  expect(keys.filter((k) => k.apiKey === ApiKey.GetTelemetrySubscriptions || k.apiKey === ApiKey.PushTelemetry)).toEqual([
    { apiKey: ApiKey.GetTelemetrySubscriptions, minVersion: 0, maxVersion: 0 },
    { apiKey: ApiKey.PushTelemetry, minVersion: 0, maxVersion: 0 },
  ]);
  const off = await startTestBroker({ 'telemetry.enable': 'false' });
  try {
    const offKeys = (await apiVersions(off.bootstrap)).map((k) => k.apiKey);
    expect(offKeys).not.toContain(ApiKey.GetTelemetrySubscriptions);
    expect(offKeys).not.toContain(ApiKey.PushTelemetry);
  } finally {
    await off.close();
  }
});

test('client-metrics subscriptions: set, described, listed, refused as Kafka refuses them, removed', async () => {
  expect(await alterSubscription('producers', [{ name: 'metrics', configOperation: SET, value: 'org.apache.kafka.producer.' }])).toEqual({ errorCode: ErrorCode.NONE, errorMessage: null });
  expect(await alterSubscription('producers', [{ name: 'metrics', configOperation: APPEND, value: 'org.apache.kafka.consumer.coordinator.' }, { name: 'interval.ms', configOperation: SET, value: '1000' }])).toMatchObject({ errorCode: ErrorCode.NONE });
  const described = await kafkaRequest(broker.bootstrap, ApiKey.DescribeConfigs, 4, { resources: [{ resourceType: CLIENT_METRICS, resourceName: 'producers', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
  expect(described.results[0]!.configs.map((c) => [c.name, c.value, c.configSource])).toEqual([
    ['metrics', 'org.apache.kafka.producer.,org.apache.kafka.consumer.coordinator.', 7],
    ['interval.ms', '1000', 7],
    ['match', '', 5],
  ]);

  // Kafka's checks, its codes and messages; nothing is kept.
  const refused = [
    await alterSubscription('', [{ name: 'metrics', configOperation: SET, value: '*' }]),
    await alterSubscription('bad', [{ name: 'metric', configOperation: SET, value: '*' }]),
    await alterSubscription('bad', [{ name: 'interval.ms', configOperation: SET, value: '-1' }]),
    await alterSubscription('bad', [{ name: 'interval.ms', configOperation: SET, value: 'soon' }]),
    await alterSubscription('bad', [{ name: 'match', configOperation: SET, value: 'client_id=(' }]),
    await alterSubscription('bad', [{ name: 'match', configOperation: SET, value: 'client_name=app' }]),
    await alterSubscription('bad', [{ name: 'interval.ms', configOperation: APPEND, value: '5' }]),
  ];
  expect(refused).toEqual([
    { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: "Subscription name can't be empty" },
    { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unknown client metrics configuration: metric' },
    { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Invalid value -1 for interval.ms, interval must be between 100 and 3600000 (1 hour)' },
    { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Invalid value soon for configuration interval.ms: Not a number of type INT' },
    { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Illegal client matching pattern: client_id=(' },
    { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Illegal client matching pattern: client_name=app' },
    { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Config value append is not allowed for config key: interval.ms' },
  ]);
  expect(await alterSubscription('checked-only', [{ name: 'metrics', configOperation: SET, value: '*' }], true)).toMatchObject({ errorCode: ErrorCode.NONE });

  const v0 = await kafkaRequest(broker.bootstrap, ApiKey.ListConfigResources, 0, {});
  expect(v0).toMatchObject({ errorCode: ErrorCode.NONE, configResources: [{ resourceName: 'producers' }] });
  const v1 = await kafkaRequest(broker.bootstrap, ApiKey.ListConfigResources, 1, { resourceTypes: [] });
  expect(v1.configResources).toEqual(expect.arrayContaining([{ resourceName: 'producers', resourceType: CLIENT_METRICS }, { resourceName: String(broker.broker.config.brokerId), resourceType: 4 }]));
  // Broker loggers (8) have no configs in Skein: not a type it lists.
  expect(await kafkaRequest(broker.bootstrap, ApiKey.ListConfigResources, 1, { resourceTypes: [CLIENT_METRICS, 8] })).toMatchObject({ errorCode: ErrorCode.UNSUPPORTED_VERSION, configResources: [] });

  // AlterConfigs replaces the whole set: interval.ms back to its default.
  const replaced = await kafkaRequest(broker.bootstrap, ApiKey.AlterConfigs, 2, { resources: [{ resourceType: CLIENT_METRICS, resourceName: 'producers', configs: [{ name: 'metrics', value: '*' }] }], validateOnly: false });
  expect(replaced.responses[0]!.errorCode).toBe(ErrorCode.NONE);
  const after = await kafkaRequest(broker.bootstrap, ApiKey.DescribeConfigs, 4, { resources: [{ resourceType: CLIENT_METRICS, resourceName: 'producers', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
  expect(after.results[0]!.configs.map((c) => [c.name, c.value, c.configSource])).toEqual([
    ['metrics', '*', 7],
    ['interval.ms', '300000', 5],
    ['match', '', 5],
  ]);
  expect(await alterSubscription('producers', [{ name: 'metrics', configOperation: DELETE, value: null }])).toMatchObject({ errorCode: ErrorCode.NONE });
  expect((await kafkaRequest(broker.bootstrap, ApiKey.ListConfigResources, 0, {})).configResources).toEqual([]);
});

test('a broker alone keeps its subscriptions across a restart (client-metrics.json)', async () => {
  const alone = await startTestBroker();
  const r = await kafkaRequest(alone.bootstrap, ApiKey.IncrementalAlterConfigs, 1, {
    resources: [{ resourceType: CLIENT_METRICS, resourceName: 'kept', configs: [{ name: 'metrics', configOperation: SET, value: '*' }] }],
    validateOnly: false,
  });
  expect(r.responses[0]!.errorCode).toBe(ErrorCode.NONE);
  const again = await alone.restart();
  try {
    expect((await kafkaRequest(again.bootstrap, ApiKey.ListConfigResources, 0, {})).configResources).toEqual([{ resourceName: 'kept', resourceType: CLIENT_METRICS }]);
  } finally {
    await again.close();
  }
});

test('a subscription, a push shown on /metrics, a push too soon and one that is not OTLP refused', async () => {
  // Clients whose id starts with wire- and that said they are Skein's own (ApiVersions v3: software "skein").
  expect(await alterSubscription('wire', [
    { name: 'metrics', configOperation: SET, value: '*' },
    { name: 'interval.ms', configOperation: SET, value: '60000' },
    { name: 'match', configOperation: SET, value: 'client_id=wire-.*,client_software_name=skein' },
  ])).toMatchObject({ errorCode: ErrorCode.NONE });
  const other = await KafkaConnection.connect(broker.bootstrap, { clientId: 'other-producer' });
  try {
    // No subscription matches: nothing asked for, at Kafka's default interval.
    expect(await other.send(ApiKey.GetTelemetrySubscriptions, 0, { clientInstanceId: ZERO_UUID })).toMatchObject({ errorCode: ErrorCode.NONE, requestedMetrics: [], pushIntervalMs: 300_000 });
  } finally {
    other.close();
  }
  const conn = await KafkaConnection.connect(broker.bootstrap, { clientId: 'wire-producer' });
  try {
    await conn.apiVersions();
    const sub = await conn.send(ApiKey.GetTelemetrySubscriptions, 0, { clientInstanceId: ZERO_UUID });
    expect(sub).toMatchObject({ errorCode: ErrorCode.NONE, pushIntervalMs: 60_000, telemetryMaxBytes: 1_048_576, deltaTemporality: false, requestedMetrics: ['*'], acceptedCompressionTypes: [4, 3, 1, 2] });
    const request = { clientInstanceId: sub.clientInstanceId, subscriptionId: sub.subscriptionId, terminating: false, compressionType: Compression.Zstd, metrics: compress(Compression.Zstd, PRODUCER_PUSH) };
    expect((await conn.send(ApiKey.PushTelemetry, 0, request)).errorCode).toBe(ErrorCode.NONE);

    const s = await scrape(http.port);
    const id = Buffer.from(sub.clientInstanceId, 'hex').toString('base64url');
    expect(s.value('org_apache_kafka_producer_connection_creation_total', { client_id: 'wire-producer', client_instance_id: id })).toBe(1);
    expect(s.family('org_apache_kafka_producer_connection_creation_total').help).toBe('The total number of connections established.');
    // The other client is tracked too, subscribed to nothing.
    expect(s.value('kafka_server_client_metrics_instance_count')).toBe(2);

    expect((await conn.send(ApiKey.PushTelemetry, 0, request)).errorCode).toBe(ErrorCode.THROTTLING_QUOTA_EXCEEDED);
    const garbage = { ...request, terminating: true, compressionType: Compression.None, metrics: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]) };
    expect((await conn.send(ApiKey.PushTelemetry, 0, garbage)).errorCode).toBe(ErrorCode.INVALID_RECORD);
    // The connection and the broker carry on.
    expect((await conn.send(ApiKey.GetTelemetrySubscriptions, 0, { clientInstanceId: ZERO_UUID })).errorCode).toBe(ErrorCode.NONE);
  } finally {
    conn.close();
  }
});
