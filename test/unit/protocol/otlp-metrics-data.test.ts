// The OTLP MetricsData decoder: librdkafka's real pushes, every metric kind and wire variant protobuf
// allows (fields out of order, packed and unpacked repeated numbers, unknown fields), and hostile input:
// every truncation, random bytes and payloads past the limits fail as DecodeError and nothing else.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { DecodeError } from '../../../protocol/bytes.js';
import { ATTRIBUTES_MAX, BUCKETS_MAX, DATA_POINTS_MAX, decodeMetricsData, Temporality, type OtlpMetric } from '../../../protocol/otlp/metrics-data.js';

// A minimal protobuf writer for building payloads: each helper returns one encoded field.
function varint(v: bigint | number): Buffer {
  let n = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  do {
    let b = Number(n & 0x7fn);
    n >>= 7n;
    if (n > 0n) b |= 0x80;
    out.push(b);
  } while (n > 0n);
  return Buffer.from(out);
}
const key = (field: number, wire: number) => varint((field << 3) | wire);
const len = (field: number, ...parts: Buffer[]) => {
  const body = Buffer.concat(parts);
  return Buffer.concat([key(field, 2), varint(body.length), body]);
};
const str = (field: number, s: string) => len(field, Buffer.from(s));
const uint = (field: number, v: number | bigint) => Buffer.concat([key(field, 0), varint(v)]);
const f64 = (field: number, v: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return Buffer.concat([key(field, 1), b]);
};
const fixed64 = (field: number, v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return Buffer.concat([key(field, 1), b]);
};
const sfixed64 = (field: number, v: number) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(v));
  return Buffer.concat([key(field, 1), b]);
};
const kvString = (field: number, k: string, v: string) => len(field, str(1, k), len(2, str(1, v)));
const kvInt = (field: number, k: string, v: number) => len(field, str(1, k), len(2, uint(3, v)));

function payload(metrics: Buffer[], resource: Buffer[] = [], resourceFirst = true): Buffer {
  const res = len(1, ...resource);
  const scope = len(2, len(1, str(1, 'scope')), ...metrics.map((m) => len(2, m)));
  return len(1, ...(resourceFirst ? [res, scope] : [scope, res]));
}

const FIXTURES = new URL('../../fixtures/otlp/', import.meta.url);

describe('librdkafka 2.15 pushes', () => {
  test('the producer: gauges and a cumulative monotonic sum, the broker id on per-broker points', () => {
    const { metrics, skipped } = decodeMetricsData(readFileSync(new URL('librdkafka-2.15-producer.bin', FIXTURES)));
    expect(skipped).toBe(0);
    expect(metrics.map((m) => m.name)).toContain('org.apache.kafka.producer.node.request.latency.avg');
    const total = metrics.find((m) => m.name === 'org.apache.kafka.producer.connection.creation.total')!;
    expect(total.kind).toBe('sum');
    if (total.kind !== 'sum') throw new Error('not a sum');
    expect(total.monotonic).toBe(true);
    expect(total.temporality).toBe(Temporality.Cumulative);
    expect(total.points[0]!.value).toBeGreaterThanOrEqual(1);
    const perNode = metrics.find((m) => m.name === 'org.apache.kafka.producer.node.request.latency.avg')!;
    expect(perNode.kind).toBe('gauge');
    expect(perNode.points.every((p) => /^-?\d+$/.test(p.attributes['node.id'] ?? ''))).toBe(true);
    expect(perNode.description).toMatch(/latency/);
  });

  test('the consumer: its group and member id as resource attributes', () => {
    const { metrics } = decodeMetricsData(readFileSync(new URL('librdkafka-2.15-consumer.bin', FIXTURES)));
    const assigned = metrics.find((m) => m.name === 'org.apache.kafka.consumer.coordinator.assigned.partitions')!;
    expect(assigned.resource['group_id']).toBe('g');
    expect(assigned.resource['member_id']).toMatch(/^telemetry-consumer-/);
  });
});

