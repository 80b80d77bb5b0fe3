// KIP-714 on the broker's side (ClientTelemetry, time handed in): subscriptions, Kafka's errors in Kafka's
// order as librdkafka reacts to them, the client instance and series limits, expiry, and what /metrics
// gets from a push (names, labels, types, cumulative and delta values).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { ErrorCode, ZERO_UUID, type PushTelemetryRequest } from '../../../protocol/kafka/index.js';
import { compress, initCompression } from '../../../protocol/kafka/compression/codecs.js';
import { Compression } from '../../../protocol/kafka/records/batch-header.js';
import { Temporality, type OtlpMetric } from '../../../protocol/otlp/metrics-data.js';
import { unknownClient } from '../../../src/kafka/client-information.js';
import type { ClientSubscription } from '../../../src/kafka/telemetry/client-metrics-config.js';
import { ACCEPTED_COMPRESSION, ClientTelemetry, EXPIRY_MS_MIN, type SubscriptionSource, type TelemetrySettings } from '../../../src/kafka/telemetry/client-telemetry.js';
import { ATTRIBUTE_LABEL_CHARS_MAX, HELP_CHARS_MAX, NAME_CHARS_MAX, PushedMetrics, type Family } from '../../../src/kafka/telemetry/pushed-metrics.js';

const PRODUCER_PUSH = readFileSync(new URL('../../fixtures/otlp/librdkafka-2.15-producer.bin', import.meta.url));
const INTERVAL = 1_000;
const SETTINGS: TelemetrySettings = { maxBytes: 64 * 1024, clientsMax: 100, seriesMax: 1_000 };
const CLIENT = { clientId: 'app-1', client: unknownClient('127.0.0.1', 40000) };

/** Every client asked for `metrics` every INTERVAL (client-metrics-resources.test.ts matches real subscriptions). */
function everyone(metrics: readonly string[] = ['*']): SubscriptionSource & { version: number; subscription: ClientSubscription } {
  return {
    version: 0,
    subscription: { metrics, intervalMs: INTERVAL },
    subscriptionFor() {
      return this.subscription;
    },
  };
}

function telemetry(settings: Partial<TelemetrySettings> = {}, source: SubscriptionSource = everyone()): ClientTelemetry {
  return new ClientTelemetry({ ...SETTINGS, ...settings }, source, sequentialIds);
}

beforeAll(() => initCompression());

let ids = 0;
const sequentialIds = () => (++ids).toString(16).padStart(32, 'a');

function subscribe(t: ClientTelemetry, now = 0, id = ZERO_UUID) {
  const r = t.getSubscriptions(id, CLIENT, now);
  expect(r.errorCode).toBe(ErrorCode.NONE);
  return r as Required<typeof r>;
}

function push(id: string, subscriptionId: number, fields: Partial<PushTelemetryRequest> = {}): PushTelemetryRequest {
  return { clientInstanceId: id, subscriptionId, terminating: false, compressionType: Compression.Zstd, metrics: compress(Compression.Zstd, PRODUCER_PUSH), ...fields };
}

describe('GetTelemetrySubscriptions', () => {
  test('a first request gets a new instance id and its subscription', () => {
    const t = telemetry({}, everyone(['org.apache.kafka.producer.']));
    const r = subscribe(t);
    expect(r.clientInstanceId).not.toBe(ZERO_UUID);
    expect(r).toMatchObject({ pushIntervalMs: INTERVAL, telemetryMaxBytes: 64 * 1024, deltaTemporality: false, requestedMetrics: ['org.apache.kafka.producer.'] });
    expect(r.acceptedCompressionTypes).toEqual(ACCEPTED_COMPRESSION);
    // Another client gets another id and subscription id.
    const other = subscribe(t);
    expect(other.clientInstanceId).not.toBe(r.clientInstanceId);
    expect(other.subscriptionId).not.toBe(r.subscriptionId);
  });

  test('a known instance keeps its id and subscription; asking again within the interval is throttled', () => {
    const t = telemetry();
    const first = subscribe(t);
    expect(t.getSubscriptions(first.clientInstanceId, CLIENT, INTERVAL - 1).errorCode).toBe(ErrorCode.THROTTLING_QUOTA_EXCEEDED);
    const again = subscribe(t, INTERVAL, first.clientInstanceId);
    expect(again.subscriptionId).toBe(first.subscriptionId);
  });

  test('an id the broker never gave (a restart) is taken with the same subscription id as before', () => {
    const before = subscribe(telemetry());
    const after = subscribe(telemetry(), 0, before.clientInstanceId);
    expect(after.subscriptionId).toBe(before.subscriptionId);
  });
});

