// KIP-714 over the wire against an in-process broker with its HTTP listener: GetTelemetrySubscriptions and
// PushTelemetry advertised at v0 (and not with telemetry.enable=false, as Kafka without a reporter), a
// zstd push of librdkafka's real payload shown on /metrics under the client id of the request header,
// Kafka's errors for a push too soon and for a payload that is not OTLP, and the broker serving on after.
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
  broker = await startTestBroker({ 'telemetry.push.interval.ms': '60000' });
  http = await startProcessHttp({ host: '127.0.0.1', port: 0 }, { broker: broker.broker, dataDirs: [broker.dataDir] }, broker.broker.log);
});

afterAll(async () => {
  await http?.close();
  await broker?.close();
});

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

test('a subscription, a push shown on /metrics, a push too soon and one that is not OTLP refused', async () => {
  const conn = await KafkaConnection.connect(broker.bootstrap, { clientId: 'wire-producer' });
  try {
    const sub = await conn.send(ApiKey.GetTelemetrySubscriptions, 0, { clientInstanceId: ZERO_UUID });
    expect(sub).toMatchObject({ errorCode: ErrorCode.NONE, pushIntervalMs: 60_000, telemetryMaxBytes: 1_048_576, deltaTemporality: false, requestedMetrics: ['*'], acceptedCompressionTypes: [4, 3, 1, 2] });
    const request = { clientInstanceId: sub.clientInstanceId, subscriptionId: sub.subscriptionId, terminating: false, compressionType: Compression.Zstd, metrics: compress(Compression.Zstd, PRODUCER_PUSH) };
    expect((await conn.send(ApiKey.PushTelemetry, 0, request)).errorCode).toBe(ErrorCode.NONE);

    const s = await scrape(http.port);
    const id = Buffer.from(sub.clientInstanceId, 'hex').toString('base64url');
    expect(s.value('org_apache_kafka_producer_connection_creation_total', { client_id: 'wire-producer', client_instance_id: id })).toBe(1);
    expect(s.family('org_apache_kafka_producer_connection_creation_total').help).toBe('The total number of connections established.');
    expect(s.value('kafka_server_client_metrics_instance_count')).toBe(1);

    expect((await conn.send(ApiKey.PushTelemetry, 0, request)).errorCode).toBe(ErrorCode.THROTTLING_QUOTA_EXCEEDED);
    const garbage = { ...request, terminating: true, compressionType: Compression.None, metrics: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]) };
    expect((await conn.send(ApiKey.PushTelemetry, 0, garbage)).errorCode).toBe(ErrorCode.INVALID_RECORD);
    // The connection and the broker carry on.
    expect((await conn.send(ApiKey.GetTelemetrySubscriptions, 0, { clientInstanceId: ZERO_UUID })).errorCode).toBe(ErrorCode.NONE);
  } finally {
    conn.close();
  }
});