describe('metric kinds and wire variants', () => {
  test('a gauge with an int and a double point, attributes of every scalar type', () => {
    const point1 = Buffer.concat([kvInt(7, 'node.id', 3), kvString(7, 's', 'x'), len(7, str(1, 'b'), len(2, uint(2, 1))), len(7, str(1, 'd'), len(2, f64(4, 1.5))), fixed64(3, 123n), sfixed64(6, -42)]);
    const point2 = Buffer.concat([f64(4, 0.25), len(7, str(1, 'raw'), len(2, len(7, Buffer.from([1, 2]))))]);
    const gauge = Buffer.concat([str(1, 'g'), str(2, 'help'), str(3, 'ms'), len(5, len(1, point1), len(1, point2))]);
    const [m] = decodeMetricsData(payload([gauge], [kvString(1, 'client_rack', 'r1')])).metrics as OtlpMetric[];
    expect(m).toMatchObject({ kind: 'gauge', name: 'g', description: 'help', unit: 'ms', resource: { client_rack: 'r1' } });
    expect(m!.points[0]).toEqual({ attributes: { 'node.id': '3', s: 'x', b: 'true', d: '1.5' }, value: -42, timeUnixNano: 123n });
    expect(m!.points[1]).toMatchObject({ attributes: { raw: 'AQI=' }, value: 0.25 });
  });

  test('a delta non-monotonic sum; the name after the data and the resource after the metrics', () => {
    const sum = Buffer.concat([len(7, len(1, f64(4, 2)), uint(2, Temporality.Delta), uint(3, 0)), str(1, 'late.name')]);
    const [m] = decodeMetricsData(payload([sum], [kvString(1, 'k', 'v')], false)).metrics;
    expect(m).toMatchObject({ kind: 'sum', name: 'late.name', monotonic: false, temporality: Temporality.Delta, resource: { k: 'v' } });
  });

  test('histograms with packed and with unpacked buckets and bounds', () => {
    const packedCounts = Buffer.alloc(24);
    [1n, 2n, 3n].forEach((c, i) => packedCounts.writeBigUInt64LE(c, i * 8));
    const packedBounds = Buffer.alloc(16);
    [10, 20].forEach((b, i) => packedBounds.writeDoubleLE(b, i * 8));
    const packed = Buffer.concat([fixed64(4, 6n), f64(5, 33), len(6, packedCounts), len(7, packedBounds), kvString(9, 'a', 'b')]);
    const unpacked = Buffer.concat([fixed64(4, 1n), fixed64(6, 0n), fixed64(6, 1n), f64(7, 5)]);
    const h = Buffer.concat([str(1, 'h'), len(9, len(1, packed), len(1, unpacked), uint(2, Temporality.Cumulative))]);
    const [m] = decodeMetricsData(payload([h])).metrics;
    expect(m).toMatchObject({ kind: 'histogram', temporality: Temporality.Cumulative });
    expect(m!.points[0]).toMatchObject({ count: 6, sum: 33, bucketCounts: [1, 2, 3], bounds: [10, 20], attributes: { a: 'b' } });
    expect(m!.points[1]).toMatchObject({ count: 1, bucketCounts: [0, 1], bounds: [5] });
  });

  test('exponential histograms and summaries are counted and skipped; unknown fields are ignored', () => {
    const exp = Buffer.concat([str(1, 'e'), len(10, len(1, uint(4, 1)))]);
    const summary = Buffer.concat([str(1, 's'), len(11, len(1, fixed64(4, 1n)))]);
    const gauge = Buffer.concat([str(1, 'g'), uint(99, 7), len(5, len(1, f64(4, 1), fixed64(120, 5n)))]);
    const { metrics, skipped } = decodeMetricsData(Buffer.concat([payload([exp, summary, gauge]), uint(50, 1)]));
    expect(skipped).toBe(2);
    expect(metrics.map((m) => m.name)).toEqual(['g']);
  });

  test('an empty payload is no metrics', () => {
    expect(decodeMetricsData(Buffer.alloc(0))).toEqual({ metrics: [], skipped: 0 });
  });
});

describe('hostile payloads fail as DecodeError only', () => {
  const decodeOrDecodeError = (b: Buffer) => {
    try {
      decodeMetricsData(b);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
    }
  };

  test('every truncation of a real push', () => {
    const real = readFileSync(new URL('librdkafka-2.15-consumer.bin', FIXTURES));
    for (let n = 0; n < real.length; n++) decodeOrDecodeError(real.subarray(0, n));
  });

  test('every single-byte corruption of a real push', () => {
    const real = readFileSync(new URL('librdkafka-2.15-producer.bin', FIXTURES));
    for (let i = 0; i < real.length; i++) {
      const b = Buffer.from(real);
      b[i] = b[i]! ^ 0xff;
      decodeOrDecodeError(b);
    }
  });

  test('random bytes (seeded)', () => {
    let seed = 714;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let i = 0; i < 2000; i++) decodeOrDecodeError(Buffer.from(Array.from({ length: next() % 64 }, () => next() & 0xff)));
  });

  test.each([
    ['a length past its parent', Buffer.concat([key(1, 2), varint(100), Buffer.alloc(3)])],
    ['a varint longer than 10 bytes', Buffer.concat([key(9, 0), Buffer.alloc(11, 0xff)])],
    ['a proto2 group', key(1, 3)],
    ['field number 0', Buffer.from([0x02, 0x00])],
    ['a string field sent as a varint', len(1, uint(1, 5))],
    ['bucket counts that do not match the bounds', payload([Buffer.concat([str(1, 'h'), len(9, len(1, fixed64(6, 1n), f64(7, 1), f64(7, 2)))])])],
  ])('%s', (_what, bytes) => {
    expect(() => decodeMetricsData(bytes)).toThrow(DecodeError);
  });

  test('more data points than DATA_POINTS_MAX', () => {
    const point = len(1, f64(4, 1));
    const gauge = Buffer.concat([str(1, 'g'), len(5, ...new Array<Buffer>(DATA_POINTS_MAX + 1).fill(point))]);
    expect(() => decodeMetricsData(payload([gauge]))).toThrow(/data points/);
  });

  test('more attributes than ATTRIBUTES_MAX', () => {
    const attrs = Array.from({ length: ATTRIBUTES_MAX + 1 }, (_, i) => kvString(1, `k${i}`, 'v'));
    expect(() => decodeMetricsData(payload([Buffer.concat([str(1, 'g'), len(5, len(1, f64(4, 1)))])], attrs))).toThrow(/attributes/);
  });

  test('more buckets than BUCKETS_MAX', () => {
    const bounds = Buffer.alloc(8 * BUCKETS_MAX);
    const h = Buffer.concat([str(1, 'h'), len(9, len(1, len(7, bounds)))]);
    expect(() => decodeMetricsData(payload([h]))).toThrow(/buckets/);
  });
});