describe('subscription changes', () => {
  test('a change reaches the instance at its next request: a push with the old id is UNKNOWN_SUBSCRIPTION_ID, asking again at once gets the new one', () => {
    const source = everyone(['org.apache.kafka.producer.']);
    const t = telemetry({}, source);
    const s = subscribe(t);
    source.subscription = { metrics: ['org.apache.kafka.consumer.'], intervalMs: 2 * INTERVAL };
    source.version++;
    expect(t.push(push(s.clientInstanceId, s.subscriptionId), CLIENT, 1)).toBe(ErrorCode.UNKNOWN_SUBSCRIPTION_ID);
    const again = subscribe(t, 2, s.clientInstanceId);
    expect(again.subscriptionId).not.toBe(s.subscriptionId);
    expect(again).toMatchObject({ requestedMetrics: ['org.apache.kafka.consumer.'], pushIntervalMs: 2 * INTERVAL });
    // The producer push has no consumer metrics: taken, nothing kept.
    expect(t.push(push(s.clientInstanceId, again.subscriptionId), CLIENT, 3)).toBe(ErrorCode.NONE);
    expect(t.pushed.series).toBe(0);
  });

  test('no matching subscription: nothing asked for, at the default interval', () => {
    const source = everyone([]);
    source.subscription = { metrics: [], intervalMs: 300_000 };
    const r = subscribe(telemetry({}, source));
    expect(r).toMatchObject({ requestedMetrics: [], pushIntervalMs: 300_000 });
  });
});

describe('PushTelemetry', () => {
  test('a push right after subscribing is taken, the next one only an interval later', () => {
    const t = telemetry();
    const s = subscribe(t);
    // Clients jitter the first push: it may come before an interval has passed.
    expect(t.push(push(s.clientInstanceId, s.subscriptionId), CLIENT, 10)).toBe(ErrorCode.NONE);
    expect(t.push(push(s.clientInstanceId, s.subscriptionId), CLIENT, 10 + INTERVAL - 1)).toBe(ErrorCode.THROTTLING_QUOTA_EXCEEDED);
    expect(t.push(push(s.clientInstanceId, s.subscriptionId), CLIENT, 10 + 2 * INTERVAL)).toBe(ErrorCode.NONE);
  });

  test('the terminating push is taken at any time; nothing after it', () => {
    const t = telemetry();
    const s = subscribe(t);
    expect(t.push(push(s.clientInstanceId, s.subscriptionId), CLIENT, 1)).toBe(ErrorCode.NONE);
    expect(t.push(push(s.clientInstanceId, s.subscriptionId, { terminating: true }), CLIENT, 2)).toBe(ErrorCode.NONE);
    expect(t.push(push(s.clientInstanceId, s.subscriptionId), CLIENT, 2 + INTERVAL)).toBe(ErrorCode.INVALID_REQUEST);
  });

  test.each([
    ['the zero instance id', (id: string, sub: number) => push(ZERO_UUID, sub), ErrorCode.INVALID_REQUEST],
    ['another subscription id', (id: string, sub: number) => push(id, sub + 1), ErrorCode.UNKNOWN_SUBSCRIPTION_ID],
    ['a compression type Kafka does not define', (id: string, sub: number) => push(id, sub, { compressionType: 7 }), ErrorCode.UNSUPPORTED_COMPRESSION_TYPE],
    ['more than telemetry.max.bytes', (id: string, sub: number) => push(id, sub, { compressionType: Compression.None, metrics: Buffer.alloc(64 * 1024 + 1) }), ErrorCode.TELEMETRY_TOO_LARGE],
    ['bytes that are not OTLP', (id: string, sub: number) => push(id, sub, { compressionType: Compression.None, metrics: Buffer.from([0x0a, 0x7f]) }), ErrorCode.INVALID_RECORD],
    ['a zstd frame that is not one', (id: string, sub: number) => push(id, sub, { metrics: Buffer.from('not zstd') }), ErrorCode.INVALID_RECORD],
  ])('%s is refused', (_what, request, code) => {
    const t = telemetry();
    const s = subscribe(t);
    expect(t.push(request(s.clientInstanceId, s.subscriptionId), CLIENT, 1)).toBe(code);
    expect(t.pushed.series).toBe(0);
  });

  test('after UNKNOWN_SUBSCRIPTION_ID the client may ask again at once (librdkafka does)', () => {
    const t = telemetry();
    const s = subscribe(t);
    expect(t.push(push(s.clientInstanceId, s.subscriptionId + 1), CLIENT, 1)).toBe(ErrorCode.UNKNOWN_SUBSCRIPTION_ID);
    expect(subscribe(t, 2, s.clientInstanceId).subscriptionId).toBe(s.subscriptionId);
  });

  test('every codec the broker accepts, and none', () => {
    for (const codec of [...ACCEPTED_COMPRESSION, Compression.None]) {
      const t = telemetry();
      const s = subscribe(t);
      expect(t.push(push(s.clientInstanceId, s.subscriptionId, { compressionType: codec, metrics: compress(codec as Compression, PRODUCER_PUSH) }), CLIENT, 1)).toBe(ErrorCode.NONE);
      expect(t.pushed.series).toBeGreaterThan(5);
    }
  });

  test('only the metrics subscribed to are kept', () => {
    const t = telemetry({}, everyone(['org.apache.kafka.producer.connection.']));
    const s = subscribe(t);
    expect(t.push(push(s.clientInstanceId, s.subscriptionId), CLIENT, 1)).toBe(ErrorCode.NONE);
    // connection.creation.rate and connection.creation.total
    expect(t.pushed.series).toBe(2);
  });
});

describe('limits and expiry', () => {
  test('the least recently heard instance makes room, with its series', () => {
    const t = telemetry({ clientsMax: 2 });
    const a = subscribe(t, 0);
    t.push(push(a.clientInstanceId, a.subscriptionId), CLIENT, 1);
    const perClient = t.pushed.series;
    subscribe(t, 2);
    subscribe(t, 3);
    expect(t.clients).toBe(2);
    expect(t.pushed.series).toBe(0);
    expect(perClient).toBeGreaterThan(0);
  });

  test('instances silent for three intervals (at least a minute) expire with their series', () => {
    const t = telemetry();
    const s = subscribe(t, 0);
    t.push(push(s.clientInstanceId, s.subscriptionId), CLIENT, 1);
    t.expire(EXPIRY_MS_MIN);
    expect(t.clients).toBe(1);
    t.expire(EXPIRY_MS_MIN + 1);
    expect(t.clients).toBe(0);
    expect(t.pushed.series).toBe(0);
  });

  test('series past telemetry.max.series are dropped and counted; the first client keeps its own', () => {
    const t = telemetry({ seriesMax: 12 });
    const a = subscribe(t);
    const b = subscribe(t);
    t.push(push(a.clientInstanceId, a.subscriptionId), CLIENT, 1);
    const kept = t.pushed.series;
    t.push(push(b.clientInstanceId, b.subscriptionId), CLIENT, 1);
    expect(t.pushed.series).toBe(12);
    expect(t.pushed.droppedSeries).toBeGreaterThan(0);
    // The first client's next push replaces its series: still all of them.
    t.push(push(a.clientInstanceId, a.subscriptionId), CLIENT, 1 + INTERVAL);
    expect(t.pushed.series).toBe(12);
    expect(kept).toBeLessThanOrEqual(12);
  });
});

describe('what /metrics gets', () => {
  const own = { client_instance_id: 'id', client_id: 'c' };
  const gauge = (name: string, value: number, attributes: Record<string, string> = {}): OtlpMetric => ({ kind: 'gauge', name, description: 'd', unit: 'ms', resource: { group_id: 'g' }, points: [{ attributes, value, timeUnixNano: 0n }] });
  const sum = (value: number, temporality: number): OtlpMetric => ({ kind: 'sum', name: 'x.count', description: '', unit: '', resource: {}, monotonic: true, temporality, points: [{ attributes: {}, value, timeUnixNano: 0n }] });

  test('names and labels as Prometheus takes them; our labels win over attributes of the same name', () => {
    const m = new PushedMetrics(100);
    const families: string[] = [];
    m.watchFamilies((f) => families.push(`${f.name} ${f.type}`));
    m.record('i', own, [gauge('org.apache.kafka.a-b', 2, { 'node.id': '1', client_id: 'spoofed' })]);
    expect(families).toEqual(['org_apache_kafka_a_b gauge']);
    expect(m.samples({ name: 'org_apache_kafka_a_b', type: 'gauge', help: '' })).toEqual([{ value: 2, labels: { client_instance_id: 'id', client_id: 'c', node_id: '1', group_id: 'g' } }]);
  });

  test('cumulative sums are counters set by each push; delta sums add up', () => {
    const m = new PushedMetrics(100);
    const family = { name: 'x_count_total', type: 'counter' as const, help: '' };
    m.record('i', own, [sum(5, Temporality.Cumulative)]);
    m.record('i', own, [sum(7, Temporality.Cumulative)]);
    expect(m.samples(family)[0]!.value).toBe(7);
    m.record('j', own, [sum(5, Temporality.Delta)]);
    m.record('j', own, [sum(7, Temporality.Delta)]);
    expect(m.samples(family).map((s) => s.value)).toEqual([7, 12]);
  });

  test('histograms become _bucket, _sum and _count series', () => {
    const m = new PushedMetrics(100);
    m.record('i', own, [{ kind: 'histogram', name: 'h', description: '', unit: '', resource: {}, temporality: Temporality.Cumulative, points: [{ attributes: {}, count: 3, sum: 9, bucketCounts: [1, 2], bounds: [5], timeUnixNano: 0n }] }]);
    expect(m.samples({ name: 'h', type: 'histogram', help: '' }).map((s) => [s.metricName, s.labels['le'], s.value])).toEqual([
      ['h_bucket', '5', 1],
      ['h_bucket', '+Inf', 3],
      ['h_sum', undefined, 9],
      ['h_count', undefined, 3],
    ]);
  });

  test('a name taken by another type is dropped; a push replaces its client\'s series', () => {
    const m = new PushedMetrics(100);
    m.record('i', own, [gauge('x.count_total', 1)]);
    const outcome = m.record('i', own, [sum(1, Temporality.Cumulative)]);
    expect(outcome).toEqual({ kept: 0, dropped: 1 });
    expect(m.series).toBe(0);
  });
});

describe('what a client can make /metrics hold', () => {
  const own = { client_instance_id: 'id', client_id: 'c' };
  const point = (attributes: Record<string, string>) => ({ attributes, value: 1, timeUnixNano: 0n });

  test('attribute labels past ATTRIBUTE_LABEL_CHARS_MAX are left off, the point\'s first; long names and help are not kept whole', () => {
    const m = new PushedMetrics(100);
    const families: Family[] = [];
    m.watchFamilies((f) => families.push(f));
    const huge = 'x'.repeat(ATTRIBUTE_LABEL_CHARS_MAX);
    const outcome = m.record('i', own, [
      { kind: 'gauge', name: 'g', description: 'd'.repeat(HELP_CHARS_MAX * 2), unit: '', resource: { big: huge, small: 's' }, points: [point({ 'node.id': '1' })] },
      { kind: 'gauge', name: 'n'.repeat(NAME_CHARS_MAX + 1), description: '', unit: '', resource: {}, points: [point({})] },
    ]);
    expect(outcome).toEqual({ kept: 1, dropped: 1 });
    expect(m.samples(families[0]!)[0]!.labels).toEqual({ ...own, node_id: '1', small: 's' });
    expect(families.map((f) => [f.name, f.help.length])).toEqual([['g', HELP_CHARS_MAX]]);
  });
});
